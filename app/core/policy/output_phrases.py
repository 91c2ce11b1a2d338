"""The phrases a policy uses to state its outputs, found line by line (for
:mod:`app.core.policy.stated_format`).

Each finder takes ``(line number, text)`` pairs and returns what it found with the lines:
label words stated as outputs and which side each is on, binary ``0``/``1`` statements, a
JSON output block, and a request for two labels (depiction and request) per item.

A word's side comes from the hint the policy writes beside it, negations read as a writer
means them: ``KEEP (does not violate the policy) or REMOVE (violates the policy)``, ``OK
(not spam) or SPAM``, ``ALLOW (not harmful) or BLOCK`` (but ``X (not allowed)`` violates).
Every pattern has bounded repeats or is tried once per sentence, so a finder's time grows
linearly with the text, even for one very long line.
"""

from __future__ import annotations

import re

from app.core.policy.front_matter import tier_number
from app.core.policy.label_spelling import NON_VIOLATING_WORDS, VIOLATING_WORDS
from app.core.policy.lines import TIER_RE

__all__ = [
    "TIER_RE",
    "binary_lines",
    "json_block",
    "label_statements",
    "side_of_word",
    "two_label_lines",
]
_TOKEN = r"[`'\"*“”]{0,3}([A-Z][A-Z0-9_]{1,40}|[01])[`'\"*“”.]{0,3}"
_HINT = r"(?:\s*\(([^()\n]{0,200})\))?"  # "(does not violate the policy)"
_OUTPUT_RE = re.compile(r"\b(?:output|answer|label|return)\s*[:=]\s*" + _TOKEN + _HINT, re.I)
_LIST_RE = re.compile(r"\s*(?:or|/|,|\|)\s*" + _TOKEN + _HINT)
_AS_RE = re.compile(
    r"\b(?i:as|with|either|answer|respond|reply|return|output|print|write)\s+" + _TOKEN + _HINT
    + r"\s*(?:,\s*)?or\s+" + _TOKEN + _HINT
)  # fmt: skip
_NEGATED_ALLOWED_RE = re.compile(
    r"\bnot\s+(?:be\s+)?(?:allowed|permitted|acceptable|ok|okay|safe|fine)\b", re.I
)
_NEGATION_RE = re.compile(r"\b(?:no|not|non|never|without|free\s+of)\b|n't\b", re.I)
_VIOLATING_HINT_RE = re.compile(
    r"not allowed|disallowed|violat|prohibit|spam|harm|unsafe|abus|block|remov|scam", re.I
)
_ALLOWED_HINT_RE = re.compile(r"\b(no|not|non|allowed|permitted|safe|benign|acceptable|ok)\b", re.I)
_EXTRA_VIOLATING = {"block", "blocked", "remove", "reject", "rejected", "disallowed", "spam"}
_EXTRA_ALLOWED = {"allow", "allowed", "pass", "approve", "approved", "keep", "ham", "not spam"}
# "Return exactly one character: 0 or 1": a verb, then later in the same sentence 0 or 1.
_BINARY_VERB_RE = re.compile(
    r"\b(?:return|output|answer|respond|reply|classify|label|print|write|character|digit)", re.I
)
_BINARY_PAIR_RE = re.compile(r"[`'\"]?\b([01])\b[`'\"]?\s*(?:or|/)\s*[`'\"]?\b([01])\b")
_BINARY_MEANING_RE = re.compile(
    r"^\s*(?:[-*+]\s*)?[`'\"*]*([01])[`'\"*]*\s*(?:=|:|->|→|—|–|-)\s*\w", re.I
)
_JSON_KEY_RE = re.compile(r"\"(\w+)\"\s*:")
_TWO_CODES_RE = (re.compile(r"\bD-[A-Z]{1,4}-?\d"), re.compile(r"\bR-[A-Z]{1,4}-?\d"))


