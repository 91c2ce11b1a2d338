"""Differential properties of "right": every view that counts right and wrong agrees with
Metrics, over random stored runs mixing labels, tiers, two-label pairs, escalations,
no-verdicts and errors (real Store rows in a temporary SQLite file; answers read by the
real verdict parser).

- accuracy(B) − accuracy(A) = (right only in B − right only in A) / scored (*Compare runs*);
- the flip report's fixed − broken are those same counts;
- the rule heat map's "on wrong" cases are exactly the cases Metrics counts wrong;
- the ``correct`` column of a run's exported CSV marks right exactly the cases Metrics counts
  right, and wrong exactly those it counts wrong.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from app.core.policy import parse_policy
from app.core.records import StoredResult
from app.core.verdict import VerdictStatus, parse_verdict
from app.reports.formats import results_csv
from app.runs.stored.history import compare_stored_runs, flip_report
from app.scoring.metrics import run_metrics
from app.scoring.rule_heat import rule_heat
from app.store import Store

TIERED = """---
format: labels
labels: VALID, INVALID
violating: INVALID
tiers: SP0, SP2, SP3, SP4
two_labels: yes
---
# Spam tiers

## SP0 - Allowed
- SP0.a: ordinary questions
## SP2 - Low harm
- SP2.a: unsolicited promotion
## SP3 - High harm
- SP3.a: phishing
## SP4 - Malicious
- SP4.a: malware links
"""
BINARY = """---
format: binary
---
# Plain spam

- SP1.a: bulk promotion
- SP1.b: phishing
"""
EXPECTED = {
    TIERED: ["VALID", "INVALID", "SP0", "SP2", "SP3", "SP4", "D-SP2, R-SP0", "D-SP0, R-SP3",
             "INVALID + ESCALATE", "SP4 + ESCALATE", "", "stale"],
    BINARY: ["0", "1", "", "2"],
}  # fmt: skip
ANSWERS = {
    TIERED: ["VALID", "INVALID", "SP0", "SP2", "SP3", "SP4", "INVALID (SP3.a)", "SP2.a",
             "D-SP2, R-SP0", "D-SP3, R-SP3", "D-SP0, R-SP2", "INVALID + ESCALATE",
             "SP4 + ESCALATE", "VALID or INVALID", "", None],
    BINARY: ["0", "1", "1 (SP1.a)", "0 or 1", "", None],
}  # fmt: skip
REASONING = ["", "SP2.a fits.", "Maybe SP3.a or SP0.a.", "SP1.b applies.", "Nothing applies."]


def _answer(policy: str):
    return st.tuples(st.sampled_from(ANSWERS[policy]), st.sampled_from(REASONING))


@st.composite
def paired_runs(draw):
    """A policy, then per case: expected value, tags, and one answer in each of two runs."""
    policy = draw(st.sampled_from([TIERED, BINARY]))
    case = st.tuples(
        st.sampled_from(EXPECTED[policy]),
        st.lists(st.sampled_from(["spam", "hard", "promo"]), max_size=2, unique=True),
        _answer(policy),
        _answer(policy),
    )
    return policy, draw(st.lists(case, min_size=1, max_size=14))


def _result(run_id: str, index: int, expected: str, tags, answer, output) -> StoredResult:
    final, analysis = answer
    if final is None:  # the engine failed
        status, verdict = "error", None
    else:
        verdict = parse_verdict(final, output)
        status = verdict.status.value
    ok = verdict is not None and verdict.status is VerdictStatus.OK
    return StoredResult(
        run_id=run_id, case_id=f"c{index}", cache_key=f"{run_id}-{index}", status=status,
        expected=expected, label=verdict.label if ok else None,
        violates=verdict.violates if ok else None,
        rule_codes=list(verdict.rule_codes) if verdict else [], analysis=analysis,
        final=final or "", tags=list(tags), tier=verdict.tier if ok else None,
        escalate=bool(verdict and verdict.escalate), depiction=verdict.depiction if ok else None,
        request=verdict.request if ok else None, message="" if ok else "no label",
    )  # fmt: skip


def _store_runs(store: Store, policy: str, cases) -> tuple[str, str]:
    output = parse_policy(policy).output
    digest = store.add_policy_version(policy)
    runs = []
    for side in (2, 3):
        run = store.create_run(digest, model="m.gguf", cases_path="/tmp/set.jsonl")
        store.add_results(
            [_result(run, i, c[0], c[1], c[side], output) for i, c in enumerate(cases)]
        )
        store.set_run_status(run, "finished")
        runs.append(run)
    return runs[0], runs[1]


def _with_runs(check):
    @given(paired_runs())
    def test(drawn) -> None:
        policy, cases = drawn
        with tempfile.TemporaryDirectory() as folder:
            store = Store(Path(folder) / "results.db")
            try:
                a, b = _store_runs(store, policy, cases)
                check(store, parse_policy(policy), a, b)
            finally:
                store.close()

    return test


def _accuracy_identity(store: Store, policy, a: str, b: str) -> None:
    cmp = compare_stored_runs(store, a, b)
    scored = cmp.metrics_a.scored
    assert scored == cmp.metrics_b.scored
    if scored == 0:
        assert cmp.a_only_right == cmp.b_only_right == 0
        return
    delta = cmp.metrics_b.accuracy - cmp.metrics_a.accuracy
    assert abs(delta * scored - (cmp.b_only_right - cmp.a_only_right)) < 1e-9


def _flip_identity(store: Store, policy, a: str, b: str) -> None:
    report = flip_report(store, a, b)
    cmp = compare_stored_runs(store, a, b)
    assert len(report.fixed) == cmp.b_only_right
    assert len(report.broken) == cmp.a_only_right
    if report.metrics_after.scored:
        delta = report.deltas["accuracy"]
        counted = (len(report.fixed) - len(report.broken)) / report.metrics_after.scored
        assert abs(delta - counted) < 1e-9


def _heat_on_wrong(store: Store, policy, a: str, b: str) -> None:
    for run in (a, b):
        results = store.results(run)
        wrong = set(run_metrics(results, policy.output).wrong_cases)
        for heat in rule_heat(policy, results):
            assert set(heat.wrong_ids) == set(heat.case_ids) & wrong, heat.code
            assert heat.wrong == len(heat.wrong_ids)


def _csv_correct_column(store: Store, policy, a: str, b: str) -> None:
    for run in (a, b):
        results = store.results(run)
        shown = run_metrics(results, policy.output)
        text = results_csv(results, policy.output)
        marks = [row["correct"] for row in csv.DictReader(io.StringIO(text, newline=""))]
        assert marks.count("0") == len(shown.wrong_cases)  # the CSV's "correct" column
        assert marks.count("1") == shown.scored - len(shown.wrong_cases)


test_accuracy_difference_is_right_only_counts_over_scored = _with_runs(_accuracy_identity)
test_flip_report_fixed_and_broken_are_the_compare_counts = _with_runs(_flip_identity)
test_heat_map_on_wrong_is_what_metrics_counts_wrong = _with_runs(_heat_on_wrong)
test_the_exported_csv_marks_right_what_metrics_counts_right = _with_runs(_csv_correct_column)
