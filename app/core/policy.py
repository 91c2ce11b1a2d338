"""A content policy: Markdown body, optional front matter, output format and rule-code index.

Front matter is a block of ``key: value`` lines between two ``---`` lines at the very top:

    ---
    name: Spam and scams
    version: 1.0
    format: json                  # binary | labels | json
    labels: 0, 1                  # allowed labels (binary: 0, 1; json: values of `violation`)
    violating: 1                  # which labels count as "violates"
    json_fields: violation, policy_category, rationale
    ---

Only the body (everything after the block) is sent to the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

FORMATS = ("binary", "labels", "json")
KNOWN_KEYS = {"name", "version", "format", "labels", "violating", "json_fields", "description"}

# A rule code: letters, optional dash, digits, optional .suffix parts (SP2.a, HS-3, PD1.b.ii).
RULE_CODE_RE = re.compile(r"\b([A-Z]{1,5}-?\d{1,3}(?:\.[a-z0-9]{1,4})*)\b")
# Where a rule code is *defined*: at the start of a heading or a list item (optionally bold),
# or bold at the start of a line. "A2 is a paper size." defines nothing.
_CODE = r"([A-Z]{1,5}-?\d{1,3}(?:\.[a-z0-9]{1,4})*)\b"
_DEFINITION_RE = re.compile(
    r"^\s*(?:(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+)(?:\*\*|__)?\(?|(?:\*\*|__)\(?)" + _CODE
)
# Pieces a byte-pair tokenizer like o200k keeps whole: words with their leading space,
# runs of up to three digits, punctuation runs, newlines.
# CJK characters cost about one token each.
_CJK = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff"
_PIECE_RE = re.compile(
    rf"[{_CJK}]| ?[^\W\d_{_CJK}]+| ?\d{{1,3}}| ?_+| ?[^\s\w]+|\s*\n|\s+(?!\S)|\s+"
)


_INLINE_COMMENT_RE = re.compile(r"\s+#.*$")  # "format: json   # a comment"


class PolicyError(ValueError):
    """A policy file that cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class OutputFormat:
    """How the model is told to answer and which answers count as violating."""

    kind: str = "binary"
    labels: tuple[str, ...] = ("0", "1")
    violating: tuple[str, ...] = ("1",)
    json_fields: tuple[str, ...] = ("violation", "policy_category", "rationale")

    def is_violating(self, label: str) -> bool:
        return label in self.violating


@dataclass(frozen=True)
class RuleCode:
    """A rule code defined in the policy, with its 1-based line number in the whole file."""

    code: str
    line: int
    title: str


@dataclass
class Policy:
    """A parsed policy file."""

    text: str
    body: str
    body_line_offset: int
    name: str = "Untitled policy"
    version: str = ""
    output: OutputFormat = field(default_factory=OutputFormat)
    meta: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    warnings: list[str] = field(default_factory=list)  # usable, but worth a look

    @property
    def rule_codes(self) -> list[RuleCode]:
        return find_rule_codes(self.text)


def estimate_tokens(text: str) -> int:
    """Estimate o200k token count without the real vocabulary.

    Common English words are one token each; a long word costs one extra token per
    eight characters. On the starter policies this lands within about 10% of o200k.
    """
    count = 0
    for piece in _PIECE_RE.findall(text):
        stripped = piece.strip()
        count += 1 + max(0, (len(stripped) - 1) // 8) if stripped else 1
    return count


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


def split_front_matter(text: str) -> tuple[dict[str, str], str, int]:
    """Return (front-matter dict, body, number of lines before the body)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return {}, text, 0
    meta: dict[str, str] = {}
    for index, line in enumerate(lines[1:], start=1):
        stripped = _INLINE_COMMENT_RE.sub("", line).strip()
        if stripped == "---":
            start = index + 1
            while start < len(lines) and not lines[start].strip():
                start += 1  # blank lines between the block and the body are not sent
            return meta, "".join(lines[start:]), start
        if not stripped or stripped.startswith("#"):
            continue
        key, sep, value = stripped.partition(":")
        if not sep:
            raise PolicyError(
                f"Front-matter line {index + 1} has no ':'; write it as 'key: value'."
            )
        meta[key.strip().lower()] = value.strip()
    raise PolicyError("The front matter has no closing '---' line; add one after the last key.")


def output_format_from_meta(meta: dict[str, str]) -> OutputFormat:
    kind = meta.get("format", "binary").lower()
    if kind not in FORMATS:
        raise PolicyError(f"Unknown output format '{kind}'; use one of: {', '.join(FORMATS)}.")
    labels = _split_list(meta["labels"]) if "labels" in meta else ("0", "1")
    if kind == "labels" and "labels" not in meta:
        raise PolicyError("A 'labels' policy needs a 'labels:' line listing its labels.")
    violating = _split_list(meta["violating"]) if "violating" in meta else None
    if violating is None:
        if kind == "labels":
            raise PolicyError("A 'labels' policy needs a 'violating:' line naming its labels.")
        violating = ("1",)
    unknown = [label for label in violating if label not in labels]
    if unknown:
        raise PolicyError(
            f"'violating' names {', '.join(unknown)}, which is not in 'labels'; list it there."
        )
    fields = _split_list(meta.get("json_fields", "violation, policy_category, rationale"))
    return OutputFormat(kind=kind, labels=labels, violating=violating, json_fields=fields)


def parse_policy(text: str, path: Path | None = None) -> Policy:
    """Parse policy text; raises PolicyError with a one-sentence message."""
    meta, body, offset = split_front_matter(text)
    output = output_format_from_meta(meta)
    warnings = [
        f"Front-matter key '{key}' is not one the app knows; check its spelling "
        f"(known keys: {', '.join(sorted(KNOWN_KEYS))})."
        for key in meta
        if key not in KNOWN_KEYS
    ]
    name = meta.get("name") or (path.stem.replace("_", " ").title() if path else "Untitled policy")
    return Policy(
        text=text,
        body=body,
        body_line_offset=offset,
        name=name,
        version=meta.get("version", ""),
        output=output,
        meta=meta,
        path=path,
        warnings=warnings,
    )


def load_policy(path: Path | str) -> Policy:
    """Read and parse a policy file, with messages for missing or non-UTF-8 files."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PolicyError(f"Policy file {path} does not exist; check the path.") from None
    except OSError as exc:
        raise PolicyError(f"Cannot read policy file {path} ({exc.strerror}).") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PolicyError(f"Policy file {path} is not UTF-8 text; save it as UTF-8.") from None
    return parse_policy(text, path)


def find_rule_codes(text: str) -> list[RuleCode]:
    """Rule codes defined at the start of headings or list items, in order of appearance."""
    found: list[RuleCode] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _DEFINITION_RE.match(line)
        if match:
            title = line[match.end() :].strip(" *_:.-—)").strip()
            found.append(RuleCode(match.group(1), number, title))
    return found


def cited_rule_codes(text: str) -> list[str]:
    """Every rule-code-shaped token in text, first occurrence order, no repeats."""
    seen: dict[str, None] = {}
    for match in RULE_CODE_RE.finditer(text):
        seen.setdefault(match.group(1), None)
    return list(seen)
