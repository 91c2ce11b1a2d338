"""Every reader of policy text takes time linear in its size, however long one line is:
format reading, rule codes, headings (the outline) and lint, at 1x, 10x and 100x input.

A 2 MB one-line policy once hung ``policy check`` (a lazy scan from every verb). Each
reader is timed on one-line texts built from shapes that made a regex go back over the
same characters: runs of blanks, unclosed quotes and parentheses, verbs with no 0/1 after
them, tier-line and rule-code starts. 100x the input may cost at most 150x the time of the
1x input, measured against a floor of a few milliseconds so noise at tiny sizes can't flake.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from app.core.policy import find_rule_codes, headings, lint_policy, parse_policy

UNITS = (
    "Return the answer as you see fit and output the label as the writer wants ",
    "  \t ",
    '“unclosed "quote `tick (paren ',
    "as VALID (no spam ",
    "✅ Allowed (SP2 –  ",
    "SP0.a Rule – “x” ",
    "# ** | example 0 or ",
)
READERS: dict[str, Callable[[str], object]] = {
    "format": parse_policy,
    "lint": lint_policy,
    "rule codes": find_rule_codes,
    "headings": headings,
}
BASE = 2_000  # characters at 1x
FLOOR_S = 0.005


def _seconds(reader: Callable[[str], object], text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        reader(text)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("name", list(READERS))
@pytest.mark.parametrize("unit", UNITS, ids=range(len(UNITS)))
def test_reading_time_grows_linearly(name: str, unit: str) -> None:
    reader = READERS[name]
    texts = [(unit * (BASE * k // len(unit) + 1))[: BASE * k] for k in (1, 10, 100)]
    base = max(_seconds(reader, texts[0]), FLOOR_S)
    ten = _seconds(reader, texts[1])
    assert ten <= 15 * base, f"{name}: 10x the input took {ten / base:.0f}x the time"
    hundred = _seconds(reader, texts[2])
    assert hundred <= 150 * base, f"{name}: 100x the input took {hundred / base:.0f}x the time"
