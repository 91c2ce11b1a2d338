"""Loads and files what the analysis views show, off the GUI thread.

``AnalysisController`` wraps the window's :class:`~app.gui.shared.tasks.TaskRunner` (handed
over; the window stops it at shutdown) and the store; the widgets (heat table, triage panel, samples view) talk only to it. Each
``request_*`` returns at once and answers with a signal on the GUI thread:

- ``request_analysis(run_id)`` -> ``analysisReady(RunAnalysis)``
- ``request_evidence(case_id)`` -> ``evidenceReady(Evidence)`` (for the loaded analysis)
- ``request_samples(case_id)`` -> ``samplesReady(case_id, list[StoredResult])``
- ``file_triage(...)`` / ``undo_triage(case_id)`` -> ``triageChanged(case_id)`` (and
  ``goldChanged(case_id, label, undone)`` when the test set's expected label changed), after which
  the analysis is loaded again

Failures arrive as ``requestFailed(message)``, one sentence. Only the newest answer of each
kind is delivered.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.gui.shared.tasks import TaskRunner
from app.runs.stored.analysis import RunAnalysis, case_evidence, case_samples, load_run_analysis
from app.runs.stored.triage_book import file_triage, undo_triage
from app.scoring.stability import UNSTABLE_BELOW
from app.store import Store


class AnalysisController(QObject):
    """Background loading of run analyses, evidence, samples and triage filings."""

    analysisReady = Signal(object)  # RunAnalysis
    evidenceReady = Signal(object)  # Evidence
    samplesReady = Signal(str, list)  # case id, list[StoredResult]
    triageChanged = Signal(str)  # case id
    goldChanged = Signal(str, str, bool)  # case id, the expected label now, by an undo
    requestFailed = Signal(str)

    def __init__(self, store: Store, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.tasks = tasks  # the window's shared runner: it stops it at shutdown
        self.threshold = UNSTABLE_BELOW
        self.analysis: RunAnalysis | None = None
        self.analysisReady.connect(self._keep)

    def _keep(self, analysis: RunAnalysis) -> None:
        self.analysis = analysis

    def _submit(self, kind: str, deliver, fn, *args) -> int:
        """Run fn on the pool; deliver its answer only if no newer request of this kind came."""
        return self.tasks.submit_latest(
            f"analysis/{kind}", fn, *args, on_done=deliver, on_error=self.requestFailed.emit
        )

    def request_analysis(self, run_id: str) -> int:
        return self._submit(
            "analysis", self.analysisReady.emit, load_run_analysis, self.store, run_id,
            self.threshold,
        )  # fmt: skip

    def _need_analysis(self) -> RunAnalysis | None:
        if self.analysis is None:
            self.requestFailed.emit("Run the test set first; there is no run to triage yet.")
        return self.analysis

    def request_evidence(self, case_id: str) -> int | None:
        analysis = self._need_analysis()
        if analysis is None:
            return None
        fn = case_evidence
        return self._submit("evidence", self.evidenceReady.emit, fn, self.store, analysis, case_id)

    def request_samples(self, case_id: str) -> int | None:
        analysis = self._need_analysis()
        if analysis is None:
            return None
        run_id = analysis.run.id
        return self._submit(
            "samples", lambda found: self.samplesReady.emit(case_id, found),
            case_samples, self.store, run_id, case_id,
        )  # fmt: skip

    def _after_triage(self, case_id: str, entry, *, undone: bool) -> None:
        if entry.kind == "gold":  # the test set file changed: the window's copy follows
            label = entry.old_label if undone else entry.new_label
            self.goldChanged.emit(case_id, label or "", undone)
        self.triageChanged.emit(case_id)
        if self.analysis is not None:
            self.request_analysis(self.analysis.run.id)

    def file_triage(
        self, case_id: str, kind: str, *, rule_code: str = "", note: str = "",
        new_label: str | None = None,
    ) -> int | None:  # fmt: skip
        """File a case of the loaded run's test set and policy version under ``kind``."""
        analysis = self._need_analysis()
        if analysis is None:
            return None
        run = analysis.run

        def work():
            return file_triage(
                self.store, run.cases_path, case_id, run.policy_hash, kind,
                rule_code=rule_code, note=note, new_label=new_label,
            )  # fmt: skip

        return self.tasks.submit(
            work, on_done=lambda entry: self._after_triage(case_id, entry, undone=False),
            on_error=self.requestFailed.emit,
        )  # fmt: skip

    def undo_triage(self, case_id: str) -> int | None:
        analysis = self._need_analysis()
        if analysis is None:
            return None
        run = analysis.run
        return self.tasks.submit(
            undo_triage, self.store, run.cases_path, case_id, run.policy_hash,
            on_done=lambda entry: self._after_triage(case_id, entry, undone=True),
            on_error=self.requestFailed.emit,
        )  # fmt: skip

    def wait(self, timeout_ms: int = 10000) -> bool:
        """Block until idle (tests and scripts only)."""
        return self.tasks.wait(timeout_ms)
