"""A case-table proxy that can also keep only a given set of case ids.

``CaseIdFilterProxy`` extends the workbench's ``CaseFilterProxy`` (text filter and sort)
with :meth:`set_case_filter`: a confusion-matrix cell or a flip-report tab hands it the case
ids to show, ``None`` shows every case again. Both filters apply together. It is a drop-in
replacement for ``CaseFilterProxy`` in ``CasePanel``.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Signal

from app.gui.case_model import CaseFilterProxy, CaseRole


class CaseIdFilterProxy(CaseFilterProxy):
    """Text filter + sort (inherited) + an optional whitelist of case ids."""

    caseFilterChanged = Signal(bool)  # True while an id filter is active

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._ids: frozenset[str] | None = None

    def case_filter(self) -> frozenset[str] | None:
        return self._ids

    def set_case_filter(self, case_ids: list[str] | set[str] | None) -> None:
        """Show only these case ids (``None``: no id filter)."""
        ids = None if case_ids is None else frozenset(str(i) for i in case_ids)
        if ids == self._ids:
            return
        if hasattr(self, "beginFilterChange"):  # Qt 6.10+
            self.beginFilterChange()
            self._ids = ids
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._ids = ids
            self.invalidateFilter()
        self.caseFilterChanged.emit(ids is not None)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:
        if self._ids is not None:
            index = self.sourceModel().index(source_row, 0, source_parent)
            if str(index.data(CaseRole.CASE_ID)) not in self._ids:
                return False
        return super().filterAcceptsRow(source_row, source_parent)
