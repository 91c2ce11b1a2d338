"""The import dialog's second page: what an import gave and every row it skipped.

A summary line (cases ready, rows read, encoding, rows skipped counted by reason: "4 section
rows, 4 summary rows"), the importer's notes (which
row was the header, ids made unique), and a table of skipped rows with their row number,
the pair they belong to when a row gives several cases, the reason and the detail. All text
is plain: cells come from people's files. Labels the policy does not know get a mapping to
choose (:mod:`app.gui.cases.import_label_map`).
"""

from __future__ import annotations

from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget

from app.core.policy import OutputFormat
from app.gui.cases.import_label_map import LabelMapBox
from app.gui.shared.widgets import plain_label
from app.importing.importer import ImportResult
from app.importing.rows import count_line

SKIPPED_HEADERS = ["Row", "Pair", "Reason", "Detail"]


def preview_table(model: QStandardItemModel) -> QTableView:
    """A read-only, single-line-per-row table for previews and reports."""
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


def fill_rows(model: QStandardItemModel, columns: list[str], rows: list[list[str]]) -> None:
    """Show rows in a preview model: one line per cell (200 characters), the cell in a tooltip."""
    model.clear()
    model.setHorizontalHeaderLabels(columns)
    for row in rows:
        items = [QStandardItem(" ".join(cell.split())[:200]) for cell in row]
        for item, cell in zip(items, row, strict=True):
            item.setToolTip(cell[:600])
        model.appendRow(items)


class ImportReport(QWidget):
    """Summary, notes and skipped rows of one import (see the module notes)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = plain_label("", "sectionLabel")
        self.summary.setWordWrap(True)
        self.notes = plain_label("")
        self.notes.setWordWrap(True)
        self.skipped_model = QStandardItemModel(0, len(SKIPPED_HEADERS), self)
        self.skipped_model.setHorizontalHeaderLabels(SKIPPED_HEADERS)
        self.skipped_table = preview_table(self.skipped_model)
        self.skipped_table.setColumnWidth(0, 60)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.notes)
        layout.addWidget(self.skipped_table, 1)
        self.label_map = LabelMapBox()
        layout.addWidget(self.label_map)

    def show_result(self, result: ImportResult, output: OutputFormat | None = None) -> None:
        """Show an import's result; its unknown labels are offered for mapping to ``output``."""
        self.label_map.set_values(result.unknown_labels, output)
        self.summary.setText(
            f"{len(result.cases)} cases ready to add from {result.rows_read} rows "
            f"({result.encoding}); {len(result.skipped)} rows skipped"
            + (f" ({count_line(result.skipped)})." if result.skipped else ".")
        )
        self.notes.setText("\n".join(result.notes))
        self.notes.setVisible(bool(result.notes))
        self.skipped_model.removeRows(0, self.skipped_model.rowCount())
        for skipped in result.skipped:
            cells = [str(skipped.row), skipped.column, skipped.reason, skipped.detail]
            self.skipped_model.appendRow([QStandardItem(cell) for cell in cells])
