"""Label spellings in imported test sets: which policy label a raw cell stands for.

Matched case-insensitively with spaces and quotes stripped:

- binary / json policies: a declared label maps to itself; ``1 1.0 true t yes y violating
  violates violation violative invalid unsafe harmful flagged positive`` map to the first
  ``violating:`` label; ``0 0.0 false f no n safe valid non-violating nonviolating
  not violating no violation does not violate benign ok clean negative`` map to the first
  label that does not violate; a rule code (``SP2``, ``sp2.a``) means violating unless
  its number is 0 (``SP0``, ``SP0.b``).
- labels policies: a declared label in any case; else the single label that the value is
  a class prefix of, or that is a prefix of the value, at a boundary (``SP2`` matches
  ``SP2 Fraud``; ``sp2.a`` matches ``SP2``); else a spelling from the lists above when the
  policy has exactly one label on that side (``safe`` -> ``HS0``).

- tiered policies (``tiers:`` declared or inferred): a tier code in any case, with or
  without a rule suffix or title (``dc2``, ``SP2.a``, ``SP2 Fraud``, ``HS 2``) stays the tier
  (``DC2``), so tier metrics can use it; label words map as above. A depiction/request pair
  (``d-sp2, r-sp0``, ``R-S0 D-S2``) becomes ``D-SP2, R-SP0``: a test case labelling both.

Anything else is an unknown label (``normalize_label`` gives None). The verdict parser reads a
model's answer tokens with the same function, so the test set and the answers agree.
"""

from __future__ import annotations

import re

from app.core.policy.front_matter import OutputFormat, tier_number


def words(text: str) -> frozenset[str]:
    """A set of spellings from a space-separated list; ``_`` stands for a space in one."""
    return frozenset(word.replace("_", " ") for word in text.split())


VIOLATING_WORDS = words(
    "1 1.0 true t yes y violating violates violation violative invalid unsafe harmful "
    "flagged positive"
)
NON_VIOLATING_WORDS = words(
    "0 0.0 false f no n safe valid non-violating nonviolating non_violating not-violating "
    "not_violating no_violation does_not_violate benign ok clean negative"
)
# A rule code written as a label: SP2, sp2.a, HS-3 (letters, digits, optional parts).
_CODE_RE = re.compile(r"[A-Za-z]{1,5}-?(\d{1,3})(?:\.[A-Za-z0-9]{1,4})*")


def _no_zero_code(value: str) -> bool | None:
    """For a rule-code label: True when it names a violating class, None if not a code."""
    match = _CODE_RE.fullmatch(value)
    return None if match is None else int(match.group(1)) != 0


def _class_code(value: str) -> str:
    """The leading rule-code class of a value (``sp2`` for ``sp2.a`` or ``sp2 fraud``)."""
    match = re.match(r"[a-z]{1,5}-?\d{1,3}(?![\w])", value)
    return match.group() if match else ""


def _boundary_prefix(short: str, long: str) -> bool:
    return long.startswith(short) and (len(long) == len(short) or not long[len(short)].isalnum())


# A depiction/request pair: D-SP2, R-SP0 (either order, any separator, "and").
_PAIR_CODE = r"([A-Za-z]{1,5}-?\d{1,3}(?:\.[A-Za-z0-9]{1,4})*)"
PAIR_RE = re.compile(
    rf"\bD\s*-\s*{_PAIR_CODE}[\s,;/|]*(?:and\s+)?R\s*-\s*{_PAIR_CODE}"
    rf"|\bR\s*-\s*{_PAIR_CODE}[\s,;/|]*(?:and\s+)?D\s*-\s*{_PAIR_CODE}",
    re.IGNORECASE,
)


def pairs_in(text: str) -> set[tuple[str, str]]:
    """Every (depiction, request) code pair written in text (``D-SP2, R-SP0``)."""
    found = set()
    for match in PAIR_RE.finditer(re.sub(r"[*`_]", "", text)):
        found.add(match.group(1, 2) if match.group(1) else match.group(4, 3))
    return found


def split_pair(value: str) -> tuple[str, str] | None:
    """(depiction, request) of a value that is exactly one pair, as spelled; else None."""
    match = PAIR_RE.fullmatch(value.strip())
    if match is None:
        return None
    return match.group(1, 2) if match.group(1) else match.group(4, 3)


def spell_pair(raw: str, output: OutputFormat) -> str | None:
    """The canonical ``D-SP2, R-SP0`` a pair spelling names, when both are policy tiers."""
    pair = split_pair(raw)
    if pair is None:
        return None
    depiction, request = (spell_tier(code, output) for code in pair)
    return f"D-{depiction}, R-{request}" if depiction and request else None


def spell_tier(raw: str, output: OutputFormat) -> str | None:
    """The policy tier a spelling names (``sp2``, ``SP2.a``, ``SP2 Fraud``, ``HS 2``, ``S2``
    for ``SP2`` when only one tier has that number and starts so); None if none."""
    match = re.match(r"([A-Za-z]{1,5})[- ]?(\d{1,3})(?![\w])", raw.strip())
    if not output.tiers or match is None:
        return None
    prefix, number = match.group(1).upper(), int(match.group(2))
    same = [tier for tier in output.tiers if tier_number(tier) == number]
    exact = [tier for tier in same if re.sub(r"[-\d]", "", tier) == prefix]
    if exact:
        return exact[0]
    started = [tier for tier in same if tier.upper().startswith(prefix)]
    return started[0] if len(started) == 1 else None


def normalize_label(raw: str, output: OutputFormat) -> str | None:
    """The policy label a raw spelling stands for, or None when it is unknown (see table).

    For a tiered policy a tier spelling gives the tier itself (``DC2``), which
    ``OutputFormat.label_of`` maps to its label."""
    value = raw.strip().strip("\"'`*").strip()
    if not value:
        return None
    lowered = value.lower()
    tier = spell_pair(value, output) or spell_tier(value, output)
    if tier is not None:
        return tier
    for label in output.labels:
        if label.lower() == lowered:
            return label
    violating = [label for label in output.labels if output.is_violating(label)]
    benign = [label for label in output.labels if not output.is_violating(label)]
    if output.kind == "labels":
        code = _class_code(lowered)
        matches = [
            label
            for label in output.labels
            if _boundary_prefix(lowered, label.lower())
            or _boundary_prefix(label.lower(), lowered)
            or (code and _class_code(label.lower()) == code)
        ]
        if len(matches) == 1:
            return matches[0]
        if lowered in VIOLATING_WORDS and len(violating) == 1:
            return violating[0]
        if lowered in NON_VIOLATING_WORDS and len(benign) == 1:
            return benign[0]
        return None
    if lowered in VIOLATING_WORDS or _no_zero_code(value) is True:
        return violating[0] if violating else None
    if lowered in NON_VIOLATING_WORDS or _no_zero_code(value) is False:
        return benign[0] if benign else None
    return None
