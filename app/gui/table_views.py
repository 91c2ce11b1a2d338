"""Table views built the same way in several places: whole-row, read-only tables.

:func:`row_table` is the read-only table of whole rows the flip report, the policy history
and the models dialog show (each then adds its own column sizes). :func:`case_table_view`
builds the ``QTableView`` that ``CasePanel`` shows over its filter proxy. The Expected, Predicted, Status and Agrees columns get fixed (still draggable) widths
measured once from the font: ``ResizeToContents`` would re-measure every row on each result.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QSortFilterProxyModel, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from app.gui.case_model import Column

WIDEST = ("stale", "cached")  # status suffixes the status column must fit


def row_table(
    model: QAbstractItemModel,
    selection: QAbstractItemView.SelectionMode = QAbstractItemView.SelectionMode.SingleSelection,
) -> QTableView:
    """A read-only table over ``model`` that selects whole rows, without row numbers."""
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(selection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    return table


def case_table_view(proxy: QSortFilterProxyModel, metrics: QFontMetrics) -> QTableView:
    """A table over ``proxy`` (the case model behind its filter), sized for ``metrics``."""
    table = QTableView()
    table.setModel(proxy)
    table.setSortingEnabled(True)
    table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(metrics.height() + 8)
    header = table.horizontalHeader()
    header.setSectionResizeMode(Column.PREVIEW, QHeaderView.ResizeMode.Stretch)
    # fixed widths: ResizeToContents would re-measure every row on each result
    widths = {
        Column.EXPECTED: metrics.horizontalAdvance("Expected") + 28,
        Column.PREDICTED: metrics.horizontalAdvance("Predicted") + 28,
        Column.STATUS: max(
            metrics.horizontalAdvance(f"does not violate ({word})") for word in WIDEST
        )
        + 16,
        Column.AGREEMENT: metrics.horizontalAdvance("Agrees") + 24,
    }
    for column, width in widths.items():
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(column, width)
    return table
