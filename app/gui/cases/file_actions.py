"""The Test set menu: import cases from a CSV/TSV/JSONL export, export the test set.

``CaseFileActions`` gets the few things it uses: the window that parents its dialogs, the
case panel the cases go into, the policy's output format (for label spellings), the
policy path (for the export's file name), a task runner for the export's write and a
``show_message`` callable for the status bar. Both dialogs start in the folder test-set
dialogs used last, else the policy's folder (:mod:`app.gui.shared.file_dialogs`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import QWidget

from app.core.policy import OutputFormat
from app.gui.cases.import_dialog import ImportDialog
from app.gui.cases.panel import CasePanel
from app.gui.shared.file_dialogs import save_file
from app.gui.shared.tasks import TaskRunner
from app.importing.importer import export_csv, export_jsonl

CSV_FILTER = "CSV file (*.csv)"
JSONL_FILTER = "JSON Lines test set (*.jsonl)"


class CaseFileActions(QObject):
    """Import and export of the open test set."""

    def __init__(
        self,
        parent: QWidget,
        case_panel: CasePanel,
        output: Callable[[], OutputFormat],
        policy_path: Callable[[], str],
        tasks: TaskRunner,
        show_message: Callable[[str], None],
    ) -> None:
        super().__init__(parent)
        self._parent = parent
        self._cases = case_panel
        self._output = output
        self._policy_path = policy_path
        self._tasks = tasks
        self._show = show_message
        self.import_dialog: ImportDialog | None = None

    def import_cases(self) -> ImportDialog:
        dialog = ImportDialog(
            output=self._output(), parent=self._parent, policy_path=self._policy_path()
        )  # its own threads
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.casesImported.connect(self._add_imported)
        dialog.open()
        self.import_dialog = dialog
        return dialog

    @Slot(list)
    def _add_imported(self, cases: list) -> None:
        ids = self._cases.add_cases(cases, text=f"Import {len(cases)} cases")  # one undo step
        self._show(f"Imported {len(ids)} cases; save the policy to keep them (Ctrl+Z undoes).")

    def export_cases(self, kind: str = "csv") -> int | None:
        cases = self._cases.cases()
        if not cases:
            self._show("There are no cases to export.")
            return None
        stem = Path(self._policy_path()).stem if self._policy_path() else "cases"
        suffix, filt, writer = (
            (".csv", CSV_FILTER, export_csv) if kind == "csv" else (".jsonl", JSONL_FILTER, export_jsonl)
        )  # fmt: skip
        target = save_file(
            self._parent, "Export test set", "test_set", f"{stem}{suffix}", filt,
            policy_path=self._policy_path(), suffix=suffix,
        )  # fmt: skip
        if target is None:
            return None
        return self._tasks.submit(
            writer,
            target,
            cases,
            on_done=lambda _: self._show(f"Exported {len(cases)} cases to {target}."),
            on_error=lambda m: self._show(f"The export failed: {m}"),
        )

    def shutdown(self) -> None:
        """Stop the import dialog's threads if it is still open."""
        dialog, self.import_dialog = self.import_dialog, None
        if dialog is not None:
            with contextlib.suppress(RuntimeError):  # deleted with the closed dialog
                dialog.tasks.shutdown()
