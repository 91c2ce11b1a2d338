"""Loads what the metrics panel, history dialog and compare dialog show, off the GUI thread.

``EvaluationController`` wraps the window's :class:`~app.gui.shared.tasks.TaskRunner`
(handed over; the window stops it at shutdown) and the store. Each
``request_*`` method returns at once; the answer arrives as a signal on the GUI thread:

- ``request_run_metrics(run_id)`` -> ``runMetricsReady(RunMetrics)``
- ``request_results_metrics(results, output)`` -> ``metricsReady(Metrics)``
- ``request_history(path)`` -> ``historyReady(list[VersionSummary])``
- ``request_runs()`` -> ``runsReady(list[RunFacts])`` (the runs *Compare runs* offers)
- ``request_compare(run_a, run_b)`` -> ``comparisonReady(RunComparison)`` (its flip
  report is :meth:`FlipReport.of <app.scoring.flips.FlipReport.of>` that comparison)
- ``backup_store()``: the daily copy of the database, nothing to show unless it fails

Any failure arrives as ``requestFailed(message)``, and as ``failedOf(kind, message)`` with
the kind of request that failed ("run", "metrics", "history", "runs", "compare", "backup"),
so a view shows only the failures of its own requests. Only the newest answer of each kind is
delivered, so a quick series of requests (a run streaming in) never shows a stale result.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.core.policy import OutputFormat
from app.gui.evaluation.data import listed_runs, load_run_metrics, version_history
from app.gui.shared.tasks import TaskRunner
from app.runs.stored.history import compare_stored_runs
from app.scoring.metrics import run_metrics
from app.store import Store
from app.store.backup import backup_folder, backup_if_due


class EvaluationController(QObject):
    """Background loading of metrics, version history and comparisons of two runs."""

    runMetricsReady = Signal(object)  # RunMetrics
    metricsReady = Signal(object)  # Metrics
    historyReady = Signal(list)  # list[VersionSummary]
    runsReady = Signal(list)  # list[RunFacts]
    comparisonReady = Signal(object)  # RunComparison
    requestFailed = Signal(str)
    failedOf = Signal(str, str)  # kind of request, message

    def __init__(self, store: Store, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.tasks = tasks  # the window's: it stops it at shutdown

    def _submit(self, kind: str, signal, fn, *args) -> int:
        """Run fn on the pool; deliver its answer only if no newer request of this kind came."""
        return self.tasks.submit_latest(
            kind, fn, *args, on_done=signal.emit, on_error=lambda m: self._fail(kind, m)
        )

    def _fail(self, kind: str, message: str) -> None:
        self.failedOf.emit(kind, message)
        self.requestFailed.emit(message)

    def request_run_metrics(self, run_id: str) -> int:
        return self._submit("run", self.runMetricsReady, load_run_metrics, self.store, run_id)

    def request_results_metrics(self, results: list, output: OutputFormat) -> int:
        """Metrics of stored results already in hand (e.g. a run's ``casesStored``)."""
        return self._submit("metrics", self.metricsReady, run_metrics, list(results), output)

    def request_history(self, path: str | None = None) -> int:
        return self._submit("history", self.historyReady, version_history, self.store, path)

    def request_runs(self) -> int:
        return self._submit("runs", self.runsReady, listed_runs, self.store)

    def request_compare(self, run_a: str, run_b: str) -> int:
        fn = compare_stored_runs
        return self._submit("compare", self.comparisonReady, fn, self.store, run_a, run_b)

    def backup_store(self) -> int:
        """The daily copy of the database (:mod:`app.store.backup`), on the pool; a
        failure is reported, the app goes on."""
        folder = backup_folder(self.store.path)

        def failed(message: str) -> None:
            self._fail(
                "backup",
                f"The daily copy of the results database failed ({message}); check the free "
                f"space and permissions of {folder}.",
            )

        return self.tasks.submit(backup_if_due, self.store.path, on_error=failed)

    def wait(self, timeout_ms: int = 10000) -> bool:
        """Block until idle (tests and scripts only)."""
        return self.tasks.wait(timeout_ms)
