"""What is read from stored runs: the one loader of a stored run, the comparison of two
stored runs (and its flip report), the figures of a run's reviews, a case's results under
each policy version. The store-reading side of :mod:`app.scoring.run_compare`,
:mod:`app.scoring.flips`, :mod:`app.scoring.review_agreement` and :mod:`app.scoring.triage`,
which compute over records.

:func:`stored_run` is the one way a stored run is read back: its record, the policy it used
(its version's text under the output format it ran with, :mod:`app.runs.stored.policy`) and
its results. The window's metrics and history, the analysis views, reports, reviews, review
files, robustness reports and ``compare`` all start from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.policy import OutputFormat, Policy
from app.core.records import PolicyVersion, RunRecord, StoredResult
from app.runs.stored.policy import version_policy
from app.scoring.flips import FlipReport
from app.scoring.outcome import is_right, prediction
from app.scoring.review_agreement import ReviewAgreement, review_agreement
from app.scoring.run_compare import RunComparison, compare_runs
from app.scoring.triage import VersionResult
from app.store import Store
from app.store.reviews import run_reviews


@dataclass(frozen=True)
class StoredRun:
    """A stored run as every view reads it."""

    run: RunRecord
    policy: Policy  # the version's text under the format the run used
    results: list[StoredResult]  # in the order they were stored ([] when not asked for)
    version: PolicyVersion | None  # None when the policy text is gone from the store

    @property
    def output(self) -> OutputFormat:
        return self.policy.output

    @property
    def policy_text(self) -> str:
        """The version's text exactly as stored ("" when it is gone)."""
        return self.version.text if self.version else ""


def stored_run(store: Store, run: RunRecord | str, *, with_results: bool = True) -> StoredRun:
    """Read a stored run, its policy and its results (none read with ``with_results=False``,
    for a caller that needs only the policy); ValueError (one sentence) for an unknown run."""
    record = store.get_run(run) if isinstance(run, str) else run
    if record is None:
        raise ValueError(f"There is no run {run}; pick one from the run history.")
    version = store.policy_version(record.policy_hash)
    policy = version_policy(store, record, version)
    results = store.results(record.id) if with_results else []
    return StoredRun(record, policy, results, version)


def compare_stored(a: StoredRun, b: StoredRun) -> RunComparison:
    """The comparison of two loaded runs (A the earlier where one is)."""
    return compare_runs(a.results, b.results, a.output, b.output, run_a=a.run.id, run_b=b.run.id)


def compare_stored_runs(store: Store, run_a: str, run_b: str) -> RunComparison:
    """Compare two stored runs; ValueError with one sentence for an unknown run."""
    return compare_stored(stored_run(store, run_a), stored_run(store, run_b))


def flip_report(store: Store, run_before: str, run_after: str) -> FlipReport:
    """The flip report between two stored runs, older first: a view of their comparison."""
    return FlipReport.of(compare_stored_runs(store, run_before, run_after))


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
        known[run_id] = stored_run(store, run_id, with_results=False).output
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
