"""Stability, rule heat map, contradiction detection, McNemar and held-out split on scripted data."""

from __future__ import annotations

from math import comb

import pytest

from app.core.cases import TestCase
from app.core.policy import OutputFormat, parse_policy
from app.core.records import StoredResult
from app.scoring.holdout import held_out_flips, is_held_out, split_cases
from app.scoring.metrics import Outcome
from app.scoring.outcome import is_right
from app.scoring.rule_heat import ranked, rule_heat
from app.scoring.run_compare import compare_runs
from app.scoring.stability import (
    bootstrap_intervals,
    case_stability,
    sample_seeds,
    stabilities,
)
from app.scoring.stats import mcnemar_exact
from app.scoring.triage import contradicts, reasoning_conclusion, rule_matches

BINARY = OutputFormat()
POLICY = parse_policy(
    "---\nformat: binary\n---\n# Spam\n\n## Criteria\n- SP1 Bulk ads.\n- SP2 Scams.\n"
    "- SP2.a Fake prizes.\n- SP2.c Links to unknown shops.\n- SP3 Phishing.\n"
)


def _r(case_id, expected, label, *, codes=(), analysis="", status="ok", run="r", **kw):
    return StoredResult(
        run, case_id, f"k-{case_id}", status, expected, label if status == "ok" else None,
        rule_codes=list(codes), analysis=analysis, **kw,
    )  # fmt: skip


def test_seeds_and_majority_with_earliest_tie():
    assert sample_seeds(1234, 3) == [1234, 1235, 1236]
    s = case_stability("a", ["1", "0", "1", "1", "0"])
    assert (s.majority, s.agreement, s.unstable, s.majority_sample) == ("1", 0.6, True, 0)
    assert s.votes == "1 ×3, 0 ×2"
    tie = case_stability("b", ["0", "1"])
    assert tie.majority == "0" and tie.agreement == 0.5
    assert not case_stability("c", ["1", "1", "1", "1", "0"]).unstable  # 0.8 is stable
    assert case_stability("c", ["1"] * 4 + ["0"], threshold=0.9).unstable
    with pytest.raises(ValueError, match="no samples"):
        case_stability("d", [])


def test_no_verdict_votes():
    samples = [
        [_r("a", "1", "1", run="s0"), _r("b", "0", None, status="no_verdict", run="s0")],
        [_r("a", "1", "0", run="s1"), _r("b", "0", "0", run="s1")],
        [_r("a", "1", "0", run="s2"), _r("b", "0", None, status="no_verdict", run="s2")],
    ]
    table = stabilities(samples)
    assert table["a"].majority == "0" and table["a"].majority_sample == 1
    assert table["b"].majority == "<no verdict>" and table["b"].agreement == pytest.approx(2 / 3)
    assert stabilities(samples[:1])["a"].agreement == 1.0


def test_bootstrap_interval_is_seeded_and_brackets_the_point():
    outcomes = [Outcome(str(i), "1" if i % 2 else "0", "ok", "1" if i % 3 else "0")
                for i in range(40)]  # fmt: skip
    acc, f1 = bootstrap_intervals(outcomes, BINARY, rounds=300, seed=7)
    assert (acc, f1) == bootstrap_intervals(outcomes, BINARY, rounds=300, seed=7)
    point = sum(is_right(o, BINARY) for o in outcomes) / 40
    assert acc.low <= point <= acc.high and acc.low < acc.high
    assert 0 <= f1.low <= f1.high <= 1
    none = bootstrap_intervals([], BINARY)
    assert none[0].text() == "n/a"


def test_heat_map_counts_and_hints():
    results = [
        _r("1", "0", "1", codes=["SP2.c"], analysis="Looks like SP2.c, maybe SP1."),
        _r("2", "0", "1", codes=["SP2.c"]),
        _r("3", "0", "1", codes=["SP2.c"]),
        _r("4", "1", "1", codes=["SP2.c"], analysis="SP2.c applies."),
        _r("5", "1", "1", codes=["SP2.a"], analysis="A fake prize: SP2.a."),
        _r("6", "1", "0", analysis="Not SP2.a since no prize."),
    ]
    heats = {h.code: h for h in rule_heat(POLICY, results)}
    c = heats["SP2.c"]
    assert (c.answer, c.reasoning, c.false_positives, c.wrong) == (4, 2, 3, 3)
    assert c.precision == 0.25 and c.mostly_false_positives
    assert c.hint(6) == "SP2.c was cited on 3 false positives: its wording may be too broad."
    a = heats["SP2.a"]
    assert (a.answer, a.reasoning, a.precision, a.wrong) == (1, 2, 1.0, 1)
    assert heats["SP1"].answer == 0 and heats["SP1"].reasoning == 1
    assert heats["SP3"].never and heats["SP3"].hint(6).startswith("SP3 was never cited in 6")
    assert heats["SP2"].answer == 0 and not heats["SP2"].never  # reached through SP2.a
    assert heats["SP2"].sub_rules_cited == 6
    order = [h.code for h in ranked(list(heats.values()))]
    assert order[:2] == ["SP2.c", "SP3"]
    assert heats["SP2.a"].case_ids == ["5", "6"]


