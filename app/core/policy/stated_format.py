"""The output format a policy states in its own words, for policies without front matter.

:func:`read_output_format` says how a policy's answers are read and where that came from:
front matter when it declares a format (it always wins), else what the text states (with the
1-based lines it was read from), else nothing (with one sentence saying what to write).
Read from the text, in this order:

* a JSON output block with a ``"violation"`` key (fields ``policy_category``, ``rule_ids``,
  ``confidence``, ``rationale`` kept when present) -> json, labels 0/1;
* label words stated as outputs: ``Output: VALID``, ``Output: `INVALID` ``, "classify each
  item as VALID (no spam) or INVALID (spam)" -> labels; "Return exactly one character: 0 or
  1", "0 = does NOT violate / 1 = violates" -> binary 0/1;
* severity tiers: codes such as ``SP0`` … ``SP4``, ``DC0`` … ``DC3``, ``HS-2`` that head a
  section or a line, or are listed under a "Label format" heading; tier 0, an "allowed"
  section, or a section whose ``Output:`` line is the non-violating word does not violate.
  With no label words, the tiers themselves are the labels;
* a request for two labels per item (``D-SP2, R-SP0``, or "depiction" and "request").

A policy that asks for 0 or 1 in one place and for label words in another is flagged (the
format line says so, and lint warns). The rule: when every word is one the answer reader
knows as a side (VALID / INVALID, SAFE / UNSAFE, …), the answers are read as 0 / 1, so the
model's ``1`` and its ``INVALID`` both count; otherwise the words win, and the note says
that a bare 0 or 1 will not be read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from app.core.policy.front_matter import (
    DEFAULT_JSON_FIELDS,
    OutputFormat,
    declares_format,
    output_format_from_meta,
    split_front_matter,
    tier_number,
)
from app.core.policy.label_spelling import NON_VIOLATING_WORDS, VIOLATING_WORDS
from app.core.policy.lines import tier_line
from app.core.policy.output_phrases import (
    TIER_RE,
    binary_lines,
    json_block,
    label_statements,
    side_of_word,
    two_label_lines,
)

NOT_INFERRED = (
    "The output format could not be read from this policy; add a line such as "
    "'Output: VALID' / 'Output: INVALID' or 'Return exactly one character: 0 or 1', "
    "or front matter with 'format:' and 'labels:'."
)
_HEADING_RE = re.compile(r"^\s*(?:#{1,6}\s+.*|(?:\*\*|__).*(?:\*\*|__):?\s*)$")
_LINE_START_TIER_RE = re.compile(
    r"^\s*(?:[-*+]\s+|\d+[.)]\s+)?(?:\*\*|__)?[(`]?" + TIER_RE.pattern + r"(?![.\w])"
)
_LABEL_FORMAT_RE = re.compile(r"\blabel(?:ing)?\s+format\b|\blabels?\s*:", re.I)
_ALLOWED_RE = re.compile(r"\b(allowed|non-?violating|permitted|acceptable|benign|safe)\b", re.I)


@dataclass(frozen=True)
class FormatReading:
    """How a policy's answers are read, and where that came from."""

    output: OutputFormat
    source: str  # "front matter", "sidecar", "inferred" or "default"
    lines: tuple[int, ...] = ()  # 1-based lines of the whole file it was read from
    problem: str = ""  # one sentence when nothing could be read
    details: tuple[tuple[int, str], ...] = ()  # (line, what was read there), inferred only
    note: str = ""  # a conflict worth fixing (0/1 asked in one place, words in another)

    @property
    def inferred(self) -> bool:
        return self.source == "inferred"

    def summary(self) -> str:
        """One line: "Output: VALID / INVALID, tiers SP0 (allowed) SP2 — inferred from lines 9, 26"."""
        if self.problem:
            return self.problem
        text = describe_format(self.output)
        if self.source == "front matter":
            return f"{text} — from the front matter"
        if self.source == "sidecar":
            return f"{text} — from the format file beside the policy"
        if not self.lines:
            return f"{text} — the default"
        shown = ", ".join(str(n) for n in self.lines[:8]) + (", …" if len(self.lines) > 8 else "")
        said = f"{text} — inferred from line{'s' if len(self.lines) > 1 else ''} {shown}"
        return f"{said}; {self.note}" if self.note else said


def describe_format(output: OutputFormat) -> str:
    """The format in words: labels (violating ones marked when not obvious), tiers, extras."""
    if output.kind == "json":
        text = f"JSON {{{', '.join(output.json_fields)}}}, violation {' / '.join(output.labels)}"
    else:
        text = "Output: " + " / ".join(output.labels)
    if output.tiers:
        marked = [t + (" (allowed)" if t in output.allowed_tiers else "") for t in output.tiers]
        text += ", tiers " + " ".join(marked)
    elif output.kind == "labels" and len(output.labels) > 2:
        text += " (violating: " + ", ".join(output.violating) + ")"
    if output.two_labels:
        text += ", two labels (depiction D-…, request R-…)"
        if output.score_on != "depiction":
            text += f", scoring the {output.score_on}"
    return text


