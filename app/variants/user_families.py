"""A team's own variant families: JSON files of find→replace rules or fixed templates.

A file in the data folder's ``robustness/`` folder (or named on the command line) holds
one family::

    {"name": "slang", "description": "Our users' spellings.",
     "rules": [{"find": "gift card", "replace": "g1ft kard"}], "rate": 1.0}
    {"name": "support_frame", "templates": ["A customer wrote: {content} Please advise."]}

Rules replace each occurrence of ``find`` with probability ``rate`` (longest finds first);
a template puts the content where ``{content}`` stands (once; other braces are text), and
variant ``n`` uses template ``n`` (cycling). Every problem is one sentence naming the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

from app.core.storage_paths import data_dir
from app.variants.families import FAMILIES, Family, FamilyError
from app.variants.variant import Draws, Piece, around

FOLDER = "robustness"
NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
SLOT = "{content}"


def user_folder() -> Path:
    return data_dir() / FOLDER


def _rules_transform(rules: list[tuple[str, str]]):
    table = dict(rules)
    pattern = re.compile("|".join(re.escape(f) for f in sorted(table, key=len, reverse=True)))

    def transform(text: str, rng: Draws, opts: Mapping) -> list[Piece]:
        rate = float(opts.get("rate", 1.0))
        pieces: list[Piece] = []
        start = 0
        for match in pattern.finditer(text):
            if rate < 1.0 and rng.random() >= rate:
                continue
            if start < match.start():
                pieces.append((text[start : match.start()], start))
            if table[match.group()]:
                pieces.append((table[match.group()], None))
            start = match.end()
        if start < len(text):
            pieces.append((text[start:], start))
        return pieces

    return transform


def _template_transform(text: str, _rng: Draws, opts: Mapping) -> list[Piece]:
    before, after = str(opts["template"]).split(SLOT)
    return around(text, before, after)


def _rules(data: dict, where: str) -> list[tuple[str, str]]:
    rules = data.get("rules")
    if not isinstance(rules, list) or not rules:
        raise FamilyError(f'{where} has no rules; give a list of {{"find", "replace"}}.')
    out = []
    for n, rule in enumerate(rules, start=1):
        ok = isinstance(rule, dict) and isinstance(rule.get("find"), str) and rule["find"]
        if not ok or not isinstance(rule.get("replace"), str):
            raise FamilyError(
                f'{where}: rule {n} needs a non-empty "find" text and a "replace" text.'
            )
        out.append((rule["find"], rule["replace"]))
    return out


def _templates(data: dict, where: str) -> tuple[dict, ...]:
    templates = data.get("templates")
    if not isinstance(templates, list) or not templates:
        raise FamilyError(f"{where} has no templates; give a list of texts with {SLOT}.")
    for n, template in enumerate(templates, start=1):
        if not isinstance(template, str) or template.count(SLOT) != 1:
            raise FamilyError(f"{where}: template {n} must be text with {SLOT} exactly once.")
    return tuple({"template": t} for t in templates)


def family_from_data(data: object, where: str) -> Family:
    """The family a parsed file describes, or one FamilyError sentence."""
    if not isinstance(data, dict):
        raise FamilyError(f"{where} is not a JSON object; see the example in the guide.")
    name = data.get("name")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise FamilyError(
            f'{where} needs a "name" of lower-case letters, digits and _ (e.g. "slang").'
        )
    if name in FAMILIES:
        raise FamilyError(f"{where} names a built-in family ({name}); choose another name.")
    description = str(data.get("description") or f"Custom family from {Path(where).name}.")
    if ("rules" in data) == ("templates" in data):
        raise FamilyError(f'{where} needs either "rules" or "templates", not both or none.')
    if "templates" in data:
        options = _templates(data, where)
        return Family(name, description, _template_transform, "custom", "insert",
                      options=options, random=False)  # fmt: skip
    rate = data.get("rate", 1.0)
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate <= 1:
        raise FamilyError(f'{where}: "rate" must be a number above 0 and at most 1.')
    transform = _rules_transform(_rules(data, where))
    return Family(name, description, transform, "custom", "rewrite",
                  defaults={"rate": float(rate)}, random=rate < 1)  # fmt: skip


def load_family_file(path: Path | str) -> Family:
    path = Path(path)
    where = f"The family file {path}"
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        raise FamilyError(f"{where} does not exist; check the path.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FamilyError(f"{where} cannot be read ({exc}); save it as UTF-8 JSON.") from None
    except json.JSONDecodeError as exc:
        raise FamilyError(
            f"{where} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "fix that place."
        ) from None
    return family_from_data(data, where)


def load_user_families(paths: list[Path] | None = None, folder: Path | None = None) -> dict:
    """The families of ``paths`` and of every ``*.json`` in ``folder`` (default: the data
    folder's); the first problem raises FamilyError, a name used twice too."""
    folder = folder if folder is not None else user_folder()
    files = sorted(folder.glob("*.json")) if folder.is_dir() else []
    out: dict[str, Family] = {}
    for path in [*files, *(paths or [])]:
        family = load_family_file(path)
        if family.name in out:
            raise FamilyError(f"Two family files are named {family.name}; rename one ({path}).")
        out[family.name] = family
    return out
