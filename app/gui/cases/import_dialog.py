"""Import a test set from CSV, TSV or JSONL: preview, column mapping, skipped-rows report.

Step 1 (mapping): the file is read off the GUI thread (:func:`app.importing.importer.preview`);
its first rows fill a table, and combos choose the content / expected / id / notes / tags
columns (guessed by :func:`app.importing.column_guess.guess_mapping`). The header row found
(the info line says which) can be set by hand, "First row is a header" switched off. *Add a pair* (:mod:`app.gui.cases.import_pairs`)
imports more content/label columns from the same rows (a prompt and its responses, linked);
a file with several label columns gets its pairs proposed. Step 2 (``import_report``):
``import_cases`` runs off the GUI thread; the dialog shows the cases read, every skipped row
with its reason, and a mapping for labels the policy does not know (*Import again with these
labels*). "Add cases" accepts; :meth:`ImportDialog.cases` then returns the imported cases
(also sent as ``casesImported``). Problems are shown as one plain-text sentence.
*Choose…* starts at the last file read (:mod:`app.gui.cases.import_memory`), else where
test-set dialogs start (:mod:`app.gui.shared.file_dialogs`); the mapping imported last for
files with the same header row is chosen again for a new file of that shape.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QSignalBlocker, Signal, Slot
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.cases import TestCase
from app.core.policy import OutputFormat
from app.gui.cases import import_memory as memory
from app.gui.cases.import_pairs import ExtraPairs
from app.gui.cases.import_report import ImportReport, fill_rows, preview_table
from app.gui.shared.file_dialogs import open_file
from app.gui.shared.screen_fit import fit_to_screen
from app.gui.shared.settings_store import open_settings
from app.gui.shared.tasks import TaskRunner
from app.gui.shared.widgets import align_forms, plain_label
from app.importing.column_guess import (
    FIELD_NAMES,
    FIELDS,
    column_names,
    guess_mapping,
    guess_pairs,
)
from app.importing.importer import ColumnMapping, ImportPreview, ImportResult, import_cases, preview

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
        *,
        settings: QSettings | None = None,
        policy_path: str | Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import test cases")
        fit_to_screen(self, 900, 600)
        self.output = output
        self.settings = settings or open_settings()
        self.policy_path = policy_path  # dialogs start in its folder when nothing is known
        self._shape = ""  # the file's shape key (its header row), for the mapping memory
        self._recalled = False  # the mapping of the last file of this shape was chosen
        self.tasks = tasks or TaskRunner(self)
        self._preview: ImportPreview | None = None
        self._header_row: list[str] = []
        self._result: ImportResult | None = None
        self._new_file = True  # guess column pairs on the next preview
        self._build()
        if path:
            self.open_path(path)

    # --- construction ---------------------------------------------------------------
    def _build(self) -> None:
        self.path_edit = QLineEdit(readOnly=True)
        self.path_edit.setPlaceholderText("Choose a CSV, TSV or JSONL file")
        self.browse_button = QPushButton("Choose…")
        self.browse_button.clicked.connect(self.browse)
        self.info = plain_label("")
        self.info.setWordWrap(True)
        self.header_check = QCheckBox("First row is a header")
        self.header_check.toggled.connect(self._on_header_toggled)
        self.keep_unlabelled = QCheckBox("Keep rows without a label")
        self.header_row = QSpinBox()
        self.header_row.setRange(1, 9999)
        self.header_row.setToolTip(
            "The row that names the columns; lines above it (a title, a disclaimer) are left out"
        )
        self.header_row.editingFinished.connect(self._on_header_row)
        self.extra_pairs = ExtraPairs()
        self.combos: dict[str, QComboBox] = {}
        pair_form, form = QFormLayout(), QFormLayout()  # the first pair; the other fields
        for field_name in FIELDS:
            self.combos[field_name] = combo = QComboBox()
            combo.setMinimumContentsLength(16)
            target = pair_form if field_name in ("content", "expected") else form
            target.addRow(FIELD_NAMES[field_name] + ":", combo)
        form.addRow("Header row:", self.header_row)
        align_forms([pair_form, form])  # the combos of both start at one x
        self.preview_model = QStandardItemModel(self)
        self.preview_table = preview_table(self.preview_model)
        top = QHBoxLayout()
        top.addWidget(self.path_edit, 1)
        top.addWidget(self.browse_button)
        options = QVBoxLayout()
        options.addLayout(pair_form)
        options.addWidget(self.extra_pairs)
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

        self.report = ImportReport()
        self.result_summary = self.report.summary
        self.skipped_model = self.report.skipped_model
        self.label_map = self.report.label_map  # labels the policy does not know
        self.label_map.applyClicked.connect(self.run_import)

        self.pages = QStackedWidget()
        self.pages.addWidget(mapping_page)
        self.pages.addWidget(self.report)
        self.status = plain_label("")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        role = QDialogButtonBox.ButtonRole
        self.import_button = self.buttons.addButton("Import", role.ActionRole)
        self.back_button = self.buttons.addButton("Back", role.ActionRole)
        self.add_button = self.buttons.addButton("Add cases", role.AcceptRole)
        self.import_button.clicked.connect(self.run_import)
        self.back_button.clicked.connect(lambda: self._show_page(0))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self._show_page(0)

    def _show_page(self, page: int) -> None:
        self.pages.setCurrentIndex(page)
        self.import_button.setVisible(page == 0)
        self.import_button.setEnabled(page == 0 and self._preview is not None)
        self.back_button.setVisible(page == 1)
        self.add_button.setVisible(page == 1)
        self.add_button.setEnabled(bool(self._result and self._result.cases))

    # --- step 1: preview and mapping ------------------------------------------------
    def browse(self) -> None:
        last = memory.last_file(self.settings)
        path = open_file(
            self, "Import test cases", "test_set", FILE_FILTER,
            policy_path=self.policy_path, selected=last, settings=self.settings,
        )  # fmt: skip
        if path:
            self.open_path(path)

    def open_path(self, path: str | Path, header_row: int | None = None) -> int:
        """Read the file's preview off the GUI thread (the header found, or on
        ``header_row``); returns the task id."""
        self.label_map.for_file(str(path))  # another file: its labels are its own
        self.path_edit.setText(str(path))
        self.status.setText("Reading the file…")
        self.import_button.setEnabled(False)
        self._new_file = header_row is None
        return self.tasks.submit(
            preview, Path(path), PREVIEW_ROWS, header_row,
            on_done=self._on_preview, on_error=self._on_error,
        )  # fmt: skip

    @Slot()
    def _on_header_row(self) -> None:
        p = self._preview
        if p is not None and p.format != "jsonl" and self.header_row.value() != p.header_row:
            self.open_path(p.path, self.header_row.value())

    @Slot(object)
    def _on_preview(self, result: ImportPreview) -> None:
        self._preview = result
        delimiter = {None: "", "\t": ", tab-separated", ",": ", comma-separated"}.get(
            result.delimiter, f", separated by '{result.delimiter}'"
        )
        note = f" {result.note}" if result.note else ""
        self.info.setText(
            f"{result.path.name}: {result.format.upper()}, {result.encoding}{delimiter}.{note}"
        )
        with QSignalBlocker(self.header_row), QSignalBlocker(self.header_check):
            self.header_row.setValue(max(1, result.header_row))
            self.header_row.setEnabled(result.format != "jsonl" and result.has_header)
            self.header_check.setChecked(result.has_header)
            self.header_check.setEnabled(result.format != "jsonl")
        self._header_row = list(result.columns) if result.has_header else []
        memory.remember_file(self.settings, result.path)
        self._fill_preview(result.has_header)
        self.status.setText(
            "Columns chosen as for the last file with these columns; change any, then Import."
            if self._recalled
            else "Choose which column holds what, then Import."
        )
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
        fill_rows(self.preview_model, columns, rows)
        guess = guess_mapping(columns, rows, has_header, self.output)
        for field_name, combo in self.combos.items():
            combo.clear()
            if field_name != "content":
                combo.addItem("(none)", None)
            for index, name in enumerate(columns):
                combo.addItem(name, index)
            chosen = guess[field_name]
            combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen is not None else 0)
        self.extra_pairs.set_columns(columns)
        self._widen_content(guess["content"])
        self._shape = memory.shape_key(columns, has_header)
        self._recalled = self._new_file and self._recall(len(columns))
        pairs = guess_pairs(columns, has_header, rows)
        if pairs and self._new_file:  # a prompt/response file: propose every pair
            self._new_file = False
            self.set_column("content", pairs[0][0])
            self.set_column("expected", pairs[0][1])
            self.extra_pairs.set_pairs(pairs[1:])

    def _widen_content(self, column: int | None) -> None:
        """The content column gets half the preview (a label column took the rest)."""
        if column is not None and column < self.preview_model.columnCount() - 1:
            half = self.preview_table.viewport().width() // 2
            self.preview_table.setColumnWidth(column, max(140, half))

    def _recall(self, width: int) -> bool:
        """Choose the mapping imported last for a file of this shape; False if none."""
        recalled = memory.recalled_mapping(self.settings, self._shape, width)
        if recalled is None:
            return False
        self._new_file = False  # the remembered pairs, not the guessed ones
        for field_name in FIELDS:
            self.set_column(field_name, recalled[field_name])
        self.extra_pairs.set_pairs(recalled["pairs"])
        self.extra_pairs.link_check.setChecked(recalled["linked"])
        self.keep_unlabelled.setChecked(recalled["keep_unlabelled"])
        return True

    @Slot(bool)
    def _on_header_toggled(self, checked: bool) -> None:
        if self._preview is not None:
            self._fill_preview(checked)

    def mapping(self) -> ColumnMapping:
        """The mapping chosen in the combos (column indices)."""
        values = {name: combo.currentData() for name, combo in self.combos.items()}
        return ColumnMapping(
            content=values["content"] if values["content"] is not None else 0,
            expected=values["expected"], id=values["id"], notes=values["notes"],
            tags=values["tags"], prompt=values["prompt"],
            has_header=self.header_check.isChecked(),
            keep_unlabelled=self.keep_unlabelled.isChecked(),
            extra_pairs=self.extra_pairs.pairs(),
            header_row=self._chosen_header_row(), link_pairs=self.extra_pairs.linked(),
            label_map=self.label_map.mapping(),
        )  # fmt: skip

    def _chosen_header_row(self) -> int | None:
        p = self._preview
        usable = p is not None and p.format != "jsonl" and self.header_check.isChecked()
        return self.header_row.value() if usable and p.has_header else None

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
        mapping = self.mapping()
        memory.remember_mapping(self.settings, self._shape, memory.mapping_record(mapping))
        return self.tasks.submit(
            import_cases, self._preview.path, mapping, self.output,
            on_done=self._on_imported, on_error=self._on_error,
        )  # fmt: skip

    @Slot(object)
    def _on_imported(self, result: ImportResult) -> None:
        self._result = result
        self.report.show_result(result, self.output)
        why = "choose what its labels mean below, or " if result.unknown_labels else ""
        failed = f"No rows could be imported; {why}go back and check the mapping."
        self.status.setText("" if result.cases else failed)
        self._show_page(1)

    @Slot(str)
    def _on_error(self, message: str) -> None:
        self.status.setText(message)
        self.import_button.setEnabled(self._preview is not None)

    def cases(self) -> list[TestCase]:
        return list(self._result.cases) if self._result else []

    def accept(self) -> None:
        self.casesImported.emit(self.cases())
        super().accept()
