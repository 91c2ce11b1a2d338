"""The window's test-set and history actions: import, export, metrics, history, flips, report.

``EvaluationActions`` is what the "Test set" and "History" menus call, and what keeps the
Metrics tab and the case table in step with the store:

- after a suite, the run's metrics (and the policy's version history for the chart) load
  through the ``EvaluationController``, off the GUI thread;
- when a policy opens, the newest stored result of each case (same test set and model) is
  loaded off the GUI thread into the case table, stale where the policy changed since;
- Import… (``ImportDialog``), Export CSV / JSONL (written on a ``TaskRunner`` thread);
- Policy versions… (``HistoryDialog``; restore replaces the editor text as one undoable
  edit), Compare last two runs… (``FlipView`` in a window), Export run report….

Store queries never run on the GUI thread: each goes through ``evaluation.tasks``.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QDialog, QFileDialog, QVBoxLayout

from app.core.cases import cases_path_for
from app.core.importer import export_csv, export_jsonl
from app.core.policy import OutputFormat, PolicyError, parse_policy
from app.gui.cases.import_dialog import ImportDialog
from app.gui.evaluation.data import latest_case_results, recent_runs
from app.gui.evaluation.flip_view import FlipView
from app.gui.evaluation.history_dialog import HistoryDialog
from app.gui.evaluation.report_actions import export_run_report
from app.gui.running.suite_controller import stored_as_result
from app.gui.shared.backend_values import load_backend_values

CSV_FILTER = "CSV file (*.csv)"
JSONL_FILTER = "JSON Lines test set (*.jsonl)"


def model_key(settings) -> str:
    """The model name runs are recorded under for the current backend ('' = any)."""
    values = load_backend_values(settings)
    if values["backend"] == "remote":
        return f"remote:{values['base_url']}#{values['remote_model']}"
    return Path(values["model_path"]).name if values["model_path"] else ""


class EvaluationActions(QObject):
    """Menu actions and store-backed views of one window (see the module notes)."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.evaluation = window.evaluation
        self.tasks = window.evaluation.tasks
        self.history_dialog: HistoryDialog | None = None
        self.flip_window: QDialog | None = None
        self.flip_view: FlipView | None = None
        self.import_dialog: ImportDialog | None = None
        self._history_wanted = False
        self._load_token = 0
        self.evaluation.historyReady.connect(self._on_history)
        self.evaluation.flipsReady.connect(self._on_flips)
        self.evaluation.requestFailed.connect(window.show_message)

    # --- paths ----------------------------------------------------------------------
    def policy_path(self) -> str:
        path = self.window.document.path
        return str(path) if path else ""

    def cases_path(self) -> str:
        path = self.window.document.path
        return str(cases_path_for(path)) if path else ""

    def output(self) -> OutputFormat:
        try:
            return parse_policy(self.window.policy_panel.text()).output
        except PolicyError:
            return OutputFormat()

    # --- after a suite / on open ----------------------------------------------------
    def suite_ended(self, outcome) -> None:
        if outcome.run_id:
            self.evaluation.request_run_metrics(outcome.run_id)
            self.evaluation.request_history(self.policy_path() or None)

    def load_stored_results(self) -> None:
        """Show the newest stored result of each case of the opened policy."""
        self._load_token += 1
        token, cases_path = self._load_token, self.cases_path()
        ids = [case.id for case in self.window.case_panel.cases()]
        if not cases_path or not ids:
            return
        self.evaluation.request_history(self.policy_path())
        self.tasks.submit(
            latest_case_results,
            self.window.store,
            cases_path,
            ids,
            model_key(self.window.settings),
            on_done=lambda found: self._on_stored(token, found),
            on_error=self.window.show_message,
        )

    def _on_stored(self, token: int, found: dict) -> None:
        if token != self._load_token or not found:
            return
        model = self.window.case_panel.model
        items = [
            (case_id, item.policy_text, item.result.content, stored_as_result(item.result), False)
            for case_id, item in found.items()
            if model.entry(case_id) is None  # a run started since: keep its results
        ]
        shown = model.set_results(items)
        newest = max(item.result.run_id for item in found.values())
        self.evaluation.request_run_metrics(newest)  # the metrics tab shows that run
        if shown:
            self.window.runner.show_case(self.window.case_panel.current_case_id())
            self.window.show_message(f"Showing the stored results of {shown} cases.")

    # --- test set ---------------------------------------------------------------------
    def import_cases(self) -> ImportDialog:
        dialog = ImportDialog(output=self.output(), parent=self.window)  # its own threads
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.casesImported.connect(self._add_imported)
        dialog.open()
        self.import_dialog = dialog
        return dialog

    @Slot(list)
    def _add_imported(self, cases: list) -> None:
        panel = self.window.case_panel
        ids = panel.model.add_cases(cases)
        if ids:
            panel.set_modified(True)
            panel.select_case(ids[0])
        self.window.show_message(f"Imported {len(ids)} cases; save the policy to keep them.")

    def shutdown(self) -> None:
        """Stop the import dialog's threads if it is still open."""
        dialog, self.import_dialog = self.import_dialog, None
        if dialog is not None:
            with contextlib.suppress(RuntimeError):  # deleted with the closed dialog
                dialog.tasks.shutdown()

    def export_cases(self, kind: str = "csv") -> int | None:
        cases = self.window.case_panel.cases()
        if not cases:
            self.window.show_message("There are no cases to export.")
            return None
        stem = Path(self.policy_path()).stem if self.policy_path() else "cases"
        suffix, filt, writer = (
            (".csv", CSV_FILTER, export_csv) if kind == "csv" else (".jsonl", JSONL_FILTER, export_jsonl)
        )  # fmt: skip
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Export test set", str(Path.home() / f"{stem}{suffix}"), filt
        )
        if not path:
            return None
        target = Path(path) if Path(path).suffix else Path(path + suffix)
        return self.tasks.submit(
            writer,
            target,
            cases,
            on_done=lambda _: self.window.show_message(f"Exported {len(cases)} cases to {target}."),
            on_error=lambda m: self.window.show_message(f"The export failed: {m}"),
        )

    # --- history ----------------------------------------------------------------------
    def show_history(self) -> None:
        self._history_wanted = True
        self.window.show_message("Reading the policy history…")
        self.evaluation.request_history(self.policy_path() or None)

    @Slot(list)
    def _on_history(self, history: list) -> None:
        self.window.metrics_panel.set_history(history)
        if not self._history_wanted:
            return
        self._history_wanted = False
        if self.history_dialog is not None:
            self.history_dialog.close()
        dialog = HistoryDialog(history, self.window.policy_panel.text(), self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.restoreRequested.connect(self.restore_text)
        dialog.destroyed.connect(lambda *_: setattr(self, "history_dialog", None))
        dialog.show()
        self.history_dialog = dialog

    @Slot(str)
    def restore_text(self, text: str) -> None:
        """Replace the policy with an older version as one undoable edit."""
        editor = self.window.policy_panel.editor
        cursor = QTextCursor(editor.document())
        cursor.beginEditBlock()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(text)
        cursor.endEditBlock()
        self.window.show_message("Version restored into the editor (Undo brings back the text).")

    def compare_last_runs(self) -> None:
        cases_path = self.cases_path()
        if not cases_path:
            self.window.show_message("Save the policy and run its test set twice to compare.")
            return
        self.tasks.submit(
            recent_runs,
            self.window.store,
            cases_path,
            2,
            on_done=self._on_recent_runs,
            on_error=self.window.show_message,
        )

    def _on_recent_runs(self, runs: list) -> None:
        if len(runs) < 2:
            self.window.show_message("Run the test set twice to compare two runs.")
            return
        self._pair = (runs[0].id, runs[1].id)
        self.evaluation.request_flips(*self._pair)

    @Slot(object)
    def _on_flips(self, report) -> None:
        if self.flip_window is None:
            self.flip_window = QDialog(self.window)
            self.flip_window.setWindowTitle("Flip report: what changed between two runs")
            self.flip_window.resize(1000, 680)
            self.flip_view = FlipView()
            self.flip_view.caseSelected.connect(self.window.case_panel.select_case)
            layout = QVBoxLayout(self.flip_window)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.addWidget(self.flip_view)
        before, after = getattr(self, "_pair", ("", ""))
        self.flip_view.set_report(report, f"run {before}", f"run {after}")
        self.flip_window.show()
        self.flip_window.raise_()

    def export_report(self) -> None:
        run_id = self.window.suites.run_id()
        if run_id:
            self._export(run_id)
            return
        cases_path = self.cases_path()
        if not cases_path:
            self.window.show_message("Run the test set first; then export its report.")
            return
        self.tasks.submit(
            recent_runs,
            self.window.store,
            cases_path,
            1,
            on_done=lambda runs: self._export(runs[-1].id) if runs else self.window.show_message(
                "Run the test set first; then export its report."
            ),
            on_error=self.window.show_message,
        )  # fmt: skip

    def _export(self, run_id: str) -> None:
        directory = str(Path(self.policy_path()).parent) if self.policy_path() else ""
        export_run_report(
            self.window, self.window.store, run_id, self.tasks, self.window.show_message, directory
        )
