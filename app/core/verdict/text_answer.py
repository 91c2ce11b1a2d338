"""Reading a label from a final answer written as text (binary and labels formats).

The rules (see :mod:`app.core.verdict`): a strict line is an optional ``Answer:`` prefix, a
label, then nothing or a separator; in lenient mode (labels format) whole-word matches
anywhere count, and a cited rule code ``SP2.a`` counts as label ``SP2`` when nothing else
matches. :func:`read_label` returns the labels found; more than one means "unparsable".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.core.policy import (
    NON_VIOLATING_WORDS,
    VIOLATING_WORDS,
    OutputFormat,
    cited_rule_codes,
    normalize_label,
)

PREFIX = (
    r"(?:(?:final\s+)?(?:answer|label|output|verdict|classification|result|decision|violation)"
    r"\s*(?:is\s*)?[:=\-–—]?\s*)?"
)
_SEPARATOR_RE = re.compile(r"\s*[(\[\-–—:,;|]|\.\s|\s+[A-Z]{1,5}-?\d")
_END = r"(?![\w-]|\.[A-Za-z0-9])"  # "SP2." ends a label; "SP2.a" and "SP2-x" do not
AMBIGUOUS = "?"
_WORD_ANSWER_RE = re.compile(PREFIX + r"([A-Za-z][\w-]{3,})[.!]?$", re.IGNORECASE)


@dataclass(frozen=True)
class _Line:
    label: str  # canonical label, or AMBIGUOUS
    bare: bool  # nothing but the label (and punctuation) on the line


def _word_re(label: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(r"(?<![\w.-])" + re.escape(label) + _END, flags)


def clean_line(line: str) -> str:
    line = re.sub(r"```[\w-]*|[*`]|__", "", line).strip()
    return line.strip("\"'“”‘’").strip()


def _canonical(found: str, labels: tuple[str, ...]) -> str:
    return next((label for label in labels if label.lower() == found.lower()), found)


def _strict_line(line: str, labels: tuple[str, ...]) -> _Line | None:
    """A line that is an answer: optional 'Answer:', a label, then nothing or a separator."""
    if not labels:
        return None
    alternatives = "|".join(re.escape(label) for label in sorted(labels, key=len, reverse=True))
    match = re.match(PREFIX + f"({alternatives}){_END}(.*)$", line, re.IGNORECASE | re.DOTALL)
    if not match:
        return None
    label, rest = _canonical(match.group(1), labels), match.group(2)
    if not rest.strip(" \t.!"):
        return _Line(label, bare=True)
    if not _SEPARATOR_RE.match(rest):
        return None  # prose such as "1 of many"
    others = (other for other in labels if other != label)
    if any(_word_re(other, re.IGNORECASE).search(rest) for other in others):
        return _Line(AMBIGUOUS, bare=False)
    return _Line(label, bare=False)


def _lenient(text: str, labels: tuple[str, ...]) -> set[str]:
    """Labels found as whole words: exact spelling if any, else case-insensitive."""
    exact = {label for label in labels if _word_re(label).search(text)}
    if exact:
        return exact
    return {label for label in labels if _word_re(label, re.IGNORECASE).search(text)}


def read_label(text: str, labels: tuple[str, ...], lenient: bool) -> tuple[set[str], str, str]:
    """Return (labels found, rationale, note); one label found means success."""
    raw_lines = [line for line in text.splitlines() if clean_line(line)]
    lines = [_strict_line(clean_line(line), labels) for line in raw_lines]
    first = lines[0] if lines else None
    if first is not None and first.label != AMBIGUOUS:
        later = {line.label for line in lines[1:] if line is not None and line.bare}
        rationale = "\n".join(raw_lines[1:]).strip()
        return {first.label} | later, rationale, ""
    found = {line.label for line in lines if line is not None}
    if found or not lenient:
        return found, "", ""
    found = _lenient(text, labels)
    if found:
        return found, "", ""
    by_code = {
        label
        for code in cited_rule_codes(text)
        for label in labels
        if code.lower().startswith(label.lower() + ".")
    }
    codes = ", ".join(cited_rule_codes(text))
    return by_code, "", f"The label was read from the rule code it cites ({codes})."


def spelled_answer(text: str, output: OutputFormat) -> str | None:
    """The label a one-word answer spells in the test-set spelling table (``INVALID`` for a
    0/1 policy is ``1``); words of under four letters and rule codes are not read this way."""
    lines = [clean_line(line) for line in text.splitlines() if clean_line(line)]
    match = _WORD_ANSWER_RE.match(lines[0]) if len(lines) == 1 else None
    if match is None:
        return None
    word = match.group(1).lower()
    if word not in VIOLATING_WORDS | NON_VIOLATING_WORDS:
        return None
    label = normalize_label(word, output)
    return label if label in output.labels else None