@pytest.mark.parametrize(
    ("analysis", "expected"),
    [
        ("The user offers a prize. This violates SP2.a. So the answer is 1.", True),
        ("It mentions a shop. It does not violate the policy.", False),
        ("Nothing here is prohibited; it is allowed.", False),
        ("There is a link. The link is a scam, which violates SP2.", True),
        ("Let me think about the content.", None),
        ("", None),
    ],
)
def test_reasoning_conclusion(analysis, expected):
    assert reasoning_conclusion(analysis, BINARY) is expected


def test_contradiction_and_rule_match():
    wrong = _r("x", "1", "0", analysis="This is a scam. It violates SP2.a.", codes=[],
               tags=["SP2.a"])  # fmt: skip
    assert contradicts(wrong, BINARY) is True and rule_matches(wrong) is False
    agree = _r("y", "1", "1", codes=["SP2"], analysis="Answer: 1", tags=["SP2.a", "promo"])
    assert contradicts(agree, BINARY) is False and rule_matches(agree) is True
    assert rule_matches(_r("z", "1", "1", tags=["promo"])) is None
    assert contradicts(_r("n", "1", None, status="no_verdict"), BINARY) is None
    labels = OutputFormat("labels", ("VALID", "INVALID"), ("INVALID",))
    valid = _r("v", "INVALID", "VALID", analysis="Hence the output is INVALID.")
    assert contradicts(valid, labels) is True


def test_mcnemar_against_a_hand_computed_table():
    # A right & B wrong: 2; A wrong & B right: 9. p = 2 * sum_{i<=2} C(11,i) / 2^11
    assert mcnemar_exact(2, 9) == pytest.approx(2 * (1 + 11 + 55) / 2048)  # 0.06543
    assert mcnemar_exact(2, 9) == pytest.approx(0.0654296875)
    assert mcnemar_exact(0, 0) == 1.0 and mcnemar_exact(5, 5) == 1.0
    assert mcnemar_exact(0, 10) == pytest.approx(2 / 1024)
    assert mcnemar_exact(3, 4) == pytest.approx(min(1, 2 * sum(comb(7, i) for i in range(4)) / 128))


def test_compare_runs_matrix_costs_and_disagreements():
    a = [
        _r("1", "1", "1", prompt_tokens=100, generated_tokens=20, prompt_ms=500, generate_ms=500),
        _r("2", "0", "1", prompt_tokens=100, generated_tokens=40, prompt_ms=500, generate_ms=1500),
        _r("3", "0", "0"),
        _r("4", "1", None, status="no_verdict"),
        _r("only-a", "1", "1"),
    ]
    b = [_r("1", "1", "1", run="b"), _r("2", "0", "0", run="b", analysis="fine"),
         _r("3", "0", "0", run="b"), _r("4", "1", "1", run="b")]  # fmt: skip
    cmp = compare_runs(a, b, BINARY, run_a="A", run_b="B")
    assert cmp.cases == 4 and cmp.only_a == ["only-a"] and cmp.only_b == []
    assert (
        cmp.cell("1", "1") == 1 and cmp.cell("1", "0") == 1 and cmp.cell("<no verdict>", "1") == 1
    )
    assert (cmp.a_only_right, cmp.b_only_right) == (0, 2)
    assert cmp.mcnemar_p == pytest.approx(0.5)
    assert [d.case_id for d in cmp.disagreements] == ["2", "4"]
    assert cmp.metrics_a.accuracy == 0.5 and cmp.metrics_b.accuracy == 1.0
    assert cmp.delta("accuracy") == 0.5
    data = cmp.to_dict()
    assert (
        data["mcnemar_p"] == cmp.mcnemar_p and data["disagreements"][0]["b"]["analysis"] == "fine"
    )
    assert cmp.cost_a.tokens_per_case == pytest.approx(260 / 5)
    assert cmp.cost_a.seconds_per_case == pytest.approx(3.0 / 5)


def test_held_out_split_is_stable_and_near_the_share():
    cases = [TestCase(f"case-{i}", "x") for i in range(400)]
    seen, held = split_cases(cases)
    assert 0.24 < len(held) / 400 < 0.36
    assert split_cases(list(reversed(cases)))[1] == list(reversed(held))  # order-free
    assert [c.id for c in split_cases(cases[:50])[1]] == [c.id for c in held if c in cases[:50]]
    assert {c.id for c in held} == {c.id for c in cases if is_held_out(c.id)}
    assert not set(c.id for c in seen) & set(c.id for c in held)
    # pinned: the split never changes between versions of the app or between machines
    assert [c.id for c in held if int(c.id[5:]) < 20] == [
        "case-0",
        "case-1",
        "case-3",
        "case-14",
        "case-16",
    ]


def test_held_out_flips_see_only_held_cases():
    ids = [f"c{i}" for i in range(30)]
    before = [_r(cid, "1", "0", run="A") for cid in ids]
    after = [_r(cid, "1", "1", run="B") for cid in ids]
    report = held_out_flips(before, after, BINARY)
    assert {f.case_id for f in report.fixed} == {cid for cid in ids if is_held_out(cid)}
    assert report.fixed and len(report.fixed) < 30