def _sections(lines: list[tuple[int, str]]) -> list[tuple[int, str, str | None]]:
    """(line, text, tier of the section it is in) for every line."""
    tagged, tier = [], None
    for number, line in lines:
        named = _line_tiers(line, bool(_HEADING_RE.match(line)), False)
        tier = named[0] if named else tier
        tagged.append((number, line, tier))
    return tagged


def _line_tiers(line: str, heading: bool, in_label_format: bool) -> list[str]:
    """The tier codes a line names: the tier of a tier line ("✅ Allowed Content (SP0 – …)",
    "SP0 – Not spam", "- `DC0`: allowed"), else every code of a heading or of a line under
    a "Label format" heading."""
    tier = tier_line(line)
    if tier is not None:
        return [tier[0]]
    start = _LINE_START_TIER_RE.match(line)
    if start:
        return [start.group(1)]
    return [m.group(1) for m in TIER_RE.finditer(line)] if heading or in_label_format else []


def _tier_family(
    lines: list[tuple[int, str]],
) -> tuple[list[str], list[tuple[int, str]], set[str]]:
    """(tiers mildest first, (line, tier) of the first and the last tier line, tiers in
    sections called "allowed")."""
    found: dict[str, list[int]] = {}
    allowed: set[str] = set()
    in_label_format = False
    for number, line in lines:
        heading = bool(_HEADING_RE.match(line))
        if heading or line.rstrip().endswith(":"):
            in_label_format = bool(_LABEL_FORMAT_RE.search(line))
        codes = _line_tiers(line, heading, in_label_format)
        titled = heading or tier_line(line) is not None or _LINE_START_TIER_RE.match(line)
        for code in codes:
            found.setdefault(code, []).append(number)
            if titled and _ALLOWED_RE.search(line):
                allowed.add(code)
    families: dict[str, list[str]] = {}
    for code in found:
        families.setdefault(re.sub(r"-?\d+$", "", code), []).append(code)
    best = max(families.values(), key=len, default=[])
    if len({tier_number(code) for code in best}) < 2:
        return [], [], set()
    if not any(tier_number(code) == 0 or code in allowed for code in best):
        return [], [], set()  # rule categories (SP1 bulk, SP2 fraud), not severity tiers
    tiers = sorted(best, key=lambda code: tier_number(code) or 0)
    first_lines = sorted((found[code][0], code) for code in tiers)
    return tiers, [first_lines[0], first_lines[-1]], allowed & set(tiers)


def infer_output_format(body: str, offset: int = 0) -> FormatReading:
    """Read the output format from a policy body whose first line is file line offset + 1."""
    lines = [(offset + i + 1, line) for i, line in enumerate(body.split("\n"))]
    notes: dict[int, list[str]] = {}

    def note(line: int, text: str) -> None:
        notes.setdefault(line, []).append(text)

    tiers, tier_lines, allowed = _tier_family(lines)
    read = _read_answer(lines, tiers, allowed, note)
    if read is None:
        return _nothing()
    (kind, labels, violating, json_fields), conflict = read
    allowed |= {tier for tier in tiers if tier_number(tier) == 0}
    for line, tier in dict.fromkeys(tier_lines) if tiers else ():
        note(line, f"tier {tier}" + (" (allowed)" if tier in allowed else ""))
    two_lines = two_label_lines(lines)
    if two_lines:
        note(two_lines[0], "two labels per item (depiction, request)")
    output = OutputFormat(
        kind=kind,
        labels=labels,
        violating=violating,
        json_fields=json_fields,
        tiers=tuple(tiers),
        allowed_tiers=tuple(tier for tier in tiers if tier in allowed),
        two_labels=bool(two_lines),
    )
    details = tuple((line, "; ".join(notes[line])) for line in sorted(notes))
    said = conflict[1] if conflict else ""
    return FormatReading(output, "inferred", tuple(sorted(notes)), details=details, note=said)


# kind, labels, violating labels, JSON fields: what an answer is, as OutputFormat holds it
_Answer = tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]
_Conflict = tuple[bool, str]  # see _mixed_forms
_Note = Callable[[int, str], None]  # (line, what was read there)
_BINARY: _Answer = ("binary", ("0", "1"), ("1",), DEFAULT_JSON_FIELDS)


