"""Which key picks which label in the review queue (Qt-free, so it is tested alone).

The reserved keys are A (accept), S (skip), U (unsure) and N (note). A choice is picked by
the digit it ends with when every choice ends with a different digit (``0``/``1``, tiers
``SP0``/``SP1``/``SP2``), else by its first letter when those differ and none is reserved
(``VALID``/``INVALID``: V, I), else by its position, 1 to 9.
"""

from __future__ import annotations

RESERVED = frozenset("ASUN")


def choice_keys(choices: list[str]) -> dict[str, str]:
    """{key character (upper case): choice} for the queue's choices."""
    last = [c[-1:] for c in choices]
    if all(ch.isdigit() for ch in last) and len(set(last)) == len(choices):
        return dict(zip(last, choices, strict=True))
    first = [c[:1].upper() for c in choices]
    if all(first) and len(set(first)) == len(choices) and not set(first) & RESERVED:
        return dict(zip(first, choices, strict=True))
    return {str(index): choice for index, choice in enumerate(choices[:9], start=1)}


def legend(keys: dict[str, str], blind: bool) -> str:
    """The line under the case that says which key does what."""
    picks = "  ".join(f"[{key}] {choice}" for key, choice in keys.items())
    accept = "" if blind else "[A/Enter] accept  "
    return f"{accept}{picks}  [S] skip  [U] unsure  [N] note  [Backspace] undo"
