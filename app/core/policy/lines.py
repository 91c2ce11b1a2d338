"""The shapes of a policy's lines: section headings, tier lines and rule-code definitions.

One reading serves every caller (the outline, ``policy check``, the lint hints, suggested
edits, the format reader), so a policy has the same sections and codes everywhere. Shapes
read as a writer means them, in Markdown and in plain text:

* headings: ``# Title`` (any level), ``Title`` underlined with ``===``/``---``, and in plain
  text a short line in capitals set apart by a blank line (``DEFINITIONS``,
  ``AMBIGUITY & ESCALATION``);
* tier lines: a title with a tier code in parentheses and any dash or a colon after it,
  with or without a leading emoji, ``#`` or bold: ``✅ Allowed Content (SP0 – Non-spam)``,
  ``## Allowed Content (DC0 - Safe)``, ``🚨 Malicious Spam (SP4 — Maximum Severity)``; and a
  line that starts with a tier code and a dash: ``SP0 – Not spam``. A tier line is a section
  heading and defines its code;
* rule codes defined where a line starts with one: after ``#``, a bullet or a number, bold,
  with a colon or a dash after it (``SP2: Bulk ads``), a code with a part (``SP0.a Useful
  request – “…”``) or a code of two letters or more followed by a capitalised word (``SP2
  Bulk ads``). "A2 is a paper size." defines nothing.

Every pattern is matched at the start of one line with bounded repeats, so reading a policy
costs time linear in its length, however long its lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.core.policy.front_matter import PolicyError, split_front_matter

_CODE = r"[A-Z]{1,5}-?\d{1,3}(?:\.[a-z0-9]{1,4})*"
# A rule code: letters, optional dash, digits, optional .suffix parts (SP2.a, HS-3, PD1.b.ii).
RULE_CODE_RE = re.compile(rf"\b({_CODE})\b")
# A tier code: SP0, DC3, HS-2 (no ".a" part: SP2.a is a rule inside tier SP2).
_TIER = r"[A-Z]{1,4}-?\d{1,2}"
TIER_RE = re.compile(rf"(?<![\w-])({_TIER})(?![\w-]|\.\w)")
_DASH = r"\-–—"
# A leading emoji or symbol (not ASCII, not a letter, not a quotation mark), then a title.
# Marks before the title are taken off in Python (:func:`_title_start`), and no two
# neighbouring repeats can take the same characters, so a match costs linear time.
_EMOJI_RE = re.compile(r"[^\x00-\x7f\w\s“”‘’«»„]{1,4}")
_TIER_LINE_RE = re.compile(
    r"([^\W\d_][^()\n]{0,100})"
    rf"\(\s*[`*]*({_TIER})[`*]*[ \t]*[{_DASH}:]([^()\n]{{0,200}})\)"
)
_CODE_FIRST_TIER_RE = re.compile(rf"({_TIER})(?:\*\*|__)?[ \t]*[{_DASH}:]\s(.*)")
_DEFINITION_RE = re.compile(  # matched on the line without its leading blanks
    r"(?:(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+)(?:\*\*|__)?\(?|(?:\*\*|__)\(?)"
    rf"({_CODE})\b"
    rf"|({_CODE})(?=[ \t]*[{_DASH}:]\s)"
    rf"|([A-Z]{{1,5}}-?\d{{1,3}}(?:\.[a-z0-9]{{1,4}})+)(?=[\s{_DASH}:])"
    rf"|([A-Z]{{2,5}}-?\d{{1,3}})\s(?=\s*[A-Z][a-z])"
)
_ATX_RE = re.compile(r"(#{1,6})\s(.*)")
_SETEXT_RE = re.compile(r"^(=+|-+)\s*$")
_TITLE_STRIP = " *_:.-—–"


@dataclass(frozen=True)
class RuleCode:
    """A rule code defined in the policy, with its 1-based line number in the whole file."""

    code: str
    line: int
    title: str
    tier: bool = False  # defined by a tier line ("✅ Allowed Content (SP0 – …)")


@dataclass(frozen=True)
class Heading:
    """A section heading: its 1-based line, level (1–6), title, and tier code if any."""

    line: int
    level: int
    title: str
    tier: str = ""


def is_caps_heading(line: str) -> bool:
    """A plain-text section title: a short line in capitals, such as "LABEL FORMAT"."""
    stripped = line.strip().rstrip(":")
    return len(stripped) <= 40 and stripped.isupper() and stripped[:1].isalpha()


def _title_start(line: str) -> str:
    """The line from where its title starts: after blanks, ``#`` marks, one emoji, bold."""
    text = line.lstrip()
    hashes = len(text) - len(text.lstrip("#"))
    if 0 < hashes <= 6 and text[hashes : hashes + 1].isspace():
        text = text[hashes:].lstrip()
    emoji = _EMOJI_RE.match(text)
    if emoji:
        text = text[emoji.end() :].lstrip()
    if text.startswith(("**", "__")):
        text = text[2:].lstrip()
    return text


