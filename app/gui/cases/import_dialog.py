"""Import a test set from CSV, TSV or JSONL: preview, column mapping, skipped-rows report.

Step 1 (mapping): the file is read off the GUI thread with :func:`app.core.importer.preview`;
its first rows fill a table, and combo boxes choose the content / expected / id / notes /
tags columns (guessed by :func:`app.gui.cases.column_guess.guess_mapping` from the header names,
else from the cell lengths). "First row is a
header" can be switched; the preview follows without reading the file again. Step 2
(result): :func:`app.core.importer.import_cases` runs off the GUI thread; the dialog shows
how many cases were read and every skipped row with its reason. "Add cases" accepts the
dialog; :meth:`ImportDialog.cases` then returns the imported cases (also sent as
``casesImported``). Problems are shown as one plain-text sentence.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.cases import TestCase
from app.core.importer import ColumnMapping, ImportPreview, ImportResult, import_cases, preview
from app.core.policy import OutputFormat
from app.gui.cases.column_guess import FIELD_NAMES, FIELDS, column_names, guess_mapping
from app.gui.shared.screen_fit import fit_to_screen
from app.gui.shared.tasks import TaskRunner
from app.gui.shared.widgets import plain_label

FILE_FILTER = "Test sets (*.csv *.tsv *.tab *.jsonl *.ndjson *.json);;All files (*)"
PREVIEW_ROWS = 20


class ImportDialog(QDialog):
    """Two steps: mapping, then the result with the skipped rows (see the module notes)."""

    casesImported = Signal(list)  # list[TestCase], on accept

    def __init__(
        self,
        output: OutputFormat | None = None,
        path: str | Path | None = None,
        tasks: TaskRunner | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import test cases")
        fit_to_screen(self, 900, 600)
        self.output = output
        self.tasks = tasks or TaskRunner(self)
        self._preview: ImportPreview | None = None
        self._header_row: list[str] = []
        self._result: ImportResult | None = None
        self._build()
        if path:
            self.open_path(path)

    # --- construction ---------------------------------------------------------------
    def _build(self) -> None:
        self.path_edit = QLineEdit()
        self.path_edit.setReadOnly(True)
        self.path_edit.setPlaceholderText("Choose a CSV, TSV or JSONL file")
        self.browse_button = QPushButton("Choose…")
        self.browse_button.clicked.connect(self.browse)
        self.info = plain_label("")
        self.info.setWordWrap(True)
        self.header_check = QCheckBox("First row is a header")
        self.header_check.toggled.connect(self._on_header_toggled)
        self.keep_unlabelled = QCheckBox("Keep rows without a label")
        self.combos: dict[str, QComboBox] = {}
        form = QFormLayout()
        for field_name in FIELDS:
            combo = QComboBox()
            combo.setMinimumContentsLength(16)
            self.combos[field_name] = combo
            form.addRow(FIELD_NAMES[field_name] + ":", combo)
        self.preview_model = QStandardItemModel(self)
        self.preview_table = self._table(self.preview_model)
        top = QHBoxLayout()
        top.addWidget(self.path_edit, 1)
        top.addWidget(self.browse_button)
        options = QVBoxLayout()
        options.addLayout(form)
        options.addWidget(self.header_check)
        options.addWidget(self.keep_unlabelled)
        options.addStretch(1)
        middle = QHBoxLayout()
        middle.addLayout(options)
        middle.addWidget(self.preview_table, 1)
        mapping_page = QWidget()
        mapping_layout = QVBoxLayout(mapping_page)
        mapping_layout.addLayout(top)
        mapping_layout.addWidget(self.info)
        mapping_layout.addLayout(middle, 1)

        self.result_summary = plain_label("", "sectionLabel")
        self.result_summary.setWordWrap(True)
        self.skipped_model = QStandardItemModel(0, 3, self)
        self.skipped_model.setHorizontalHeaderLabels(["Row", "Reason", "Detail"])
        self.skipped_table = self._table(self.skipped_model)
        result_page = QWidget()
        result_layout = QVBoxLayout(result_page)
        result_layout.addWidget(self.result_summary)
        result_layout.addWidget(self.skipped_table, 1)

        self.pages = QStackedWidget()
        self.pages.addWidget(mapping_page)
        self.pages.addWidget(result_page)
        self.status = plain_label("")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton(
            "Import", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.back_button = self.buttons.addButton("Back", QDialogButtonBox.ButtonRole.ActionRole)
        self.add_button = self.buttons.addButton(
            "Add cases", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.import_button.clicked.connect(self.run_import)
        self.back_button.clicked.connect(lambda: self._show_page(0))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self._show_page(0)

    def _table(self, model) -> QTableView:
        view = QTableView()
        view.setModel(model)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setWordWrap(False)
        view.setAlternatingRowColors(True)
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        view.horizontalHeader().setStretchLastSection(True)
        view.horizontalHeader().setDefaultSectionSize(140)
        return view

    def _show_page(self, page: int) -> None:
        self.pages.setCurrentIndex(page)
        self.import_button.setVisible(page == 0)
        self.import_button.setEnabled(page == 0 and self._preview is not None)
        self.back_button.setVisible(page == 1)
        self.add_button.setVisible(page == 1)
        self.add_button.setEnabled(bool(self._result and self._result.cases))

    # --- step 1: preview and mapping ------------------------------------------------
    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import test cases", "", FILE_FILTER)
        if path:
            self.open_path(path)

    def open_path(self, path: str | Path) -> int:
        """Read the file's preview off the GUI thread; returns the task id."""
        self.path_edit.setText(str(path))
        self.status.setText("Reading the file…")
        self.import_button.setEnabled(False)
        return self.tasks.submit(
            preview, Path(path), PREVIEW_ROWS, on_done=self._on_preview, on_error=self._on_error
        )

    @Slot(object)
    def _on_preview(self, result: ImportPreview) -> None:
        self._preview = result
        delimiter = {None: "", "\t": ", tab-separated", ",": ", comma-separated"}.get(
            result.delimiter, f", separated by '{result.delimiter}'"
        )
        self.info.setText(
            f"{result.path.name}: {result.format.upper()}, {result.encoding}{delimiter}."
        )
        self._header_row = list(result.columns) if result.has_header else []
        self.header_check.blockSignals(True)
        self.header_check.setChecked(result.has_header)
        self.header_check.setEnabled(result.format != "jsonl")
        self.header_check.blockSignals(False)
        self._fill_preview(result.has_header)
        self.status.setText("Choose which column holds what, then Import.")
        self._show_page(0)

    def _columns_and_rows(self, has_header: bool) -> tuple[list[str], list[list[str]]]:
        assert self._preview is not None
        p = self._preview
        rows = list(p.rows)
        if p.has_header and not has_header:  # the header becomes a data row
            rows = [self._header_row, *rows]
        elif not p.has_header and has_header and rows:
            self._header_row, rows = rows[0], rows[1:]
        return column_names(self._header_row, rows, has_header), rows

    def _fill_preview(self, has_header: bool) -> None:
        columns, rows = self._columns_and_rows(has_header)
        self.preview_model.clear()
        self.preview_model.setHorizontalHeaderLabels(columns)
        for row in rows:
            items = [QStandardItem(" ".join(cell.split())[:200]) for cell in row]
            for item, cell in zip(items, row, strict=True):
                item.setToolTip(cell[:600])
            self.preview_model.appendRow(items)
        guess = guess_mapping(columns, rows, has_header)
        for field_name, combo in self.combos.items():
            combo.clear()
            if field_name != "content":
                combo.addItem("(none)", None)
            for index, name in enumerate(columns):
                combo.addItem(name, index)
            chosen = guess[field_name]
            combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen is not None else 0)

    @Slot(bool)
    def _on_header_toggled(self, checked: bool) -> None:
        if self._preview is not None:
            self._fill_preview(checked)

    def mapping(self) -> ColumnMapping:
        """The mapping chosen in the combos (column indices)."""
        values = {name: combo.currentData() for name, combo in self.combos.items()}
        return ColumnMapping(
            content=values["content"] if values["content"] is not None else 0,
            expected=values["expected"],
            id=values["id"],
            notes=values["notes"],
            tags=values["tags"],
            has_header=self.header_check.isChecked(),
            keep_unlabelled=self.keep_unlabelled.isChecked(),
        )

    def set_column(self, field_name: str, index: int | None) -> None:
        combo = self.combos[field_name]
        combo.setCurrentIndex(max(0, combo.findData(index)))

    # --- step 2: import and report --------------------------------------------------
    def run_import(self) -> int:
        """Import the whole file off the GUI thread; returns the task id (-1 if no file)."""
        if self._preview is None:
            return -1
        self.status.setText("Importing…")
        self.import_button.setEnabled(False)
        return self.tasks.submit(
            import_cases, self._preview.path, self.mapping(), self.output,
            on_done=self._on_imported, on_error=self._on_error,
        )  # fmt: skip

    @Slot(object)
    def _on_imported(self, result: ImportResult) -> None:
        self._result = result
        self.result_summary.setText(
            f"{len(result.cases)} cases ready to add from {result.rows_read} rows "
            f"({result.encoding}); {len(result.skipped)} rows skipped."
        )
        self.skipped_model.removeRows(0, self.skipped_model.rowCount())
        for skipped in result.skipped:
            self.skipped_model.appendRow(
                [
                    QStandardItem(str(skipped.row)),
                    QStandardItem(skipped.reason),
                    QStandardItem(skipped.detail),
                ]
            )
        self.status.setText(
            "" if result.cases else "No rows could be imported; go back and check the mapping."
        )
        self._show_page(1)

    @Slot(str)
    def _on_error(self, message: str) -> None:
        self.status.setText(message)
        self.import_button.setEnabled(self._preview is not None)

    def import_result(self) -> ImportResult | None:
        return self._result

    def cases(self) -> list[TestCase]:
        return list(self._result.cases) if self._result else []

    def accept(self) -> None:
        self.casesImported.emit(self.cases())
        super().accept()
