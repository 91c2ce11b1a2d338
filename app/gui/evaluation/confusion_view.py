"""The confusion matrix as a table: expected labels down, predictions (and no-verdicts) across.

``ConfusionModel`` is a small ``QAbstractTableModel`` over a
:class:`app.scoring.metrics.ConfusionMatrix`; ``ConfusionRole`` gives the count, the case ids
and the kind of a cell (``right`` on the diagonal, ``wrong`` off it, ``missing`` in the
no-verdict columns). Cells are tinted by count — green on the diagonal, red off it, amber
for no-verdicts — blended into the palette's base colour so light and dark themes both read.

The tier matrix of a tiered test set uses the same view; its ``<no tier>`` column (a
verdict that gave no tier) is tinted like the no-verdict columns.

``ConfusionView`` emits ``cellActivated(case_ids)`` when a cell is clicked (or activated with
the keyboard), so the case table can filter to exactly those cases.
"""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyle, QTableView, QWidget

from app.scoring.metrics import NO_VERDICT_COLUMNS, ConfusionMatrix
from app.scoring.metrics_tiers import NO_TIER


class ConfusionRole(IntEnum):
    COUNT = Qt.ItemDataRole.UserRole + 1
    CASE_IDS = Qt.ItemDataRole.UserRole + 2
    KIND = Qt.ItemDataRole.UserRole + 3  # right / wrong / missing


_TINTS = {"right": QColor("#2e9d52"), "wrong": QColor("#d0453b"), "missing": QColor("#d98e04")}


def blend(base: QColor, tint: QColor, amount: float) -> QColor:
    """``base`` moved ``amount`` (0..1) of the way towards ``tint``."""
    amount = max(0.0, min(1.0, amount))
    return QColor(
        round(base.red() + (tint.red() - base.red()) * amount),
        round(base.green() + (tint.green() - base.green()) * amount),
        round(base.blue() + (tint.blue() - base.blue()) * amount),
    )


def readable_text(background: QColor) -> QColor:
    """Black or white, whichever reads better on ``background``."""
    luma = 0.299 * background.red() + 0.587 * background.green() + 0.114 * background.blue()
    return QColor("#111111") if luma > 140 else QColor("#f5f5f5")


class ConfusionModel(QAbstractTableModel):
    """Counts of expected (rows) x predicted (columns) with the case ids of each cell."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._matrix = ConfusionMatrix(rows=[], columns=[])
        self._max = 0
        self._base = QColor("#ffffff")

    def set_matrix(self, matrix: ConfusionMatrix | None) -> None:
        self.beginResetModel()
        self._matrix = matrix or ConfusionMatrix(rows=[], columns=[])
        self._max = max(self._matrix.counts.values(), default=0)
        self.endResetModel()

    def set_base_colour(self, colour: QColor) -> None:
        """The palette colour cells are blended from (the view passes its Base)."""
        self._base = QColor(colour)
        if self.rowCount() and self.columnCount():
            self.dataChanged.emit(
                self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1)
            )

    def matrix(self) -> ConfusionMatrix:
        return self._matrix

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._matrix.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._matrix.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0):
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if orientation == Qt.Orientation.Horizontal:
            name = self._matrix.columns[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"Predicted: {name}"
            return name.strip("<>") if name in NO_VERDICT_COLUMNS else name
        name = self._matrix.rows[section]
        return f"Expected: {name}" if role == Qt.ItemDataRole.ToolTipRole else name

    def kind(self, row: int, column: int) -> str:
        expected, predicted = self._matrix.rows[row], self._matrix.columns[column]
        if predicted in NO_VERDICT_COLUMNS or predicted == NO_TIER:
            return "missing"  # no verdict, or (tier matrix) a verdict without a tier
        return "right" if expected == predicted else "wrong"

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        key = (self._matrix.rows[index.row()], self._matrix.columns[index.column()])
        count = self._matrix.counts.get(key, 0)
        if role == Qt.ItemDataRole.DisplayRole:
            return str(count)
        if role == ConfusionRole.COUNT:
            return count
        if role == ConfusionRole.CASE_IDS:
            return list(self._matrix.case_ids.get(key, []))
        kind = self.kind(index.row(), index.column())
        if role == ConfusionRole.KIND:
            return kind
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            amount = 0.0 if not count else 0.22 + 0.68 * count / max(1, self._max)
            if kind == "right" and not count:
                amount = 0.10  # the diagonal stays visible even when empty
            background = blend(self._base, _TINTS[kind], amount)
            if role == Qt.ItemDataRole.BackgroundRole:
                return background
            return readable_text(background)
        if role == Qt.ItemDataRole.FontRole and kind == "right":
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            what = {"right": "right", "wrong": "wrong", "missing": "no verdict"}[kind]
            return f"{count} cases expected {key[0]}, predicted {key[1]} ({what}); click to filter"
        return None


ROW_LABEL_MAX = 160  # px: a longer expected label elides
ROW_LABEL_ROOM = 8  # px past the style's margins: the section's frame lines and a gap


class ConfusionView(QTableView):
    """The matrix view; ``cellActivated(case_ids)`` on click or Enter."""

    cellActivated = Signal(list)
    cellDescribed = Signal(str)  # "expected 1 · predicted 0", just before cellActivated

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.confusion_model = ConfusionModel(self)
        self.setModel(self.confusion_model)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setCornerButtonEnabled(False)
        self.setWordWrap(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.horizontalHeader().setMinimumSectionSize(48)
        for header in (self.horizontalHeader(), self.verticalHeader()):  # tooltips say it all
            header.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.setToolTip(
            "Expected labels down, predictions across; click a cell to filter the cases"
        )
        self.clicked.connect(self._on_activated)
        self.activated.connect(self._on_activated)
        self.confusion_model.modelReset.connect(self._fit_row_labels)
        self._sync_base()

    def _fit_row_labels(self) -> None:
        """The expected labels down the side are read whole: the header's own size hint
        left "0" clipped to "(" in 13 px. Long labels stop at :data:`ROW_LABEL_MAX` px and
        elide (the tooltip names them)."""
        header = self.verticalHeader()
        margin = self.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
        rows = self.confusion_model.matrix().rows
        widest = max((header.fontMetrics().horizontalAdvance(row) for row in rows), default=0)
        header.setMinimumWidth(min(ROW_LABEL_MAX, widest + 2 * margin + ROW_LABEL_ROOM))

    def set_matrix(self, matrix: ConfusionMatrix | None) -> None:
        self.confusion_model.set_matrix(matrix)

    def case_ids_at(self, row: int, column: int) -> list[str]:
        return list(self.confusion_model.index(row, column).data(ConfusionRole.CASE_IDS) or [])

    def _sync_base(self) -> None:
        self.confusion_model.set_base_colour(self.palette().color(QPalette.ColorRole.Base))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:
            self._sync_base()

    @Slot(QModelIndex)
    def _on_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            rows, columns = (
                self.confusion_model.matrix().rows,
                self.confusion_model.matrix().columns,
            )
            predicted = columns[index.column()]
            predicted = predicted.strip("<>") if predicted in NO_VERDICT_COLUMNS else predicted
            self.cellDescribed.emit(f"expected {rows[index.row()]} · predicted {predicted}")
            self.cellActivated.emit(list(index.data(ConfusionRole.CASE_IDS) or []))