def tier_line(line: str) -> tuple[str, str] | None:
    """(tier code, title) when the line names a tier, else None (see the module notes)."""
    text = _title_start(line)
    match = _TIER_LINE_RE.match(text)
    if match:
        title, rest = match.group(1).strip(" *_"), match.group(3).strip(" *_")
        return match.group(2), f"{title} – {rest}" if rest else title
    match = _CODE_FIRST_TIER_RE.match(text)
    if match:
        return match.group(1), _clean_title(match.group(2))
    return None


def _clean_title(title: str) -> str:
    """A definition's title without the marks around it ("**(SP1)** Spam)" -> "Spam")."""
    title = title.lstrip(_TITLE_STRIP + ")").rstrip(_TITLE_STRIP)
    if title.endswith(")") and title.count("(") < title.count(")"):
        title = title[:-1].rstrip(_TITLE_STRIP)
    return title


def find_rule_codes(text: str) -> list[RuleCode]:
    """Rule codes and tiers defined in the text, in order of appearance."""
    found: list[RuleCode] = []
    for number, line in enumerate(text.splitlines(), start=1):
        tier = tier_line(line)
        if tier is not None:
            found.append(RuleCode(tier[0], number, tier[1], tier=True))
            continue
        text = line.lstrip()
        match = _DEFINITION_RE.match(text)
        if match:
            code = next(group for group in match.groups() if group)
            found.append(RuleCode(code, number, _clean_title(text[match.end() :])))
    return found


def cited_rule_codes(text: str) -> list[str]:
    """Every rule-code-shaped token in text, first occurrence order, no repeats."""
    seen: dict[str, None] = {}
    for match in RULE_CODE_RE.finditer(text):
        seen.setdefault(match.group(1), None)
    return list(seen)


def body_start(text: str) -> int:
    """The 0-based index of the first line after the front matter (0 when it is broken)."""
    try:
        return split_front_matter(text)[2]
    except PolicyError:
        return 0


def prose_lines(text: str) -> list[int]:
    """The 0-based indexes of the body's lines outside fenced code (front matter skipped)."""
    lines = text.split("\n")
    found: list[int] = []
    in_fence = False
    for index in range(body_start(text), len(lines)):
        if lines[index].lstrip().startswith("```"):
            in_fence = not in_fence
        elif not in_fence:
            found.append(index)
    return found


def headings(text: str) -> list[Heading]:
    """The section headings of a policy, front matter and fenced code skipped."""
    lines = text.split("\n")
    start = body_start(text)
    found = [_heading(lines, index, start) for index in prose_lines(text)]
    return [heading for heading in found if heading is not None]


def _heading(lines: list[str], index: int, start: int) -> Heading | None:
    line, number = lines[index], index + 1
    tier = tier_line(line)
    code = tier[0] if tier else ""
    atx = _ATX_RE.fullmatch(line)
    if atx:
        title = atx.group(2).strip().rstrip("#").rstrip()
        return Heading(number, len(atx.group(1)), title, code) if title else None
    underline = index + 1 < len(lines) and _SETEXT_RE.match(lines[index + 1])
    if underline and line.strip() and not line.lstrip().startswith(("-", "*", "+")):
        return Heading(number, 1 if lines[index + 1].startswith("=") else 2, line.strip(), code)
    if tier is not None:
        return Heading(number, 2, line.strip().strip("*_").strip(), code)
    set_apart = index == start or not lines[index - 1].strip()
    if is_caps_heading(line) and set_apart and _DEFINITION_RE.match(line.lstrip()) is None:
        # plain text: "DEFINITIONS" after a blank line; not an answer such as "INVALID"
        # written under "Answer:" in an example
        return Heading(number, 2, line.strip().rstrip(":"), "")
    return None
