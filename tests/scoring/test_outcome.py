"""The one definition of right (app.scoring.outcome): tiers, two-label pairs, escalations and
plain labels, and every view that reads it agreeing on one stored tiered run."""

from __future__ import annotations

import pytest

from app.core.policy import parse_policy
from app.core.records import StoredResult
from app.core.verdict import parse_verdict
from app.scoring.flips import compare_results
from app.scoring.metrics import run_metrics
from app.scoring.outcome import Judgement, answer_as_expected, answer_text, judge
from app.scoring.rule_heat import rule_heat
from app.scoring.run_compare import compare_runs
from app.scoring.triage import gather_evidence

SPAM = parse_policy(
    "---\nformat: labels\nlabels: VALID, INVALID\nviolating: INVALID\n"
    "tiers: SP0, SP2, SP3, SP4\ntwo_labels: yes\n---\n# Spam\n\n## SP2 - Low\n- SP2.a: promo\n"
)
OUT = SPAM.output
REQUEST = parse_policy(
    "---\nformat: labels\nlabels: VALID, INVALID\nviolating: INVALID\n"
    "tiers: SP0, SP2, SP3, SP4\ntwo_labels: yes\nscore_on: request\n---\n# Spam\n"
).output


def _v(answer: str | None, output=OUT):
    return parse_verdict(answer, output)


@pytest.mark.parametrize(
    ("expected", "answer", "judgement"),
    [
        ("INVALID", "INVALID", Judgement.RIGHT),  # plain label
        ("INVALID", "SP3", Judgement.RIGHT),  # a tier answer carries its label
        ("VALID", "INVALID", Judgement.WRONG),
        ("SP0", "VALID", Judgement.RIGHT),  # VALID can only be SP0
        ("SP2", "SP2", Judgement.RIGHT),
        ("SP2", "INVALID (SP3)", Judgement.WRONG),  # right label, wrong tier
        ("SP2", "INVALID", Judgement.WRONG),  # the label alone names no tier
        ("D-SP2, R-SP0", "D-SP2, R-SP3", Judgement.RIGHT),  # the scored part (depiction)
        ("D-SP2, R-SP0", "D-SP3, R-SP0", Judgement.WRONG),
        ("D-SP2, R-SP0", "SP2", Judgement.RIGHT),  # one tier stands for the scored part
        ("INVALID + ESCALATE", "INVALID + ESCALATE", Judgement.RIGHT),
        ("INVALID + ESCALATE", "INVALID", Judgement.WRONG),  # the escalation is missing
        ("INVALID", "INVALID + ESCALATE", Judgement.RIGHT),  # an extra escalation is no error
        ("SP4 + ESCALATE", "SP4 + ESCALATE", Judgement.RIGHT),
        ("SP4 + ESCALATE", "SP3 + ESCALATE", Judgement.WRONG),
        ("INVALID", "", Judgement.WRONG),  # no verdict
        ("INVALID", "VALID or INVALID", Judgement.WRONG),  # unparsable
        ("", "INVALID", Judgement.UNSCORED),
        ("spam", "INVALID", Judgement.UNSCORED),  # not a label or tier of this policy
    ],
)
def test_judge(expected: str, answer: str, judgement: Judgement) -> None:
    assert judge(_v(answer), OUT, expected=expected) is judgement


def test_the_part_decides_which_half_of_a_pair_is_compared() -> None:
    verdict = _v("D-SP2, R-SP3", REQUEST)
    assert judge(verdict, REQUEST, expected="D-SP2, R-SP3") is Judgement.RIGHT
    assert judge(verdict, REQUEST, expected="D-SP2, R-SP0") is Judgement.WRONG
    assert judge(verdict, REQUEST, "depiction", expected="D-SP2, R-SP0") is Judgement.RIGHT


def test_an_error_is_wrong_when_scored() -> None:
    error = StoredResult("r", "c", "k", "error", expected="SP2")
    assert judge(error, OUT) is Judgement.WRONG
    assert judge(StoredResult("r", "c", "k", "error", expected=""), OUT) is Judgement.UNSCORED


def test_the_gold_fix_keeps_the_shape_of_the_expected_value() -> None:
    assert answer_as_expected(_v("INVALID (SP3)"), OUT, expected="SP0") == "SP3"
    assert answer_as_expected(_v("VALID"), OUT, expected="DC2") == "VALID"  # not a tier here
    assert answer_as_expected(_v("D-SP3, R-SP0"), OUT, expected="D-SP2, R-SP0") == ("D-SP3, R-SP0")
    assert answer_as_expected(_v("SP4 + ESCALATE"), OUT, expected="SP2 + ESCALATE") == (
        "SP4 + ESCALATE"
    )
    assert answer_as_expected(_v(""), OUT, expected="SP2") is None
    assert answer_text(_v("INVALID (SP3) + ESCALATE")) == "INVALID SP3 ESCALATE"


def _row(run: str, case: str, expected: str, answer: str | None) -> StoredResult:
    if answer is None:
        return StoredResult(run, case, f"{run}{case}", "error", expected=expected)
    v = _v(answer)
    return StoredResult(
        run, case, f"{run}{case}", v.status.value, expected=expected, label=v.label,
        violates=v.violates, rule_codes=v.rule_codes, tier=v.tier, escalate=v.escalate,
        depiction=v.depiction, request=v.request, analysis="SP2.a applies",
    )  # fmt: skip


# (case, expected, answer before, answer after)
CASES = [
    ("tier-broken", "SP0", "VALID", "INVALID (SP2.a)"),
    ("tier-broken-same-label", "SP2", "SP2.a", "SP3"),  # INVALID both times
    ("pair-fixed", "D-SP2, R-SP0", "D-SP3, R-SP0", "D-SP2, R-SP0"),
    ("escalate-fixed", "INVALID + ESCALATE", "INVALID", "INVALID + ESCALATE"),
    ("label-same", "INVALID", "INVALID", "SP2"),  # right both times
    ("error-changed", "SP3", None, "VALID"),  # wrong both times, another answer
]


def test_every_view_agrees_on_a_tiered_run() -> None:
    before = [_row("a", c, e, x) for c, e, x, _ in CASES]
    after = [_row("b", c, e, y) for c, e, _, y in CASES]
    flips = compare_results(before, after, OUT)
    assert {f.case_id: f.kind for f in flips.flips} == {
        "tier-broken": "broken", "tier-broken-same-label": "broken", "pair-fixed": "fixed",
        "escalate-fixed": "fixed", "error-changed": "changed",
    }  # fmt: skip
    cmp = compare_runs(before, after, OUT)
    assert (cmp.a_only_right, cmp.b_only_right) == (2, 2)
    metrics_a, metrics_b = run_metrics(before, OUT), run_metrics(after, OUT)
    assert (metrics_a.accuracy, metrics_b.accuracy) == (3 / 6, 3 / 6)
    assert metrics_b.wrong_cases == ["tier-broken", "tier-broken-same-label", "error-changed"]
    assert metrics_b.tiers is not None and metrics_b.tiers.exact == 1  # the pair's SP2
    heat = next(h for h in rule_heat(SPAM, after) if h.code == "SP2.a")
    assert set(heat.wrong_ids) == set(metrics_b.wrong_cases)
    evidence = gather_evidence(after[0], OUT)
    assert evidence.wrong and evidence.gold_fix == "SP2"  # the tier, not INVALID
