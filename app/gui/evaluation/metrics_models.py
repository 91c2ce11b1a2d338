"""Small table models for the metrics panel: per-class metrics and agreement per tag.

Both are read-only ``QAbstractTableModel`` subclasses with a column enum and a ``SORT``
role (numbers sort as numbers). ``PerClassModel`` ends with a "macro average" row.
"""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont

from app.gui.shared.table_model import HeaderedTableModel
from app.scoring.metrics import Metrics, format_ratio

SORT_ROLE = Qt.ItemDataRole.UserRole + 1


def _ratio_cell(value: float | None, role: int):
    if role == SORT_ROLE:
        return -1.0 if value is None else value
    return format_ratio(value)


class ClassColumn(IntEnum):
    LABEL = 0
    SUPPORT = 1
    PREDICTED = 2
    PRECISION = 3
    RECALL = 4
    F1 = 5


_CLASS_HEADERS = ("Class", "Expected", "Predicted", "Precision", "Recall", "F1")


class PerClassModel(HeaderedTableModel):
    """One row per class, then the macro averages."""

    HEADERS = _CLASS_HEADERS

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._metrics: Metrics | None = None
        self._violating: set[str] = set()

    def set_metrics(self, metrics: Metrics | None, violating: set[str] | None = None) -> None:
        self.beginResetModel()
        self._metrics = metrics
        self._violating = set(violating or ())
        self.endResetModel()

    def row_count(self) -> int:
        return 0 if self._metrics is None else len(self._metrics.per_class) + 1

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self._metrics is None:
            return None
        m, column = self._metrics, ClassColumn(index.column())
        macro = index.row() == len(m.per_class)
        if role == Qt.ItemDataRole.FontRole and macro:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column != ClassColumn.LABEL:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role not in (Qt.ItemDataRole.DisplayRole, SORT_ROLE, Qt.ItemDataRole.ToolTipRole):
            return None
        if macro:
            values = {
                ClassColumn.LABEL: "macro average",
                ClassColumn.PRECISION: m.macro_precision,
                ClassColumn.RECALL: m.macro_recall,
                ClassColumn.F1: m.macro_f1,
            }
            value = values.get(column, "")
            return value if isinstance(value, str) else _ratio_cell(value, role)
        c = m.per_class[index.row()]
        if column == ClassColumn.LABEL:
            if role == Qt.ItemDataRole.ToolTipRole:
                return "violates" if c.label in self._violating else "does not violate"
            return c.label
        if column == ClassColumn.SUPPORT:
            return c.support if role == SORT_ROLE else str(c.support)
        if column == ClassColumn.PREDICTED:
            return c.predicted if role == SORT_ROLE else str(c.predicted)
        value = {ClassColumn.PRECISION: c.precision, ClassColumn.RECALL: c.recall}.get(column, c.f1)
        return _ratio_cell(value, role)


class TagColumn(IntEnum):
    TAG = 0
    CASES = 1
    AGREE = 2
    NO_VERDICT = 3
    AGREEMENT = 4


_TAG_HEADERS = ("Tag", "Cases", "Agree", "No verdict", "Agreement")


class TagModel(HeaderedTableModel):
    """Agreement with the expected label, per tag."""

    HEADERS = _TAG_HEADERS

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._metrics: Metrics | None = None

    def set_metrics(self, metrics: Metrics | None) -> None:
        self.beginResetModel()
        self._metrics = metrics
        self.endResetModel()

    def row_count(self) -> int:
        return 0 if self._metrics is None else len(self._metrics.tags)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self._metrics is None:
            return None
        tag, column = self._metrics.tags[index.row()], TagColumn(index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and column != TagColumn.TAG:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role not in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            return None
        if column == TagColumn.TAG:
            return tag.tag
        if column == TagColumn.AGREEMENT:
            return _ratio_cell(tag.agreement, role)
        number = {TagColumn.CASES: tag.cases, TagColumn.AGREE: tag.agree}.get(
            column, tag.no_verdict
        )
        return number if role == SORT_ROLE else str(number)
