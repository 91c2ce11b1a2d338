"""*Test set ▸ Label a file…*: the model labels every row of a CSV, TSV or JSONL file.

The window's side of ``safeguard-studio label``: the analyst chooses a file (and, when no
column is named ``content``, ``text``, ``message`` or ``body``, the column that holds the
content); its rows go through :func:`app.runs.label_rows.label_rows` — the one run pipeline,
with the result cache and the resume of an unfinished labelling — as a task on the engine
controller's one worker thread, so the window never waits and a run and a labelling never
overlap. A progress dialog counts the rows; *Cancel* there (or the window's Cancel) stops it
at the next token, and the rows answered so far are written all the same. The output lies
beside the file (``messages.csv`` -> ``messages.labelled.csv``) and one sentence in the
status bar says where, or why it stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QInputDialog, QMessageBox, QProgressDialog, QWidget

from app.gui.shared.backend_values import backend_config
from app.gui.shared.file_dialogs import open_file
from app.gui.shared.settings_store import load_run_settings
from app.importing.label_file import LabelFileError, LabelInput, default_out, read_label_input
from app.runs.label_rows import LabelOutcome, label_rows
from app.runs.pipeline.results import CaseStored

FILTER = "Files to label (*.csv *.tsv *.jsonl);;All files (*)"


def outcome_sentence(result: object, message: str) -> str:
    """The one sentence the window shows when a labelling ends."""
    if not isinstance(result, LabelOutcome):
        return f"The file was not labelled: {message.rstrip('.') or 'the engine stopped'}."
    if result.finished:
        return f"{result.summary()}."
    cancelled = result.outcome is not None and result.outcome.status == "cancelled"
    lead = "Labelling cancelled" if cancelled else f"Labelling stopped ({result.stop_reason()})"
    return f"{lead.rstrip('.')}: {result.summary()}; label the same file again to go on."


class LabelFileRun(QObject):
    """Runs *Label a file…* (see the module notes); one at a time."""

    progressed = Signal(int, int)  # rows done, rows to run (sent from the worker thread)
    ended = Signal(str)  # the sentence shown when it ends

    def __init__(self, window: QWidget, commands, effort: Callable[[], str]) -> None:  # noqa: ANN001
        super().__init__(window)
        self._window, self._commands, self._effort = window, commands, effort
        self.progress_dialog: QProgressDialog | None = None
        self._active = False
        self.progressed.connect(self._on_progress)

    def start(self, path: Path | None = None) -> bool:
        """Ask for a file (unless given) and label it; False when nothing started."""
        runner, show = self._commands.runner, self._commands.show_message
        if runner.is_running():
            show("A run is already in progress; cancel it or wait for it to end.")
            return False
        path = path or open_file(
            self._window, "Label a file", "test_set", FILTER,
            policy_path=self._commands.document.path, settings=self._commands.settings,
        )  # fmt: skip
        data = self._read(path) if path else None
        prepared = runner.prepare() if data is not None else None  # Run all's own checks
        if path is None or data is None or prepared is None:
            return False
        return self._submit(prepared[0], data, path)

    def _read(self, path: Path) -> LabelInput | None:
        column = None
        while True:
            try:
                return read_label_input(path, column)
            except LabelFileError as exc:
                if not exc.columns or column is not None:
                    QMessageBox.warning(self._window, "The file cannot be labelled", str(exc))
                    return None
                column, ok = QInputDialog.getItem(
                    self._window, "Label a file", "Which column holds the content?",
                    exc.columns, 0, False,
                )  # fmt: skip
                if not ok:
                    return None

    def _submit(self, policy, data: LabelInput, path: Path) -> bool:  # noqa: ANN001
        settings, controller = self._commands.settings, self._commands.runner.controller
        run, backend = load_run_settings(settings, self._effort()), backend_config(settings)
        out = default_out(path)

        def task(_engine, _identity, _template, cancel):  # noqa: ANN001, ANN202
            return label_rows(
                controller.service, policy, data, run, backend, source=path, out=out,
                cancel=cancel, on_event=self._on_event,
            )  # fmt: skip

        controller.taskEnded.connect(self._on_ended)
        if not controller.start_task(backend, task, run.renderer):
            controller.taskEnded.disconnect(self._on_ended)
            self._commands.show_message("The engine is busy; try again when it is done.")
            return False
        self._active = True
        self._show_progress(len(data.cases()), path)
        return True

    def _show_progress(self, total: int, path: Path) -> None:
        dialog = QProgressDialog(
            f"Labelling {path.name}…", "Cancel", 0, max(total, 1), self._window
        )
        dialog.setWindowTitle("Label a file")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(self.cancel)
        dialog.setValue(0)
        self.progress_dialog = dialog

    def cancel(self) -> None:
        """Stop the labelling at the next token; what was answered is written."""
        if self._active:
            self._commands.runner.controller.cancel()
            if self.progress_dialog is not None:
                self.progress_dialog.setLabelText("Cancelling…")

    def _on_event(self, event: object) -> None:  # the worker thread
        if isinstance(event, CaseStored):
            self.progressed.emit(event.index, event.total)

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        dialog = self.progress_dialog
        if dialog is not None and self._active and not dialog.wasCanceled():
            dialog.setMaximum(max(total, 1))
            dialog.setValue(min(done, total))

    @Slot(object, str)
    def _on_ended(self, result: object, message: str) -> None:
        if not self._active:
            return
        self._active = False
        self._commands.runner.controller.taskEnded.disconnect(self._on_ended)
        if self.progress_dialog is not None:
            self.progress_dialog.canceled.disconnect(self.cancel)
            self.progress_dialog.close()
            self.progress_dialog.deleteLater()
            self.progress_dialog = None
        sentence = outcome_sentence(result, message)
        self._commands.show_message(sentence)
        self.ended.emit(sentence)
