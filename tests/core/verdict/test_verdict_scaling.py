"""The verdict reader takes time linear in the answer's size, however the answer is shaped:
at 1x, 10x and 100x input, 100x may cost at most 150x the time of the 1x input (against a
floor of a few milliseconds so noise at tiny sizes can't flake).

A model's final answer is usually short, but it can be cut off mid-stream, echo the
content, or be a server's garbage; each shape below once made a reader go back over the
same characters: label words with no answer, tier and rule-code starts, unclosed JSON
objects and fences, escalate flags, two-label fragments and long runs of blanks.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.core.policy import load_policy, parse_policy
from app.core.verdict import parse_verdict
from tests.core.policy.test_policy_scaling import BASE, FLOOR_S

SAMPLES = Path(__file__).parents[2] / "support" / "policies"
UNITS = (
    "VALID or INVALID, it depends ",
    "SP2.a SP3 D-SP2, R- ",
    '{"violation": 1, "policy_category": "SP2.a" ',
    '```json\n{"violation": ',
    "INVALID + ESCALATE + ",
    "  \t  ",
    "Answer: **1** (SP2.a) or 0 ",
)
FORMATS = {
    "tiers": load_policy(SAMPLES / "inbox_spam.txt").output,
    "binary": parse_policy("---\nformat: binary\nlabels: 0, 1\nviolating: 1\n---\nRules.").output,
    "json": parse_policy(
        '---\nformat: json\nlabels: 0, 1\nviolating: 1\n---\nAnswer {"violation": 0 or 1}.'
    ).output,
}


def _seconds(text: str, output) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        parse_verdict(text, output)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("kind", list(FORMATS))
@pytest.mark.parametrize("unit", UNITS, ids=range(len(UNITS)))
def test_reading_an_answer_grows_linearly(kind: str, unit: str) -> None:
    output = FORMATS[kind]
    texts = [(unit * (BASE * k // len(unit) + 1))[: BASE * k] for k in (1, 10, 100)]
    base = max(_seconds(texts[0], output), FLOOR_S)
    ten = _seconds(texts[1], output)
    assert ten <= 15 * base, f"{kind}: 10x the answer took {ten / base:.0f}x the time"
    hundred = _seconds(texts[2], output)
    assert hundred <= 150 * base, f"{kind}: 100x the answer took {hundred / base:.0f}x the time"
