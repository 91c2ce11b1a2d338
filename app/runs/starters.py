"""The starter policies shipped with the app (``policies/<key>/policy.md``), Qt-free.

Found beside the source tree, in ``resources/policies`` or inside a frozen bundle; each is
named by its front matter. The window's *New from template* and the CLI's ``policies`` and
``--starter KEY`` read the same list, so an installed CLI reaches the starters without
knowing where the bundle keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.core.policy import PolicyError, split_front_matter
from app.core.resources import policies_dir, resource_path


@dataclass(frozen=True)
class Starter:
    name: str  # the front matter's name, "Spam and scams"
    key: str  # the folder name, "spam_scams": what --starter takes
    path: Path  # the policy.md
    description: str = ""


def starter_roots() -> list[Path]:
    roots = [policies_dir(), resource_path("policies")]
    return [root for root in roots if root.is_dir()]


def list_starters() -> list[Starter]:
    """Every readable ``*/policy.md`` under the roots, by name (the first root wins)."""
    found: dict[str, Starter] = {}
    for root in starter_roots():
        for path in sorted(root.glob("*/policy.md")):
            name = path.parent.name.replace("_", " ").capitalize()
            try:
                meta, _body, _offset = split_front_matter(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, PolicyError):
                continue
            name = str(meta.get("name") or name)
            starter = Starter(name, path.parent.name, path, str(meta.get("description") or ""))
            found.setdefault(name, starter)
    return sorted(found.values(), key=lambda starter: starter.name.casefold())


def _simple(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def find_starter(wanted: str) -> Starter | None:
    """The starter whose key or name is ``wanted`` (case, spaces, '-' and '_' aside)."""
    key = _simple(wanted)
    for starter in list_starters():
        if key in (_simple(starter.key), _simple(starter.name)):
            return starter
    return None
