"""What is read from stored runs: the output format a run used, the flip report and the
comparison of two stored runs, the figures of a run's reviews, a case's results under each
policy version. The store-reading side of :mod:`app.scoring.flips`, :mod:`app.scoring.run_compare`,
:mod:`app.scoring.review_agreement` and :mod:`app.scoring.triage`, which compute over records."""

from __future__ import annotations

from app.core.policy import OutputFormat
from app.core.records import StoredResult
from app.runs.stored_policy import run_output
from app.scoring.flips import FlipReport, compare_results, prediction
from app.scoring.outcome import is_right
from app.scoring.review_agreement import ReviewAgreement, review_agreement
from app.scoring.run_compare import RunComparison, compare_runs
from app.scoring.triage import VersionResult
from app.store import Store
from app.store.reviews import run_reviews


def flip_report(store: Store, run_before: str, run_after: str) -> FlipReport:
    """The flip report between two stored runs, older first."""
    return compare_results(
        store.results(run_before),
        store.results(run_after),
        run_output(store, run_before),
        run_output(store, run_after),
        run_before=run_before,
        run_after=run_after,
    )


def compare_stored_runs(store: Store, run_a: str, run_b: str) -> RunComparison:
    """Compare two stored runs; ValueError with one sentence for an unknown run."""
    return compare_runs(
        store.results(run_a), store.results(run_b), run_output(store, run_a),
        run_output(store, run_b), run_a=run_a, run_b=run_b,
    )  # fmt: skip


def stored_run_agreement(
    store: Store, run_id: str, output: OutputFormat, results: list[StoredResult]
) -> ReviewAgreement | None:
    """The figures of a stored run's reviews (the rules each answer cited from ``results``),
    or None when nobody reviewed it: what the review tab, ``review``, ``eval --json`` and the
    reports show."""
    reviews = run_reviews(store, run_id)
    if not reviews:
        return None
    rules = {r.case_id: list(r.rule_codes) for r in results}
    return review_agreement(reviews, output, rules)


def _run_output(store: Store, run_id: str, known: dict[str, OutputFormat]) -> OutputFormat:
    if run_id not in known:
        known[run_id] = run_output(store, run_id)
    return known[run_id]


def case_history(store: Store, case_id: str, cases_path: str) -> list[VersionResult]:
    """The case's newest result under each policy version it ran with, oldest first (right
    or wrong under that version's output format)."""
    outputs: dict[str, OutputFormat] = {}
    newest: dict[str, VersionResult] = {}
    for policy_hash, result in store.case_results(case_id, cases_path):
        newest.pop(policy_hash, None)  # keep insertion order = time of newest run
        newest[policy_hash] = VersionResult(
            policy_hash, result.run_id, result.created, prediction(result), result.expected,
            is_right(result, _run_output(store, result.run_id, outputs)),
        )  # fmt: skip
    return sorted(newest.values(), key=lambda v: v.created)
