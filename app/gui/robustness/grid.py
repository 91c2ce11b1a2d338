"""The family × rule grid of a robustness report, as a table model.

One row per family: its cases, the share whose label changed, evasions, false alarms,
McNemar's p and hit@k, then one column per rule with "changed/cases", coloured by the
share that changed (the heat colours of the rule heat map). A cell's ``UserRole`` is the
rule it stands for ("" for the summary columns), which the view uses to list the cases.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.gui.shared.theme import heat_colour
from app.reports.robustness import cell_text, columns
from app.scoring.metrics import format_ratio
from app.scoring.robustness import FamilyStats, RobustnessReport

Index = QModelIndex | QPersistentModelIndex
SUMMARY = ("cases", "changed", "evasion", "false alarm", "McNemar p", "hit@k")


def _summary(f: FamilyStats, column: int) -> str:
    values = (
        str(f.cases), format_ratio(f.attack_success), format_ratio(f.evasion_rate),
        format_ratio(f.false_alarm_rate), f"{f.mcnemar_p:.3f}", format_ratio(f.hit_at_k),
    )  # fmt: skip
    return values[column]


class GridModel(QAbstractTableModel):
    """The grid of one report (empty until :meth:`set_report`)."""

    def __init__(self) -> None:
        super().__init__()
        self.report: RobustnessReport | None = None
        self.rules: list[str] = []

    def set_report(self, report: RobustnessReport | None) -> None:
        self.beginResetModel()
        self.report = report
        self.rules = columns(report) if report is not None else []
        self.endResetModel()

    def family(self, row: int) -> str:
        return self.report.families[row].family if self.report else ""

    def rule(self, column: int) -> str:
        return self.rules[column - len(SUMMARY)] if column >= len(SUMMARY) else ""

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.report is None else len(self.report.families)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(SUMMARY) + len(self.rules)

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return self.family(section)
        if section < len(SUMMARY):
            k = self.report.k if self.report else 1
            return SUMMARY[section].replace("@k", f"@{k}")
        return self.rule(section)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self.report is None:
            return None
        stats = self.report.families[index.row()]
        rule = self.rule(index.column())
        cell = self.report.rule_grid.get(stats.family, {}).get(rule) if rule else None
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(cell) if rule else _summary(stats, index.column())
        if role == Qt.ItemDataRole.UserRole:
            return rule
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and cell is not None and cell.cases:
            return heat_colour(cell.rate or 0.0)
        if role == Qt.ItemDataRole.ForegroundRole and cell is not None and cell.cases:
            return QColor("#202020")
        if role == Qt.ItemDataRole.ToolTipRole and rule:
            return f"{stats.family} on {rule}: click to list the cases whose label changed"
        return None
