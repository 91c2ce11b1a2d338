"""One notion of right across every view: metrics, tier metrics, the flip report, run
comparison, the rule heat map and triage evidence judge each case as
:func:`app.scoring.outcome.judge` does, on two runs of real policy shapes.

Two policies as they are published: the deceptive-claims policy (``DC0``–``DC3`` tiers in
front matter over the ROOST-style headings of ``pack_policy.md``) and the spam policy with
two labels (``spam_tiers.txt``: ``D-SP2, R-SP0`` answers, ``SP4 + ESCALATE``), the latter
scored on either part (``score_on``). Each case is answered once in run A and once in run B.
The table below says what ``judge`` must answer for each (so the scenario covers right,
wrong and unscored in the shapes the issue names); every view is then held to ``judge``
case by case, and the views' counts to each other.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.policy import Policy, parse_policy
from app.core.records import StoredResult
from app.core.verdict import parse_verdict
from app.scoring.flips import FlipReport
from app.scoring.metrics import compute_metrics
from app.scoring.outcome import Judgement, expectation, judge, outcome_of
from app.scoring.rule_heat import rule_heat
from app.scoring.run_compare import compare_runs
from app.scoring.triage import gather_evidence

POLICIES = Path(__file__).resolve().parents[1] / "support" / "policies"
R, W, U = Judgement.RIGHT, Judgement.WRONG, Judgement.UNSCORED
NO_VERDICT = None  # an answer the parser found no verdict in


def _policy(name: str, front: str) -> Policy:
    head = "---\nformat: labels\nlabels: VALID, INVALID\nviolating: INVALID\n" + front + "---\n"
    return parse_policy(head + (POLICIES / name).read_text(encoding="utf-8"))


DECEPTIVE = _policy("pack_policy.md", "tiers: DC0, DC1, DC2, DC3\n")
SPAM = _policy("spam_tiers.txt", "tiers: SP0, SP2, SP3, SP4\ntwo_labels: yes\n")
SPAM_REQUEST = _policy(
    "spam_tiers.txt", "tiers: SP0, SP2, SP3, SP4\ntwo_labels: yes\nscore_on: request\n"
)

# (case, expected, answer in A, judge A, answer in B, judge B)
DECEPTIVE_CASES = [
    ("tier-same", "DC2", "INVALID (DC2)", R, "DC2", R),
    ("tier-other", "DC2", "INVALID (DC2)", R, "INVALID (DC3)", W),  # same label, other tier
    ("tier-fixed", "DC2", "DC1", W, "DC2", R),
    ("tier-label-only", "DC2", "INVALID", W, "DC2", R),  # the label names no tier
    ("plain", "INVALID", "INVALID", R, "DC3", R),  # a tier carries its label
    ("plain-broken", "VALID", "VALID", R, "INVALID", W),
    ("escalate-kept", "INVALID + ESCALATE", "INVALID", W, "INVALID + ESCALATE", R),
    ("escalate-lost", "DC3 + ESCALATE", "DC3 + ESCALATE", R, "DC3", W),
    ("escalate-extra", "INVALID", "INVALID + ESCALATE", R, "INVALID", R),
    ("no-verdict", "DC1", NO_VERDICT, W, "DC1", R),
    ("no-verdict-both", "DC3", "DC1", W, NO_VERDICT, W),  # wrong both times, new answer
    ("unscored", "", "INVALID (DC2)", U, "VALID", U),
    ("unscored-stale", "HS2", "DC2", U, "INVALID", U),  # not a label or tier here
]
SPAM_CASES = [  # scored on the depiction
    ("pair-scored-part", "D-SP2, R-SP0", "D-SP2, R-SP3", R, "D-SP3, R-SP0", W),
    ("pair-fixed", "D-SP2, R-SP0", "D-SP4, R-SP0", W, "D-SP2, R-SP0", R),
    ("pair-one-tier", "D-SP2, R-SP0", "SP2", R, "SP2", R),  # one tier: the scored part
    ("tier", "SP3", "INVALID (SP3)", R, "SP4", W),
    ("escalate", "SP4 + ESCALATE", "SP4", W, "SP4 + ESCALATE", R),
    ("escalate-plain", "SP4", "SP4 + ESCALATE", R, "SP4", R),
    ("plain", "VALID", "VALID", R, "INVALID", W),
    ("no-verdict", "D-SP2, R-SP0", NO_VERDICT, W, "D-SP2, R-SP2", R),
    ("unscored", "", "D-SP2, R-SP0", U, NO_VERDICT, U),
]
_ON_REQUEST = {  # what changes when the request is scored
    "pair-scored-part": (W, R), "pair-one-tier": (W, W), "pair-fixed": (R, R),
    "no-verdict": (W, W),
}  # fmt: skip
SPAM_REQUEST_CASES = [  # the same answers scored on the request
    (c, e, a, _ON_REQUEST.get(c, (ja, jb))[0], b, _ON_REQUEST.get(c, (ja, jb))[1])
    for c, e, a, ja, b, jb in SPAM_CASES
]
SCENARIOS = {
    "deceptive-tiers": (DECEPTIVE, DECEPTIVE_CASES),
    "spam-two-labels": (SPAM, SPAM_CASES),
    "spam-scored-on-request": (SPAM_REQUEST, SPAM_REQUEST_CASES),
}


def _result(policy: Policy, run: str, case: str, expected: str, answer: str | None):
    tags = ["everything"]
    if answer is None:  # the model's text held no verdict; its reasoning cites a rule
        return StoredResult(run, case, f"{run}-{case}", "no_verdict", expected=expected,
                            tags=tags, analysis=f"{policy.rule_codes[1].code} may apply")  # fmt: skip
    v = parse_verdict(answer, policy.output)
    assert v.status.value == "ok", answer
    return StoredResult(
        run, case, f"{run}-{case}", "ok", expected=expected, label=v.label,
        violates=v.violates, rule_codes=v.rule_codes, tier=v.tier, escalate=v.escalate,
        depiction=v.depiction, request=v.request, tags=tags, final=answer,
        analysis=f"{policy.rule_codes[1].code} may apply; answer {answer}",
    )  # fmt: skip


def _runs(policy: Policy, cases: list) -> tuple[list[StoredResult], list[StoredResult]]:
    a = [_result(policy, "A", c, e, x) for c, e, x, _, _, _ in cases]
    b = [_result(policy, "B", c, e, y) for c, e, _, _, y, _ in cases]
    return a, b


def _judged(results: list[StoredResult], policy: Policy) -> dict[str, Judgement]:
    return {r.case_id: judge(r, policy.output) for r in results}


def _ids(judged: dict[str, Judgement], *kinds: Judgement) -> list[str]:
    return [cid for cid, j in judged.items() if j in kinds]


@pytest.fixture(params=sorted(SCENARIOS))
def scenario(request) -> tuple[Policy, list, list[StoredResult], list[StoredResult]]:
    policy, cases = SCENARIOS[request.param]
    return (policy, cases, *_runs(policy, cases))


def test_the_table_is_what_outcome_says(scenario) -> None:
    """The reference itself: each case is judged as the table (and the module notes) say."""
    policy, cases, a, b = scenario
    assert _judged(a, policy) == {c: ja for c, _, _, ja, _, _ in cases}
    assert _judged(b, policy) == {c: jb for c, _, _, _, _, jb in cases}
    assert {R, W, U} <= {j for *_, ja, _, jb in cases for j in (ja, jb)}


def test_metrics_count_what_outcome_judges(scenario) -> None:
    policy, _, a, b = scenario
    for results in (a, b):
        judged = _judged(results, policy)
        metrics = compute_metrics([outcome_of(r) for r in results], policy.output)
        right, wrong = _ids(judged, R), _ids(judged, W)
        assert metrics.wrong_cases == wrong
        assert (metrics.scored, metrics.unscored) == (len(right) + len(wrong), len(_ids(judged, U)))
        assert metrics.accuracy == len(right) / metrics.scored
        (tag,) = metrics.tags  # every case carries the tag; unscored ones are left out
        assert (tag.cases, tag.agree) == (metrics.scored, len(right))


def test_tier_metrics_exact_is_right_on_every_case_expecting_a_tier(scenario) -> None:
    """A case expecting a tier (or a pair, through its scored part) is exact in the tier
    matrix exactly when it is right; escalations are judged outside the tier matrix."""
    policy, _, a, b = scenario
    output = policy.output
    for results in (a, b):
        judged = _judged(results, policy)
        tiers = compute_metrics([outcome_of(r) for r in results], output).tiers
        assert tiers is not None
        exact = [cid for t in output.tiers for cid in tiers.confusion.case_ids.get((t, t), [])]
        wants = {r.case_id: expectation(r.expected, output) for r in results}
        plain_tiered = [c for c, w in wants.items() if w.on_tier and not w.escalate]
        assert plain_tiered, "the scenario has cases expecting a tier"
        assert sorted(c for c in exact if c in plain_tiered) == sorted(
            c for c in plain_tiered if judged[c] is R
        )
        assert tiers.exact == len(exact)  # the count is the diagonal
        assert tiers.scored == sum(w.on_tier for w in wants.values())


def test_flips_and_comparison_pair_the_same_judgements(scenario) -> None:
    policy, _, a, b = scenario
    ja, jb = _judged(a, policy), _judged(b, policy)
    cmp = compare_runs(a, b, policy.output)
    assert {p.case_id: (p.judged_a, p.judged_b) for p in cmp.pairs} == {
        c: (ja[c], jb[c]) for c in jb
    }
    broken = [c for c in jb if ja[c] is R and jb[c] is not R]
    fixed = [c for c in jb if ja[c] is not R and jb[c] is R]
    report = FlipReport.of(cmp)
    assert [f.case_id for f in report.broken] == broken
    assert [f.case_id for f in report.fixed] == fixed
    changed = [f.case_id for f in report.changed]
    assert all(ja[c] is not R and jb[c] is not R for c in changed)
    assert "no-verdict-both" in changed or policy is not DECEPTIVE
    assert (cmp.a_only_right, cmp.b_only_right) == (len(broken), len(fixed))
    scored = len(_ids(jb, R, W))
    assert cmp.delta("accuracy") == pytest.approx((len(fixed) - len(broken)) / scored)
    assert report.deltas["accuracy"] == pytest.approx(cmp.delta("accuracy"))


def test_the_heat_map_is_on_the_cases_metrics_count_wrong(scenario) -> None:
    policy, _, a, b = scenario
    for results in (a, b):
        judged = _judged(results, policy)
        heats = rule_heat(policy, results)
        on_wrong = {cid for heat in heats for cid in heat.wrong_ids}
        metrics = compute_metrics([outcome_of(r) for r in results], policy.output)
        assert on_wrong == set(metrics.wrong_cases) == set(_ids(judged, W))
        for heat in heats:
            cited = [r for r in results if heat.code in r.rule_codes and judged[r.case_id] != U]
            assert heat.answer_scored == len(cited)
            assert heat.answer_right == sum(judged[r.case_id] is R for r in cited)


def test_triage_evidence_judges_as_outcome(scenario) -> None:
    """The evidence calls a scored case wrong exactly when outcome does, and its gold fix
    (the answer written as the expected value) is one that outcome judges right."""
    policy, _, a, b = scenario
    for result in a + b:
        judgement = judge(result, policy.output)
        evidence = gather_evidence(result, policy.output)
        if judgement is not U:
            assert evidence.wrong is (judgement is W), result.case_id
        if evidence.gold_fix is not None and judgement is not U:
            assert judge(result, policy.output, expected=evidence.gold_fix) is R, result.case_id
