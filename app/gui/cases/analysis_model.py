"""The case table with two analysis columns: stability (after Run ×k) and triage.

``AnalysedCaseModel`` is the :class:`~app.gui.cases.model.CaseTableModel` with a *Stability*
column (agreement of the k samples, "unstable" below the threshold; sorts by agreement) and
a *Triage* column (gold / policy / model, as filed under the current policy version).
``FOCUS_ROLE`` gives the words the "Show" filter of :mod:`app.gui.cases.filter` matches:
``unstable``, ``failed``, ``untriaged`` and the triage kind.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from app.gui.cases.model import CaseRole, CaseTableModel, Column
from app.runs.stored.triage_book import KIND_NAMES
from app.scoring.stability import CaseStability


class AnalysisColumn(IntEnum):
    STABILITY = len(Column)
    TRIAGE = len(Column) + 1


FOCUS_ROLE = Qt.ItemDataRole.UserRole + 20
UNSTABLE_RED = QColor("#c0392b")
_TRIAGE_SHORT = {"gold": "gold label", "policy": "policy unclear", "model": "model error"}


class AnalysedCaseModel(CaseTableModel):
    """Cases and results (inherited) plus stability and triage per case id."""

    HEADERS = (*CaseTableModel.HEADERS, "Stability", "Triage")
    analysisChanged = Signal(bool, bool)  # there is stability data, there is triage data

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._stability: dict[str, CaseStability] = {}
        self._triage: dict[str, str] = {}
        self._failed: set[str] = set()
        self._analysis_readers = self._analysis_role_readers()

    def set_analysis(
        self, stability: dict[str, CaseStability], triage: dict[str, str], failed: set[str]
    ) -> None:
        """Stability per case id, triage kind per case id, and the ids that failed."""
        self._stability, self._triage, self._failed = dict(stability), dict(triage), set(failed)
        self.analysisChanged.emit(bool(self._stability), bool(self._triage))
        if self.rowCount():
            last = self.index(self.rowCount() - 1, len(self.HEADERS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def stability(self, case_id: str) -> CaseStability | None:
        return self._stability.get(case_id)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        column = index.column()
        if column < len(Column) and role != FOCUS_ROLE:
            return super().data(index, role)
        case_id = self.case_at(index.row()).id
        if role == FOCUS_ROLE:
            return self._focus(case_id)
        reader = self._analysis_readers.get(role)
        return None if reader is None else reader(case_id, AnalysisColumn(column))

    def _analysis_role_readers(self) -> dict[int, Callable[[str, AnalysisColumn], object]]:
        """What ``data`` answers per role in the two analysis columns, from the case id."""
        role = Qt.ItemDataRole
        return {
            role.DisplayRole: self._display_extra,
            CaseRole.SORT: self._sort_key,
            CaseRole.CASE_ID: lambda case_id, _column: case_id,
            role.ToolTipRole: self._tooltip_extra,
            role.ForegroundRole: lambda case_id, column: (
                UNSTABLE_RED
                if column == AnalysisColumn.STABILITY and self._unstable(case_id)
                else None
            ),
            role.TextAlignmentRole: lambda _case_id, _column: int(Qt.AlignmentFlag.AlignCenter),
        }

    def _sort_key(self, case_id: str, column: AnalysisColumn) -> float | str:
        if column == AnalysisColumn.STABILITY:
            stability = self._stability.get(case_id)
            return -1.0 if stability is None else stability.agreement
        return self._triage.get(case_id, "")

    def _tooltip_extra(self, case_id: str, column: AnalysisColumn) -> str | None:
        stability = self._stability.get(case_id)
        if stability is not None and column == AnalysisColumn.STABILITY:
            return f"{len(stability.predictions)} samples: {stability.votes}"
        if case_id in self._triage:
            return f"Filed as {KIND_NAMES[self._triage[case_id]]}"
        return None

    def _unstable(self, case_id: str) -> bool:
        stability = self._stability.get(case_id)
        return stability is not None and stability.unstable

    def _display_extra(self, case_id: str, column: AnalysisColumn) -> str:
        if column == AnalysisColumn.TRIAGE:
            return _TRIAGE_SHORT.get(self._triage.get(case_id, ""), "")
        stability = self._stability.get(case_id)
        if stability is None:
            return ""
        agree = round(stability.agreement * len(stability.predictions))
        text = f"{agree}/{len(stability.predictions)}"
        return f"unstable {text}" if stability.unstable else text

    def _focus(self, case_id: str) -> str:
        words = []
        stability = self._stability.get(case_id)
        if stability is not None and stability.unstable:
            words.append("unstable")
        if case_id in self._failed:
            words.append("failed")
            if case_id not in self._triage:
                words.append("untriaged")
        if case_id in self._triage:
            words.append(self._triage[case_id])
        return " ".join(words)
