"""The case table's proxy models: sort, text filter and an optional set of case ids.

``CaseFilterProxy`` sorts by the SORT role and keeps rows whose text contains every word of
the filter. ``CaseIdFilterProxy`` extends it with :meth:`~CaseIdFilterProxy.set_case_filter`:
a confusion-matrix cell or a flip-report tab hands it the case ids to show, ``None`` shows
every case again. Both filters apply together; it is a drop-in replacement for
``CaseFilterProxy`` in ``CasePanel``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Signal
from PySide6.QtWidgets import QComboBox

from app.gui.cases.analysis_model import FOCUS_ROLE
from app.gui.cases.model import CaseRole

# The "Show" filter: (menu text, word of FOCUS_ROLE or None for every case).
FOCUS_CHOICES = (
    ("All cases", None),
    ("Unstable only", "unstable"),
    ("Failures not triaged", "untriaged"),
    ("Gold label wrong", "gold"),
    ("Policy unclear", "policy"),
    ("Model error", "model"),
)


def change_filter(proxy: QSortFilterProxyModel, apply: Callable[[], None]) -> None:
    """Run ``apply`` (which changes what the proxy's filter keeps) and refilter the rows."""
    if hasattr(proxy, "beginFilterChange"):  # Qt 6.10+
        proxy.beginFilterChange()
        apply()
        proxy.endFilterChange(QSortFilterProxyModel.Direction.Rows)
    else:
        apply()
        proxy.invalidateFilter()


class CaseFilterProxy(QSortFilterProxyModel):
    """Sorts by the SORT role and keeps rows whose text contains every word of the filter."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self.setSortRole(CaseRole.SORT)
        self.setDynamicSortFilter(False)

    def set_filter_text(self, text: str) -> None:
        words = text.casefold().split()

        def apply() -> None:
            self._words = words

        change_filter(self, apply)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:
        if not self._words:
            return True
        index = self.sourceModel().index(source_row, 0, source_parent)
        haystack = str(index.data(CaseRole.FILTER_TEXT) or "").casefold()
        return all(word in haystack for word in self._words)


class CaseIdFilterProxy(CaseFilterProxy):
    """Text filter + sort (inherited) + an optional whitelist of case ids."""

    caseFilterChanged = Signal(bool)  # True while an id filter is active

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._ids: frozenset[str] | None = None
        self._focus: str | None = None

    def set_focus(self, word: str | None) -> None:
        """Show only cases whose analysis marks include ``word`` (``None``: every case)."""

        def apply() -> None:
            self._focus = word

        change_filter(self, apply)

    def case_filter(self) -> frozenset[str] | None:
        return self._ids

    def set_case_filter(self, case_ids: list[str] | set[str] | None) -> None:
        """Show only these case ids (``None``: no id filter)."""
        ids = None if case_ids is None else frozenset(str(i) for i in case_ids)
        if ids == self._ids:
            return

        def apply() -> None:
            self._ids = ids

        change_filter(self, apply)
        self.caseFilterChanged.emit(ids is not None)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:
        if self._ids is not None:
            index = self.sourceModel().index(source_row, 0, source_parent)
            if str(index.data(CaseRole.CASE_ID)) not in self._ids:
                return False
        if self._focus is not None:
            index = self.sourceModel().index(source_row, 0, source_parent)
            if self._focus not in str(index.data(FOCUS_ROLE) or "").split():
                return False
        return super().filterAcceptsRow(source_row, source_parent)


def focus_combo(proxy: CaseIdFilterProxy) -> QComboBox:
    """The "Show" combo of the case table's filter bar (all, unstable only, triage kinds)."""
    combo = QComboBox()
    combo.setObjectName("caseFocus")
    combo.setToolTip("Show every case, only unstable ones, or failures by triage")
    for text, word in FOCUS_CHOICES:
        combo.addItem(text, word)
    combo.currentIndexChanged.connect(lambda _i: proxy.set_focus(combo.currentData()))
    return combo
