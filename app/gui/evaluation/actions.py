"""The window's history and metrics actions: metrics after a run, stored results on open,
policy versions, the comparison of two runs, the run report.

``EvaluationActions`` is what the History menu calls, and what keeps the Metrics tab and
the case table in step with the store:

- after a test-set run, the run's metrics (and the policy's version history for the chart)
  load through the ``EvaluationController``, off the GUI thread;
- when a policy opens, the newest stored result of each case (same test set and model) is
  loaded off the GUI thread into the case table, stale where the policy changed since, and
  the Metrics tab shows the last test-set run of that test set (never a single *Run case*
  or a held-out check), with the change since the run before it under each tile;
- Policy versions… (``HistoryDialog``; restore replaces the editor text as one undoable
  edit), Compare runs… (``CompareDialog``: the flip report and the agreement of two runs,
  a flipped case picked selects it in the case table), Export run report… and Export
  results CSV…, both of the run the Metrics tab shows (``shown_run_id``).

It gets what it uses (see :class:`EvaluationContext`), never the window itself. Store
queries never run on the GUI thread: each goes through the evaluation controller's tasks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QSettings, Qt, Slot
from PySide6.QtWidgets import QWidget

from app.core.cases import cases_path_for
from app.gui.evaluation.compare_dialog import CompareDialog
from app.gui.evaluation.controller import EvaluationController
from app.gui.evaluation.data import latest_case_results
from app.gui.evaluation.history_dialog import HistoryDialog
from app.gui.evaluation.metrics_panel import MetricsPanel
from app.gui.evaluation.report_actions import export_results_csv, export_run_report
from app.gui.shared.backend_values import backend_config
from app.gui.shared.ports import PolicyView, StoredCases
from app.runs.backends.config import model_filter
from app.runs.stored.facts import last_suite_run
from app.store import Store


@dataclass
class EvaluationContext:
    """The collaborators of :class:`EvaluationActions`, built once by the window."""

    parent: QWidget  # parents the dialogs
    store: Store
    evaluation: EvaluationController
    settings: QSettings
    metrics_panel: MetricsPanel
    cases: StoredCases  # the case table: stored results, the confusion-cell filter
    policy: PolicyView  # the policy text: History shows it, a restore replaces it
    policy_path: Callable[[], str]
    last_run_id: Callable[[], str]  # the last test-set run of this window, or ''
    show_case: Callable[[str], None]
    show_message: Callable[[str], None]


class EvaluationActions(QObject):
    """Menu actions and store-backed views of one window (see the module notes)."""

    def __init__(self, context: EvaluationContext) -> None:
        super().__init__(context.parent)
        self.context = context
        self.evaluation = context.evaluation
        self.tasks = context.evaluation.tasks
        self.history_dialog: HistoryDialog | None = None
        self.compare_dialog: CompareDialog | None = None
        self._load_token = 0
        self.shown_run_id = ""  # the run the Metrics tab shows: what the exports write
        self.evaluation.historyReady.connect(self._on_history)
        self.evaluation.runMetricsReady.connect(self._on_run_metrics)
        self.evaluation.requestFailed.connect(context.show_message)
        # metrics tab: a confusion cell filters the case table (the chip says which cell)
        metrics, cases = context.metrics_panel, context.cases
        metrics.cellDescribed.connect(cases.describe_case_filter)
        metrics.cellActivated.connect(cases.filter_cases)
        metrics.caseFilterCleared.connect(cases.clear_case_filter)

    # --- paths ----------------------------------------------------------------------
    def policy_path(self) -> str:
        return self.context.policy_path()

    def cases_path(self) -> str:
        path = self.policy_path()
        return str(cases_path_for(path)) if path else ""

    # --- after a suite / on open ----------------------------------------------------
    def run_ended(self, outcome) -> None:
        if outcome.run_id and outcome.run_id == self.context.last_run_id():
            self.evaluation.request_run_metrics(outcome.run_id)
            self.evaluation.request_history(self.policy_path() or None)

    @Slot(object)
    def _on_run_metrics(self, run_metrics) -> None:
        if run_metrics.run.cases_path != self.cases_path():
            return  # a run of the policy that was open before: not this one's
        self.shown_run_id = run_metrics.run.id
        self.context.metrics_panel.set_metrics(
            run_metrics.metrics,
            run_metrics.output,
            f"Run {run_metrics.version_label or run_metrics.run.id}",
            run_metrics.previous,
        )

    def load_stored_results(self) -> None:
        """Another policy is open: forget what belonged to the one before (metrics, chart,
        history and compare windows, the cell filter), then show this one's stored results."""
        self._load_token += 1
        token, cases_path = self._load_token, self.cases_path()
        self.shown_run_id = ""
        self.context.metrics_panel.set_metrics(None)
        self.context.metrics_panel.set_history([])
        self.context.cases.clear_case_filter()
        for window in (self.history_dialog, self.compare_dialog):
            if window is not None:
                window.close()
        self.evaluation.request_history(self.policy_path() or None)
        if cases_path:
            self.tasks.submit(
                last_suite_run, self.context.store, cases_path,
                on_done=lambda run: self._show_last_run(token, run),
                on_error=self.context.show_message,
            )  # fmt: skip
        ids = [case.id for case in self.context.cases.cases()]
        if not cases_path or not ids:
            return
        self.tasks.submit(
            latest_case_results,
            self.context.store,
            cases_path,
            ids,
            model_filter(backend_config(self.context.settings)),
            on_done=lambda found: self._on_stored(token, found),
            on_error=self.context.show_message,
        )

    def _show_last_run(self, token: int, run) -> None:
        """The Metrics tab shows the last test-set run (unless a run ended since)."""
        if token == self._load_token and run is not None and not self.shown_run_id:
            self.evaluation.request_run_metrics(run.id)

    def _on_stored(self, token: int, found: dict) -> None:
        if token != self._load_token or not found:
            return
        cases = self.context.cases
        key = model_filter(backend_config(self.context.settings))  # what the look-up asked for
        items = [
            (
                case_id,
                item.policy_text,
                item.result.content,
                dataclasses.replace(item.result.as_classify_result(), model=key),
                False,
            )
            for case_id, item in found.items()
            if not cases.has_result(case_id)  # a run started since: keep its results
        ]
        shown = cases.set_results(items)
        if shown:
            self.context.show_case(cases.current_case_id())
            self.context.show_message(f"Showing the stored results of {shown} cases.")

    # --- history ----------------------------------------------------------------------
    def show_history(self) -> HistoryDialog:
        """Open History at once, reading the versions while it says so; the answer of the
        newest request for this policy fills it (an older one is dropped by the controller,
        so the dialog asks again rather than wait for an answer that never comes)."""
        if self.history_dialog is not None:
            self.history_dialog.close()
        text = self.context.policy.text()
        dialog = HistoryDialog(None, text, self.context.parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.restoreRequested.connect(self.restore_text)
        dialog.destroyed.connect(lambda *_: setattr(self, "history_dialog", None))
        self.history_dialog = dialog
        self.evaluation.request_history(self.policy_path() or None)
        dialog.show()
        return dialog

    @Slot(list)
    def _on_history(self, history: list) -> None:
        paths = {summary.version.path for summary in history}
        if paths - {self.policy_path()} and self.policy_path():
            return  # versions of the policy that was open before
        self.context.metrics_panel.set_history(history)
        if self.history_dialog is not None and self.history_dialog.loading:
            self.history_dialog.set_history(history)

    @Slot(str)
    def restore_text(self, text: str) -> None:
        """Replace the policy with an older version as one undoable edit."""
        self.context.policy.replace_text(text)
        self.context.show_message("Version restored into the editor (Undo brings back the text).")

    def compare_runs(self) -> CompareDialog:
        """*History ▸ Compare runs…*: the one dialog for two stored runs, reading the runs
        again each time it opens (the newest two of the open policy are preselected)."""
        if self.compare_dialog is None:
            dialog = CompareDialog(self.evaluation, self.context.parent, self.policy_path)
            dialog.caseSelected.connect(self.context.cases.select_case)
            self.compare_dialog = dialog
        else:
            self.evaluation.request_runs()
        self.compare_dialog.show()
        self.compare_dialog.raise_()
        return self.compare_dialog

    def export_report(self) -> None:
        """Export the report of the run the Metrics tab shows (never another run)."""
        self._export(export_run_report)

    def export_results_csv(self) -> None:
        """Export the results CSV of the run the Metrics tab shows."""
        self._export(export_results_csv)

    def _export(self, export: Callable) -> None:
        if not self.shown_run_id:
            self.context.show_message("Run the test set first; then export the run it shows.")
            return
        export(
            self.context.parent, self.context.store, self.shown_run_id, self.tasks,
            self.context.show_message, self.policy_path() or "",
        )  # fmt: skip