def _read_answer(
    lines: list[tuple[int, str]], tiers: list[str], allowed: set[str], note: _Note
) -> tuple[_Answer, _Conflict | None] | None:
    """The answer from the first form the policy states it in: a JSON block, label words,
    0 / 1, or the tiers alone; None when no form reads. Adds the tiers that label words or
    tier 0 make allowed to ``allowed``."""
    block = json_block(lines)
    statements = label_statements(lines)
    words = list(dict.fromkeys(word for _, word, _ in statements))
    words = [word for word in words if word not in ("0", "1")] or words  # 0/1: _mixed_forms
    if block is not None:
        fields, line = block
        note(line, 'a JSON answer with "violation"')
        kept = tuple(f for f in (*DEFAULT_JSON_FIELDS, "rule_ids", "confidence") if f in fields)
        return ("json", ("0", "1"), ("1",), kept), None
    if words and set(words) != {"0", "1"}:
        return _word_answer(lines, statements, words, tiers, allowed, note)
    if words or binary_lines(lines):
        for line in sorted({*_first_lines(statements).values(), *binary_lines(lines)[:2]}):
            note(line, "a 0 / 1 answer")
        return _BINARY, None
    if tiers:
        allowed |= {tier for tier in tiers if tier_number(tier) == 0}
        violating = tuple(tier for tier in tiers if tier not in allowed)
        if allowed and violating:
            return ("labels", tuple(tiers), violating, DEFAULT_JSON_FIELDS), None
    return None


def _word_answer(
    lines: list[tuple[int, str]],
    statements: list[tuple[int, str, bool | None]],
    words: list[str],
    tiers: list[str],
    allowed: set[str],
    note: _Note,
) -> tuple[_Answer, _Conflict | None] | None:
    """Label words as the answer, each on the side its statement (or the tier section of
    its ``Output:`` line) puts it; None when a word has no side or every word is on one.
    The tiers of the non-violating words join ``allowed``."""
    by_tier = {tier: word for number, word, tier in _word_tiers(lines, statements) if tier}
    sides = {word: side_of_word(word, statements) for word in words}
    for tier, word in by_tier.items():
        if sides.get(word) is None and tier in tiers:
            sides[word] = tier_number(tier) != 0 and tier not in allowed
    if any(side is None for side in sides.values()) or len(set(sides.values())) < 2:
        return None
    violating = tuple(word for word in words if sides[word])
    allowed |= {tier for tier, word in by_tier.items() if tier in tiers and not sides[word]}
    for word, line in _first_lines(statements).items():
        if word in sides:
            note(line, f"label {word} ({'violates' if sides[word] else 'allowed'})")
    conflict = _mixed_forms(lines, words, sides)
    if conflict and conflict[0]:
        return _BINARY, conflict
    return ("labels", tuple(words), violating, DEFAULT_JSON_FIELDS), conflict


def _mixed_forms(
    lines: list[tuple[int, str]], words: list[str], sides: dict[str, bool | None]
) -> tuple[bool, str] | None:
    """(read as 0/1, one sentence) when the policy asks for 0 or 1 and for words too."""
    binary = binary_lines(lines)
    if not binary:
        return None
    spelled = all(
        (word.lower() in VIOLATING_WORDS and sides[word])
        or (word.lower() in NON_VIOLATING_WORDS and not sides[word])
        for word in words
    )
    asked = f"it asks for 0 or 1 (line {binary[0]}) and for {' / '.join(words)}"
    if spelled:
        return True, f"{asked}: both are read, {' / '.join(words)} as 0 / 1"
    return False, f"{asked}: a bare 0 or 1 answer will not be read; ask for one form"


def _word_tiers(
    lines: list[tuple[int, str]], statements: list[tuple[int, str, bool | None]]
) -> list[tuple[int, str, str | None]]:
    """(line, word, tier of the section the ``Output:`` line is in) for each statement."""
    section = {number: tier for number, _, tier in _sections(lines)}
    return [(number, word, section.get(number)) for number, word, _ in statements]


def _first_lines(statements: list[tuple[int, str, bool | None]]) -> dict[str, int]:
    """The first line stating each label word."""
    first: dict[str, int] = {}
    for number, word, _ in statements:
        first.setdefault(word, number)
    return first


def _nothing() -> FormatReading:
    return FormatReading(OutputFormat(), "default", (), NOT_INFERRED)


def format_reading(
    meta: dict[str, str], body: str, offset: int, sidecar: OutputFormat | None = None
) -> FormatReading:
    """The format of a policy split into front matter and body: the front matter if it
    declares one, else the sidecar kept beside the file (``policy.format.json``), else what
    the text states."""
    if declares_format(meta):
        return FormatReading(output_format_from_meta(meta), "front matter")
    if sidecar is not None:
        return FormatReading(sidecar, "sidecar")
    return infer_output_format(body, offset)  # with no format found: 0/1, and a problem


def read_output_format(text: str) -> FormatReading:
    """The format of a whole policy file: front matter if it declares one, else inferred.

    Raises PolicyError (one sentence) for broken front matter, as ``parse_policy`` does.
    """
    return format_reading(*split_front_matter(text))
