"""The Metrics tab's analysis block: stability and triage summaries, and the rule heat map.

``RuleHeatModel`` lists the policy's rules, never-cited and mostly-false-positive ones first
(:func:`app.scoring.rule_heat.ranked`), with their citation counts and a one-line hint.
``AnalysisSummary`` shows it under two summary lines (samples and triage); clicking a rule
emits ``ruleSelected(code, case_ids)`` so the window can filter the case table to the cases
that cite it.
"""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QVBoxLayout, QWidget

from app.gui.shared.table_model import RowListModel
from app.gui.shared.table_views import row_table
from app.gui.shared.theme import heat_colour
from app.gui.shared.widgets import plain_label
from app.runs.stored.analysis import RunAnalysis
from app.scoring.metrics import format_ratio
from app.scoring.rule_heat import RuleHeat, ranked


class HeatColumn(IntEnum):
    RULE = 0
    ANSWER = 1
    REASONING = 2
    PRECISION = 3
    WRONG = 4
    FALSE_POSITIVES = 5
    HINT = 6


CODE_ROLE = Qt.ItemDataRole.UserRole + 1


class RuleHeatModel(RowListModel):
    HEADERS = ("Rule", "In answer", "In reasoning", "Precision", "On wrong", "FP", "Hint")

    def __init__(self, parent=None) -> None:
        super().__init__(parent=parent)
        self._cases = 0

    def set_heats(self, heats: list[RuleHeat], cases: int) -> None:
        self._cases = cases
        self.set_rows(ranked(heats))

    def heat(self, row: int) -> RuleHeat:
        return self.row_at(row)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        h, column = self._rows[index.row()], HeatColumn(index.column())
        if role == CODE_ROLE:
            return h.code
        if role == Qt.ItemDataRole.DisplayRole:
            values = {
                HeatColumn.RULE: h.code,
                HeatColumn.ANSWER: h.answer,
                HeatColumn.REASONING: h.reasoning,
                HeatColumn.PRECISION: format_ratio(h.precision),
                HeatColumn.WRONG: h.wrong,
                HeatColumn.FALSE_POSITIVES: h.false_positives,
                HeatColumn.HINT: h.hint(self._cases),
            }
            return values[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{h.code}: {h.title}\n{h.hint(self._cases)}".strip()
        if role == Qt.ItemDataRole.BackgroundRole and column == HeatColumn.RULE and h.case_ids:
            return heat_colour(h.heat)
        if role == Qt.ItemDataRole.ForegroundRole and column == HeatColumn.RULE and h.case_ids:
            return QColor("#202020")
        return None


class AnalysisSummary(QWidget):
    """Stability and triage lines over the rule heat map (for the Metrics tab)."""

    ruleSelected = Signal(str, list)  # rule code, case ids citing it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stability_label = plain_label("", "stabilitySummary")
        self.triage_label = plain_label("", "triageSummary")
        for label in (self.stability_label, self.triage_label):  # never wider than the tab
            label.setWordWrap(True)
        self.model = RuleHeatModel(self)
        self.table = row_table(self.model)
        self.table.setObjectName("ruleHeatTable")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(HeatColumn.HINT, QHeaderView.ResizeMode.Stretch)
        self.table.clicked.connect(self._on_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stability_label)
        layout.addWidget(self.triage_label)
        layout.addWidget(plain_label("Rule heat map (click a rule to show the cases citing it)"))
        layout.addWidget(self.table, 1)
        self.show_analysis(None)

    def show_analysis(self, analysis: RunAnalysis | None) -> None:
        if analysis is None:
            self.stability_label.setText("Run the test set to see which rules its cases cite.")
            self.triage_label.setText("")
            self.model.set_heats([], 0)
            return
        s = analysis.stability_summary
        if s is None:
            self.stability_label.setText("One sample per case; use Run ×k to measure stability.")
        else:
            share = format_ratio(s.share_unstable)
            self.stability_label.setText(
                f"{analysis.samples} samples per case: {s.unstable} of {s.cases} cases unstable "
                f"({share}); 95% interval accuracy {s.accuracy_ci.text()}, F1 {s.f1_ci.text()}."
            )
        self.triage_label.setText("Triage " + analysis.triage_line() + ".")
        self.model.set_heats(analysis.heats, len(analysis.results))

    def _on_clicked(self, index: QModelIndex) -> None:
        heat = self.model.heat(index.row())
        self.ruleSelected.emit(heat.code, list(heat.case_ids or []))
