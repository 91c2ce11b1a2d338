"""The window's history and metrics actions: metrics after a run, stored results on open,
policy versions, the flip report between two runs, the run report.

``EvaluationActions`` is what the History menu calls, and what keeps the Metrics tab and
the case table in step with the store:

- after a test-set run, the run's metrics (and the policy's version history for the chart)
  load through the ``EvaluationController``, off the GUI thread;
- when a policy opens, the newest stored result of each case (same test set and model) is
  loaded off the GUI thread into the case table, stale where the policy changed since;
- Policy versions… (``HistoryDialog``; restore replaces the editor text as one undoable
  edit), Compare last two runs… (``FlipView`` in a window), Export run report….

It gets what it uses (see :class:`EvaluationContext`), never the window itself. Store
queries never run on the GUI thread: each goes through the evaluation controller's tasks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt, Slot
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from app.core.cases import cases_path_for
from app.core.store import Store
from app.gui.evaluation.controller import EvaluationController
from app.gui.evaluation.data import latest_case_results, recent_runs
from app.gui.evaluation.flip_view import FlipView
from app.gui.evaluation.history_dialog import HistoryDialog
from app.gui.evaluation.metrics_panel import MetricsPanel
from app.gui.evaluation.report_actions import export_run_report
from app.gui.shared.backend_values import backend_config
from app.runs.backend import model_filter


@dataclass
class EvaluationContext:
    """The collaborators of :class:`EvaluationActions`, built once by the window."""

    parent: QWidget  # parents the dialogs
    store: Store
    evaluation: EvaluationController
    settings: QSettings
    metrics_panel: MetricsPanel
    case_panel: object  # the case panel: cases(), model, select_case(), current_case_id()
    policy_editor: object  # the policy editor (QPlainTextEdit)
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
        self.flip_window: QDialog | None = None
        self.flip_view: FlipView | None = None
        self._history_wanted = False
        self._load_token = 0
        self.evaluation.historyReady.connect(self._on_history)
        self.evaluation.flipsReady.connect(self._on_flips)
        self.evaluation.requestFailed.connect(context.show_message)

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

    def load_stored_results(self) -> None:
        """Show the newest stored result of each case of the opened policy."""
        self._load_token += 1
        token, cases_path = self._load_token, self.cases_path()
        ids = [case.id for case in self.context.case_panel.cases()]
        if not cases_path or not ids:
            return
        self.evaluation.request_history(self.policy_path())
        self.tasks.submit(
            latest_case_results,
            self.context.store,
            cases_path,
            ids,
            model_filter(backend_config(self.context.settings)),
            on_done=lambda found: self._on_stored(token, found),
            on_error=self.context.show_message,
        )

    def _on_stored(self, token: int, found: dict) -> None:
        if token != self._load_token or not found:
            return
        model = self.context.case_panel.model
        items = [
            (
                case_id,
                item.policy_text,
                item.result.content,
                item.result.as_classify_result(),
                False,
            )
            for case_id, item in found.items()
            if model.entry(case_id) is None  # a run started since: keep its results
        ]
        shown = model.set_results(items)
        newest = max(item.result.run_id for item in found.values())
        self.evaluation.request_run_metrics(newest)  # the metrics tab shows that run
        if shown:
            self.context.show_case(self.context.case_panel.current_case_id())
            self.context.show_message(f"Showing the stored results of {shown} cases.")

    # --- history ----------------------------------------------------------------------
    def show_history(self) -> None:
        self._history_wanted = True
        self.context.show_message("Reading the policy history…")
        self.evaluation.request_history(self.policy_path() or None)

    @Slot(list)
    def _on_history(self, history: list) -> None:
        self.context.metrics_panel.set_history(history)
        if not self._history_wanted:
            return
        self._history_wanted = False
        if self.history_dialog is not None:
            self.history_dialog.close()
        text = self.context.policy_editor.toPlainText()
        dialog = HistoryDialog(history, text, self.context.parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.restoreRequested.connect(self.restore_text)
        dialog.destroyed.connect(lambda *_: setattr(self, "history_dialog", None))
        dialog.show()
        self.history_dialog = dialog

    @Slot(str)
    def restore_text(self, text: str) -> None:
        """Replace the policy with an older version as one undoable edit."""
        editor = self.context.policy_editor
        cursor = QTextCursor(editor.document())
        cursor.beginEditBlock()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(text)
        cursor.endEditBlock()
        self.context.show_message("Version restored into the editor (Undo brings back the text).")

    def compare_last_runs(self) -> None:
        cases_path = self.cases_path()
        if not cases_path:
            self.context.show_message("Save the policy and run its test set twice to compare.")
            return
        self.tasks.submit(
            recent_runs,
            self.context.store,
            cases_path,
            2,
            on_done=self._on_recent_runs,
            on_error=self.context.show_message,
        )

    def _on_recent_runs(self, runs: list) -> None:
        if len(runs) < 2:
            self.context.show_message("Run the test set twice to compare two runs.")
            return
        self._pair = (runs[0].id, runs[1].id)
        self.evaluation.request_flips(*self._pair)

    @Slot(object)
    def _on_flips(self, report) -> None:
        if self.flip_window is None:
            self.flip_window = QDialog(self.context.parent)
            self.flip_window.setWindowTitle("Flip report: what changed between two runs")
            self.flip_window.resize(1000, 680)
            self.flip_view = FlipView()
            self.flip_view.caseSelected.connect(self.context.case_panel.select_case)
            layout = QVBoxLayout(self.flip_window)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.addWidget(self.flip_view)
        before, after = getattr(self, "_pair", ("", ""))
        self.flip_view.set_report(report, f"run {before}", f"run {after}")
        self.flip_window.show()
        self.flip_window.raise_()

    def export_report(self) -> None:
        run_id = self.context.last_run_id()
        if run_id:
            self._export(run_id)
            return
        cases_path = self.cases_path()
        if not cases_path:
            self.context.show_message("Run the test set first; then export its report.")
            return
        self.tasks.submit(
            recent_runs,
            self.context.store,
            cases_path,
            1,
            on_done=lambda runs: self._export(runs[-1].id) if runs else self.context.show_message(
                "Run the test set first; then export its report."
            ),
            on_error=self.context.show_message,
        )  # fmt: skip

    def _export(self, run_id: str) -> None:
        directory = str(Path(self.policy_path()).parent) if self.policy_path() else ""
        export_run_report(
            self.context.parent, self.context.store, run_id, self.tasks,
            self.context.show_message, directory,
        )  # fmt: skip
