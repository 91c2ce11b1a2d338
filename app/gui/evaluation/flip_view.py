"""The flip report between two runs: what an edit of the policy fixed, broke or changed.

Top: the metric deltas (before → after, signed difference). Tabs filter the flipped cases:
fixed (now right), broken (now wrong), changed but still wrong, or all. Each row shows the
case, a preview of its content and the label before and after; selecting a row shows both
reasonings side by side (plain text). ``caseSelected(case_id)`` lets the window select the
case in its table; ``casesShown(case_ids)`` carries the ids of the current tab so the case
table can filter to them.
"""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QGridLayout,
    QHeaderView,
    QPlainTextEdit,
    QSplitter,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from app.gui.shared.table_model import HeaderedTableModel
from app.gui.shared.table_views import row_table
from app.gui.shared.widgets import plain_label
from app.scoring.flips import KINDS, Flip, FlipReport
from app.scoring.metrics import format_ratio
from app.scoring.outcome import answer_text

TABS = (*KINDS, "all")
TAB_NAMES = {"fixed": "Fixed", "broken": "Broken", "changed": "Changed, still wrong", "all": "All"}
DELTA_METRICS = ("accuracy", "precision", "recall", "f1", "coverage")
_KIND_COLOURS = {
    "fixed": QColor("#2e9d52"),
    "broken": QColor("#d0453b"),
    "changed": QColor("#d98e04"),
}


class FlipColumn(IntEnum):
    KIND = 0
    CASE = 1
    CONTENT = 2
    EXPECTED = 3
    BEFORE = 4
    AFTER = 5


_HEADERS = ("Kind", "Case", "Content", "Expected", "Before", "After")
FLIP_ROLE = Qt.ItemDataRole.UserRole + 1


class FlipTableModel(HeaderedTableModel):
    """Flipped cases of one kind (or all)."""

    HEADERS = _HEADERS

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._flips: list[Flip] = []

    def set_flips(self, flips: list[Flip]) -> None:
        self.beginResetModel()
        self._flips = list(flips)
        self.endResetModel()

    def flip(self, row: int) -> Flip:
        return self._flips[row]

    def row_count(self) -> int:
        return len(self._flips)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        flip, column = self._flips[index.row()], FlipColumn(index.column())
        if role == FLIP_ROLE:
            return flip
        if role == Qt.ItemDataRole.ForegroundRole and column == FlipColumn.KIND:
            return _KIND_COLOURS.get(flip.kind)
        if role == Qt.ItemDataRole.ToolTipRole and column == FlipColumn.CONTENT:
            return flip.content[:600]
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return {
            FlipColumn.KIND: flip.kind,
            FlipColumn.CASE: flip.case_id,
            FlipColumn.CONTENT: " ".join(flip.content.split())[:160],
            FlipColumn.EXPECTED: flip.expected,
            FlipColumn.BEFORE: answer_text(flip.before),
            FlipColumn.AFTER: answer_text(flip.after),
        }[column]


def delta_text(name: str, report: FlipReport) -> str:
    """'accuracy 0.800 → 0.850 (+0.050)'."""
    before = report.metrics_before.value(name) if report.metrics_before else None
    after = report.metrics_after.value(name) if report.metrics_after else None
    delta = report.deltas.get(name)
    change = "" if delta is None else f" ({delta:+.3f})"
    return f"{name.capitalize() if name != 'f1' else 'F1'} {format_ratio(before)} → {format_ratio(after)}{change}"


def reasoning_text(flip: Flip, side: str) -> str:
    """What one run said about a flipped case: label, rule codes, reasoning, answer."""
    result = flip.before if side == "before" else flip.after
    lines = [f"Predicted: {answer_text(result)}    expected: {flip.expected}"]
    if result.rule_codes:
        lines.append("Rule codes: " + ", ".join(result.rule_codes))
    if result.message:
        lines.append(result.message)
    lines += ["", result.analysis or "(no reasoning stored)"]
    if result.final:
        lines += ["", "Final answer: " + result.final]
    return "\n".join(lines)


