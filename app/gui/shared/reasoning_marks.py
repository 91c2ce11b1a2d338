"""Find what the model's reasoning points at: rule codes it cites, phrases it quotes.

Qt-free, so it is tested without a window. Spans are Python string offsets; the views
convert them to Qt's UTF-16 positions (``app.gui.shared.text_offsets``) before highlighting.
A quoted phrase counts only when it also occurs in the case content or in the policy, so
the highlight always points at something the user wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.core.policy import RULE_CODE_RE

# "straight", “curly” and «guillemet» double quotes, 1 to 300 characters inside, one line.
# Every pair is consumed, however short, so a short quote ("no") never shifts the pairing
# of the quotes after it; which quotes are worth marking is decided afterwards.
_QUOTE_RE = re.compile(r'"([^"\n]{1,300})"|“([^”\n]{1,300})”|«([^»\n]{1,300})»')
_TRIM = " \t.,;:!?…'‘’"


@dataclass(frozen=True)
class Mark:
    """One span of the reasoning: kind is "rule" or "quote"; value is the code or phrase."""

    kind: str
    start: int
    end: int
    value: str
    defined: bool = True  # rule: defined in the policy; quote: found in content or policy
    source: str = ""  # quote: "content", "policy" or "both"


def rule_marks(reasoning: str, defined_codes: set[str] | None = None) -> list[Mark]:
    """Every rule-code-shaped token in the reasoning, flagged if the policy defines it."""
    marks = []
    for match in RULE_CODE_RE.finditer(reasoning):
        code = match.group(1)
        defined = defined_codes is None or code in defined_codes
        marks.append(Mark("rule", match.start(1), match.end(1), code, defined))
    return marks


def _occurs(phrase: str, text: str) -> bool:
    if not phrase or not text:
        return False
    return re.search(re.escape(phrase), text, re.IGNORECASE) is not None


def _worth_marking(phrase: str) -> bool:
    """Three characters or more; a shorter quote only when it is not a plain word
    ("💰", "$2" point at something; "no" or "a" would light up half the text)."""
    if len(phrase) >= 3:
        return True
    return bool(phrase) and not phrase.isalpha()


def quote_marks(reasoning: str, content: str, policy: str) -> list[Mark]:
    """Quoted phrases of the reasoning that occur in the content or the policy."""
    marks = []
    for match in _QUOTE_RE.finditer(reasoning):
        group = next(g for g in (1, 2, 3) if match.group(g) is not None)
        raw = match.group(group)
        phrase = raw.strip(_TRIM)
        if not _worth_marking(phrase):
            continue
        in_content, in_policy = _occurs(phrase, content), _occurs(phrase, policy)
        if not (in_content or in_policy):
            continue
        start = match.start(group) + raw.index(phrase)
        source = "both" if in_content and in_policy else "content" if in_content else "policy"
        marks.append(Mark("quote", start, start + len(phrase), phrase, True, source))
    return marks


def find_marks(
    reasoning: str, content: str, policy: str, defined_codes: set[str] | None = None
) -> list[Mark]:
    """Quote marks then rule marks (a code inside a quote stays clickable), by position."""
    quotes = quote_marks(reasoning, content, policy)
    rules = rule_marks(reasoning, defined_codes)
    return sorted(quotes, key=lambda m: m.start) + sorted(rules, key=lambda m: m.start)


def phrase_spans(text: str, phrases: list[str]) -> list[tuple[int, int]]:
    """(start, end) Python offsets of every case-insensitive occurrence of each phrase."""
    spans: list[tuple[int, int]] = []
    for phrase in dict.fromkeys(p for p in phrases if p):
        for match in re.finditer(re.escape(phrase), text, re.IGNORECASE):
            spans.append((match.start(), match.end()))
    return sorted(spans)


def mark_at(marks: list[Mark], offset: int, kind: str | None = None) -> Mark | None:
    """The mark covering a Python offset (optionally only of one kind)."""
    for mark in marks:
        if mark.start <= offset < mark.end and (kind is None or mark.kind == kind):
            return mark
    return None
