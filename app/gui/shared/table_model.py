"""The part every table model of the app shares: fixed column headers and a row count.

Subclasses set ``HEADERS`` (one title per column, in column order) and implement
``row_count()`` and ``data()``; Qt's ``rowCount``, ``columnCount`` and ``headerData`` are
answered here once. :class:`RowListModel` is the same over a plain list of row objects.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Parent = QModelIndex | QPersistentModelIndex


class HeaderedTableModel(QAbstractTableModel):
    """A flat table model with a fixed tuple of column titles."""

    HEADERS: tuple[str, ...] = ()

    def row_count(self) -> int:
        raise NotImplementedError  # every subclass says how many rows it has

    def rowCount(self, parent: Parent = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.row_count()

    def columnCount(self, parent: Parent = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return None


class RowListModel(HeaderedTableModel):
    """A headered table over a list of row objects; subclasses implement ``data()``."""

    def __init__(self, rows=(), parent=None) -> None:
        super().__init__(parent)
        self._rows = list(rows)

    def set_rows(self, rows) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int):
        return self._rows[row]

    def row_count(self) -> int:
        return len(self._rows)