def _hint_side(hint: str | None) -> bool | None:
    """The side a hint such as "(no spam)", "(does not violate)" or "(not allowed)" names."""
    if not hint:
        return None
    if _NEGATED_ALLOWED_RE.search(hint):
        return True  # "not allowed", "not safe"
    if _VIOLATING_HINT_RE.search(hint):
        return not _NEGATION_RE.search(hint)  # "violates" / "does not violate", "not spam"
    return False if _ALLOWED_HINT_RE.search(hint) else None


def label_statements(lines: list[tuple[int, str]]) -> list[tuple[int, str, bool | None]]:
    """(line, word, violates-hint) for each label word a line states as an output."""
    found: list[tuple[int, str, bool | None]] = []
    for number, line in lines:
        match = _OUTPUT_RE.search(line)
        if match and not TIER_RE.fullmatch(match.group(1)):
            found.append((number, match.group(1), _hint_side(match.group(2))))
            position = match.end()
            while (more := _LIST_RE.match(line, position)) is not None:
                found.append((number, more.group(1), _hint_side(more.group(2))))
                position = more.end()
            continue
        pair = _AS_RE.search(line)
        if pair and not TIER_RE.fullmatch(pair.group(1)):
            found.append((number, pair.group(1), _hint_side(pair.group(2))))
            found.append((number, pair.group(3), _hint_side(pair.group(4))))
    return found


def side_of_word(word: str, statements: list[tuple[int, str, bool | None]]) -> bool | None:
    """Whether a stated label word violates: from the policy's own hint, else its meaning."""
    hints = {side for _, said, side in statements if said == word and side is not None}
    if len(hints) == 1:
        return hints.pop()
    lowered = word.lower().replace("_", " ")
    if lowered in VIOLATING_WORDS or lowered in _EXTRA_VIOLATING:
        return True
    if lowered in NON_VIOLATING_WORDS or lowered in _EXTRA_ALLOWED:
        return False
    if TIER_RE.fullmatch(word):
        return tier_number(word) != 0
    return None


def binary_lines(lines: list[tuple[int, str]]) -> list[int]:
    """Lines that ask for a bare 0 or 1 ("Return exactly one character: 0 or 1", "1 = violates")."""
    found = [number for number, line in lines if _asks_binary(line)]
    meanings = {
        number: match.group(1)
        for number, line in lines
        if (match := _BINARY_MEANING_RE.match(line)) is not None
    }
    if set(meanings.values()) == {"0", "1"}:
        found += list(meanings)
    return sorted(set(found))


def _asks_binary(line: str) -> bool:
    """Whether a sentence of the line has a verb followed by "0 or 1" (one scan each)."""
    for sentence in line.split("."):
        verb = _BINARY_VERB_RE.search(sentence)
        if verb is not None and _BINARY_PAIR_RE.search(sentence, verb.end()):
            return True
    return False


def json_block(lines: list[tuple[int, str]]) -> tuple[set[str], int] | None:
    """(keys, line of "violation") of the first JSON output block that has a violation key."""
    for index, (number, line) in enumerate(lines):
        if '"violation"' not in line:
            continue
        start = index
        while start > 0 and "{" not in lines[start][1] and index - start < 8:
            start -= 1
        keys: set[str] = set()
        for _, text in lines[start : index + 12]:
            keys.update(_JSON_KEY_RE.findall(text))
            if "}" in text and "{" not in text.split("}")[-1]:
                break
        return keys, number
    return None


def two_label_lines(lines: list[tuple[int, str]]) -> list[int]:
    """Lines asking for a depiction and a request label per item (D-SP2, R-SP0)."""
    depiction, request = _TWO_CODES_RE
    both = [n for n, line in lines if depiction.search(line) and request.search(line)]
    if both:
        return both
    worded = [
        n
        for n, line in lines
        if re.search(r"\bdepiction\b", line, re.I) and re.search(r"\brequest\b", line, re.I)
        and re.search(r"\blabels?\b", line, re.I)
    ]  # fmt: skip
    return worded
