"""Qt-free data gathering for the test-set views: version history, run metrics, chart points.

These functions read the :class:`~app.store.Store` and compute metrics; they are what
the :class:`~app.gui.evaluation.controller.EvaluationController` runs on a worker thread, and
they are plain functions so tests and scripts can call them directly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from app.core.policy import OutputFormat
from app.core.records import PolicyVersion, RunRecord, StoredResult
from app.runs.backends.config import model_matches
from app.runs.stored.facts import RunFacts, previous_suite_run, run_facts
from app.runs.stored.history import stored_run
from app.runs.stored.labels import describe_run
from app.scoring.metrics import Metrics, run_metrics
from app.store import Store

CHART_METRICS = ("accuracy", "precision", "recall", "f1")


@dataclass
class VersionSummary:
    """One policy version with its latest run's metrics (None when it was never run)."""

    number: int  # 1-based, oldest first
    version: PolicyVersion
    runs: int = 0
    latest_run: RunRecord | None = None
    metrics: Metrics | None = None

    @property
    def label(self) -> str:
        return f"v{self.number}"

    @property
    def when(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(self.version.created))

    def metric(self, name: str) -> float | None:
        return None if self.metrics is None else self.metrics.value(name)


@dataclass
class RunMetrics:
    """A stored run's results and metrics under its own policy version's output format."""

    run: RunRecord
    results: list[StoredResult]
    metrics: Metrics
    output: OutputFormat
    policy_text: str = ""
    version_label: str = ""  # the run as people read it: "v3 · medium · tiny.gguf · …"
    extra: dict = field(default_factory=dict)
    previous: Metrics | None = None  # the previous run of the same test set, if any


def load_run_metrics(store: Store, run_id: str) -> RunMetrics:
    """Read a run and compute its metrics, and those of the previous run of the same test
    set for the change shown under each tile (worker thread)."""
    loaded = stored_run(store, run_id)
    run, results, output = loaded.run, loaded.results, loaded.output
    metrics = run_metrics(results, output)
    shown = RunMetrics(run, results, metrics, output, loaded.policy_text, describe_run(store, run))
    before = previous_suite_run(store, run)
    if before is not None:
        earlier = stored_run(store, before)
        shown.previous = run_metrics(earlier.results, earlier.output)
    return shown


def _latest_run(runs: list[RunRecord]) -> RunRecord | None:
    finished = [r for r in runs if r.status == "finished"]
    return (finished or runs or [None])[-1]


def version_history(store: Store, path: str | None = None) -> list[VersionSummary]:
    """Every policy version (optionally of one file), oldest first, with the metrics of
    its latest finished run (or latest run of any status when none finished)."""
    summaries = []
    for number, version in enumerate(store.policy_versions(path), start=1):
        runs = store.list_runs(version.hash)
        latest = _latest_run(runs)
        metrics = None
        if latest is not None:
            loaded = stored_run(store, latest)
            metrics = run_metrics(loaded.results, loaded.output)
        summaries.append(VersionSummary(number, version, len(runs), latest, metrics))
    return summaries


def chart_values(summary: VersionSummary) -> dict[str, float | None]:
    return {name: summary.metric(name) for name in CHART_METRICS}


def chart_tooltip(summary: VersionSummary) -> str:
    note = f" · {summary.version.note}" if summary.version.note else ""
    return f"{summary.when}{note}"


def listed_runs(store: Store) -> list[RunFacts]:
    """The runs *Compare runs* offers: test-set runs (samples and single cases are not
    listed), each with what names it."""
    return [run_facts(store, run) for run in store.list_runs()]


@dataclass
class StoredCaseResult:
    """A case's newest stored result and the policy text it was computed under."""

    result: StoredResult
    policy_text: str


def latest_case_results(
    store: Store, cases_path: str, case_ids: list[str], model: str = "", max_runs: int = 50
) -> dict[str, StoredCaseResult]:
    """Each case's newest stored result in the runs of this test set with this model
    (newest runs first, at most ``max_runs``), for showing stored work when a policy opens."""
    wanted = set(case_ids)
    found: dict[str, StoredCaseResult] = {}
    runs = [
        r
        for r in store.list_runs(kind=None)  # Run case results count too
        if r.cases_path == str(cases_path) and model_matches(r.model, model)
    ]
    texts: dict[str, str] = {}
    for run in reversed(runs[-max_runs:]):
        if run.policy_hash not in texts:
            version = store.policy_version(run.policy_hash)
            texts[run.policy_hash] = version.text if version else ""
        for result in store.results(run.id):
            if result.case_id in wanted and result.case_id not in found:
                found[result.case_id] = StoredCaseResult(result, texts[run.policy_hash])
        if len(found) == len(wanted):
            break
    return found
