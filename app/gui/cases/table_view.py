"""The case table's view: sorting, whole-row selection and column widths measured once.

The highlighted row is always the current one: moving with the keyboard (Ctrl+arrows
included) selects the row it lands on, only Shift extends and the mouse multi-selects, and
Tab leaves the table for the case editor instead of walking its cells. Run case, the
editor and the result view all follow that current row.

A *Prompt* column, placed before Content, shows the prompt a response case answers; it is
hidden while no case has one. The Status and Agrees columns get fixed (still draggable)
widths measured once from the font: ``ResizeToContents`` would re-measure every row on each
result; the Status cell elides in the middle, so a long word keeps its end in sight
("waiting fo…ver · 40 s", "does no…(stale)"). Expected and Predicted start as wide as their headers and grow to the widest label
in the rows that changed (a two-label answer ``INVALID D-SP2 R-SP0`` is shown whole), up to
:data:`LABEL_CHARS` characters; another test set starts them narrow again. The full answer
is the Predicted cell's tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QFontMetrics, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
)

from app.gui.cases.analysis_model import AnalysedCaseModel, AnalysisColumn
from app.gui.cases.model import CaseTableModel, Column

MIN_ROWS = 8  # status suffixes the status column must fit
LABEL_CHARS = 24  # Expected / Predicted grow to fit their labels up to this many characters
HEADER_PADDING = 28  # the header's margins and its sort arrow
CELL_PADDING = 12  # the item delegate's margins around a cell's text


class MiddleElided(QStyledItemDelegate):
    """Draws a cell's text elided in the middle: its start and its end both show."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


class CaseTableView(QTableView):
    """A table whose keyboard moves always carry the highlight with the current row."""

    def selectionCommand(
        self, index: QModelIndex, event: QEvent | None = None
    ) -> QItemSelectionModel.SelectionFlag:
        command = super().selectionCommand(index, event)
        if (
            isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            and command == QItemSelectionModel.SelectionFlag.NoUpdate
            and event.key() != Qt.Key.Key_Space  # Ctrl+Space still toggles a row
        ):  # Ctrl+arrow would move the current row away from the highlighted one
            Flag = QItemSelectionModel.SelectionFlag
            return Flag.ClearAndSelect | Flag.Rows
        return command


def case_table_view(proxy: QSortFilterProxyModel, metrics: QFontMetrics) -> QTableView:
    """A table over ``proxy`` (the case model behind its filter), sized for ``metrics``."""
    table = CaseTableView()
    table.setTabKeyNavigation(False)  # Tab goes on to the case editor
    table.setModel(proxy)
    table.setSortingEnabled(True)
    table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(metrics.height() + 8)
    # at least eight rows stay visible, whatever the splitters (a 1024×700 screen too)
    table.setMinimumHeight(MIN_ROWS * (metrics.height() + 8) + metrics.height() + 12)
    header = table.horizontalHeader()
    header.setSectionResizeMode(Column.PREVIEW, QHeaderView.ResizeMode.Stretch)
    # fixed widths: ResizeToContents would re-measure every row on each result
    widths = {
        Column.EXPECTED: metrics.horizontalAdvance("Expected") + HEADER_PADDING,
        Column.PREDICTED: metrics.horizontalAdvance("Predicted") + HEADER_PADDING,
        # the common words fit; "(stale)" / "(cached)" elide (the tooltip says it): the
        # content column keeps room on a 1024-pixel screen
        Column.STATUS: metrics.horizontalAdvance("does not violate") + 16,
        Column.AGREEMENT: metrics.horizontalAdvance("Agrees") + 24,
    }
    for column, width in widths.items():
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(column, width)
    header.setSectionResizeMode(Column.PROMPT, QHeaderView.ResizeMode.Interactive)
    table.setItemDelegateForColumn(Column.STATUS, MiddleElided(table))  # the count shows
    header.resizeSection(Column.PROMPT, metrics.horizontalAdvance("x") * 28)
    header.moveSection(header.visualIndex(Column.PROMPT), 0)  # the prompt, then its response
    source = proxy.sourceModel()
    if isinstance(source, CaseTableModel):
        _show_prompts_when_there_are_some(table, source)
        _fit_label_columns(table, source, metrics, widths)
    if isinstance(source, AnalysedCaseModel):
        _show_analysis_when_there_is_some(table, source)
    return table


def _show_prompts_when_there_are_some(table: QTableView, model: CaseTableModel) -> None:
    """The Prompt column (before Content) appears while some case answers a prompt."""

    def show(*_args: object) -> None:
        table.setColumnHidden(Column.PROMPT, not any(case.prompt for case in model.cases()))

    for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved, model.dataChanged):
        signal.connect(show)
    show()


def _fit_label_columns(
    table: QTableView, model: CaseTableModel, metrics: QFontMetrics, widths: dict
) -> None:
    """Expected and Predicted grow to the widest label of the rows that changed (capped);
    a reset (another test set) starts them at their header widths again."""
    header = table.horizontalHeader()
    cap = metrics.horizontalAdvance("x") * LABEL_CHARS + CELL_PADDING
    columns = (Column.EXPECTED, Column.PREDICTED)

    def fit(top: int, bottom: int) -> None:
        if all(header.sectionSize(column) >= cap for column in columns):
            return
        for column, texts in zip(columns, model.label_texts(top, bottom), strict=True):
            wanted = max((metrics.horizontalAdvance(t) for t in texts), default=0) + CELL_PADDING
            if wanted > header.sectionSize(column) and header.sectionSize(column) < cap:
                header.resizeSection(column, min(cap, wanted))

    def reset() -> None:
        for column in columns:
            header.resizeSection(column, widths[column])
        fit(0, model.row_count() - 1)

    model.modelReset.connect(reset)
    model.rowsInserted.connect(lambda _parent, first, last: fit(first, last))
    model.dataChanged.connect(lambda first, last, *_: fit(first.row(), last.row()))


def _show_analysis_when_there_is_some(table: QTableView, model: AnalysedCaseModel) -> None:
    """The Stability and Triage columns appear once a run has something to show in them,
    so the content column keeps its room on a small screen until then."""

    def show(stability: bool, triage: bool) -> None:
        table.setColumnHidden(AnalysisColumn.STABILITY, not stability)
        table.setColumnHidden(AnalysisColumn.TRIAGE, not triage)

    model.analysisChanged.connect(show)
    show(False, False)