class FlipView(QWidget):
    """Deltas, kind tabs, the flipped cases and both reasonings of the selected one."""

    caseSelected = Signal(str)
    casesShown = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._report: FlipReport | None = None
        self.summary = plain_label("No flip report yet: pick two runs to compare.", "sectionLabel")
        self.delta_labels = {name: plain_label("", f"delta_{name}") for name in DELTA_METRICS}
        deltas = QGridLayout()  # three a row: the five fit a 1024-pixel screen
        deltas.setHorizontalSpacing(18)
        for position, label in enumerate(self.delta_labels.values()):
            deltas.addWidget(label, position // 3, position % 3)
        deltas.setColumnStretch(3, 1)
        self.tabs = QTabBar()
        self.tabs.setExpanding(False)
        for kind in TABS:
            self.tabs.addTab(TAB_NAMES[kind])
        self.tabs.currentChanged.connect(self._on_tab)
        self.model = FlipTableModel(self)
        self.table = row_table(self.model)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(FlipColumn.CONTENT, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(self._on_row)

        self.before_title = plain_label("Before", "sectionLabel")
        self.after_title = plain_label("After", "sectionLabel")
        self.before_edit, self.after_edit = QPlainTextEdit(), QPlainTextEdit()
        sides = QSplitter(Qt.Orientation.Horizontal)
        for title, edit in (
            (self.before_title, self.before_edit),
            (self.after_title, self.after_edit),
        ):
            edit.setReadOnly(True)
            box = QWidget()
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(0, 0, 0, 0)
            box_layout.addWidget(title)
            box_layout.addWidget(edit, 1)
            sides.addWidget(box)
        sides.setChildrenCollapsible(False)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(sides)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.summary)
        layout.addLayout(deltas)
        layout.addWidget(self.tabs)
        layout.addWidget(splitter, 1)

    def report(self) -> FlipReport | None:
        return self._report

    def set_report(self, report: FlipReport | None, before: str = "", after: str = "") -> None:
        """Show a flip report; ``before`` / ``after`` name the runs in the titles."""
        self._report = report
        self.before_title.setText(f"Before: {before or (report.run_before if report else '')}")
        self.after_title.setText(f"After: {after or (report.run_after if report else '')}")
        if report is None:
            self.summary.setText("No flip report yet: pick two runs to compare.")
            self.model.set_flips([])
            return
        extra = []
        if report.only_after:
            extra.append(f"{len(report.only_after)} new cases")
        if report.only_before:
            extra.append(f"{len(report.only_before)} cases no longer in the set")
        self.summary.setText(report.summary() + (f" ({'; '.join(extra)})" if extra else ""))
        for name, label in self.delta_labels.items():
            label.setText(delta_text(name, report))
            delta = report.deltas.get(name)
            tone = "" if not delta else ("#2e9d52" if delta > 0 else "#d0453b")
            label.setStyleSheet(f"QLabel {{ color: {tone}; }}" if tone else "")
        for position, kind in enumerate(TABS):
            count = len(report.flips) if kind == "all" else len(report.of_kind(kind))
            self.tabs.setTabText(position, f"{TAB_NAMES[kind]} ({count})")
        self._on_tab(self.tabs.currentIndex())

    def show_kind(self, kind: str) -> None:
        self.tabs.setCurrentIndex(TABS.index(kind))

    def shown_ids(self) -> list[str]:
        return [self.model.flip(row).case_id for row in range(self.model.rowCount())]

    @Slot(int)
    def _on_tab(self, position: int) -> None:
        if self._report is None or position < 0:
            return
        kind = TABS[position]
        flips = self._report.flips if kind == "all" else self._report.of_kind(kind)
        self.model.set_flips(flips)
        self.before_edit.clear()
        self.after_edit.clear()
        if flips:
            self.table.selectRow(0)
        self.casesShown.emit(self.shown_ids())

    @Slot(QModelIndex, QModelIndex)
    def _on_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        flip = self.model.flip(current.row())
        self.before_edit.setPlainText(reasoning_text(flip, "before"))
        self.after_edit.setPlainText(reasoning_text(flip, "after"))
        self.caseSelected.emit(flip.case_id)
