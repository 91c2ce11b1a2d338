"""Policy history: the recorded versions with their metrics, a diff of any two, restore.

``HistoryDialog`` is given the version summaries (gathered off the GUI thread by the
``EvaluationController``) and, optionally, the text now in the editor; opened before they
arrive (``history=None``) it says it is reading them until :meth:`set_history` fills it.
It opens on the newest pair: the newest version against the editor text when that differs,
else the version before it against the newest, scrolled to the first change. The table lists
each version's time, note, number of runs and the metrics of its latest run. Two combos pick
the versions to compare (the editor text is offered as "Current text"); selecting one row
compares it with the newest version (or the current text), selecting two rows compares
them, older on the left. "Restore this version" emits ``restoreRequested(text)`` with the
exact text of the version selected in the table: the window decides what to do with it.
"""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.gui.evaluation.data import VersionSummary
from app.gui.evaluation.diff_view import DiffView
from app.gui.shared.screen_fit import fit_to_screen
from app.gui.shared.table_model import RowListModel
from app.gui.shared.table_views import row_table
from app.scoring.metrics import format_ratio

CURRENT = "__current__"


class VersionColumn(IntEnum):
    VERSION = 0
    TIME = 1
    NOTE = 2
    RUNS = 3
    ACCURACY = 4
    PRECISION = 5
    RECALL = 6
    F1 = 7


_HEADERS = ("Version", "Saved", "Note", "Runs", "Accuracy", "Precision", "Recall", "F1")
_METRIC = {
    VersionColumn.ACCURACY: "accuracy",
    VersionColumn.PRECISION: "precision",
    VersionColumn.RECALL: "recall",
    VersionColumn.F1: "f1",
}
HASH_ROLE = Qt.ItemDataRole.UserRole + 1


class VersionTableModel(RowListModel):
    """One row per policy version, newest first."""

    HEADERS = _HEADERS

    def __init__(self, history: list[VersionSummary], parent=None) -> None:
        super().__init__(reversed(history), parent)

    def summary(self, row: int) -> VersionSummary:
        return self.row_at(row)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        s, column = self._rows[index.row()], VersionColumn(index.column())
        if role == HASH_ROLE:
            return s.version.hash
        if role == Qt.ItemDataRole.ToolTipRole and column == VersionColumn.NOTE:
            return s.version.note or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= VersionColumn.RUNS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == VersionColumn.VERSION:
            return s.label
        if column == VersionColumn.TIME:
            return s.when
        if column == VersionColumn.NOTE:
            return " ".join(s.version.note.split())
        if column == VersionColumn.RUNS:
            return str(s.runs)
        return format_ratio(s.metric(_METRIC[column])) if s.metrics else "—"


class HistoryDialog(QDialog):
    """Versions, a side-by-side diff and restore (see the module notes)."""

    restoreRequested = Signal(str)

    def __init__(
        self,
        history: list[VersionSummary] | None,
        current_text: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Policy history")
        fit_to_screen(self, 1100, 720)
        self._history: list[VersionSummary] = []
        self._texts: dict[str, str] = {}
        self._names: dict[str, str] = {}
        self._current = current_text
        self.loading = history is None

        self.model = VersionTableModel([], self)
        self.table = row_table(self.model, QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(VersionColumn.NOTE, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)

        self.left_combo, self.right_combo = QComboBox(), QComboBox()
        for combo in (self.left_combo, self.right_combo):
            combo.currentIndexChanged.connect(self._show_diff)
        compare = QHBoxLayout()
        compare.addWidget(QLabel("Compare"))
        compare.addWidget(self.left_combo, 1)
        compare.addWidget(QLabel("with"))
        compare.addWidget(self.right_combo, 1)
        self.diff = DiffView()

        self.restore_button = QPushButton("Restore this version")
        self.restore_button.setToolTip("Put the selected version's text back into the editor")
        self.restore_button.clicked.connect(self._restore)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addLayout(compare)
        lower_layout.addWidget(self.diff, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)

        self.restore_button.setEnabled(False)
        if history is None:
            self.diff.summary.setText("Reading the policy history…")
        else:
            self.set_history(history)

    def set_history(self, history: list[VersionSummary]) -> None:
        """Show these versions (newest first) and open on the newest pair."""
        self.loading = False
        self._history = list(history)
        self._texts = {s.version.hash: s.version.text for s in history}
        self._names = {s.version.hash: f"{s.label} · {s.when}" for s in history}
        if self._current is not None:
            self._texts[CURRENT], self._names[CURRENT] = self._current, "Current text"
        self.model.set_rows(list(reversed(self._history)))
        for combo in (self.left_combo, self.right_combo):
            combo.blockSignals(True)
            combo.clear()
            for key, name in self._names.items():
                combo.addItem(name, key)
            combo.blockSignals(False)
        if self._history:
            self.table.selectRow(0)
        else:
            self.diff.summary.setText("No versions recorded yet: each run records one.")

    # --- comparing ------------------------------------------------------------------
    def compare(self, left: str, right: str) -> None:
        """Diff two versions by hash (or CURRENT for the editor text)."""
        for combo, key in ((self.left_combo, left), (self.right_combo, right)):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(key)))
            combo.blockSignals(False)
        self._show_diff()

    @Slot()
    def _show_diff(self) -> None:
        left, right = self.left_combo.currentData(), self.right_combo.currentData()
        if left is None or right is None:
            return
        self.diff.set_texts(
            self._texts[left], self._texts[right], self._names[left], self._names[right]
        )

    def selected_hashes(self) -> list[str]:
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.model.summary(row).version.hash for row in rows]

    @Slot()
    def _on_selection(self, *_args) -> None:
        chosen = self.selected_hashes()  # newest first (the table is newest first)
        self.restore_button.setEnabled(len(chosen) == 1)
        if len(chosen) >= 2:
            self.compare(chosen[-1], chosen[0])
        elif len(chosen) == 1:
            newest = self._history[-1].version.hash
            edited = self._current is not None and self._current != self._texts[newest]
            other = CURRENT if edited else newest
            if other == chosen[0] and len(self._history) > 1:
                self.compare(self._history[-2].version.hash, chosen[0])
            else:
                self.compare(chosen[0], other)

    @Slot()
    def _restore(self) -> None:
        chosen = self.selected_hashes()
        if len(chosen) == 1:
            self.restoreRequested.emit(self._texts[chosen[0]])
