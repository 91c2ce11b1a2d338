"""The import dialog's extra content/label column pairs ("Add a pair").

A prompt and a model's response labelled on one row are two cases: the first pair is the
dialog's Content / Expected label choice, and each extra pair here adds one more case per
row, tagged with its content column's name (see :mod:`app.importing.importer`). Rows are added
with *Add a pair* and removed with their own *Remove* button; the combos list the file's
columns and keep their choice when the preview changes. *The first pair is the prompt*
(on by default, shown while there are extra pairs) links them: the first pair's case is
tagged ``prompt``, each other pair's case ``response`` and keeps the row's prompt, which the
model then sees before the response (``ColumnMapping.link_pairs``).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.gui.shared.widgets import plain_label


class ExtraPairs(QWidget):
    """Zero or more (content, label) column pairs after the first one."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._columns: list[str] = []
        self._rows: list[tuple[QComboBox, QComboBox, list[QWidget]]] = []
        self.grid = QGridLayout()
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.add_button = QPushButton("Add a pair")
        self.add_button.setToolTip(
            "Import another content column with its label column from the same rows "
            "(e.g. a prompt and its response): each pair gives one case per row."
        )
        self.add_button.clicked.connect(lambda: self.add_pair())
        self.link_check = QCheckBox("The first pair is the prompt; the others answer it")
        self.link_check.setToolTip(
            "Each response case keeps the prompt of its row and is judged with it; "
            "cases are tagged prompt and response. Off: unrelated cases tagged by column."
        )
        self.link_check.setChecked(True)
        self.link_check.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.grid)
        layout.addWidget(self.link_check)
        layout.addWidget(self.add_button)

    def _combo(self, with_none: bool) -> QComboBox:
        combo = QComboBox()
        combo.setMinimumContentsLength(12)
        self._fill(combo, with_none, None)
        combo.currentIndexChanged.connect(self.changed)
        return combo

    def _fill(self, combo: QComboBox, with_none: bool, chosen: int | None) -> None:
        combo.blockSignals(True)
        combo.clear()
        if with_none:
            combo.addItem("(none)", None)
        for index, name in enumerate(self._columns):
            combo.addItem(name, index)
        combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen is not None else 0)
        combo.blockSignals(False)

    def add_pair(self, content: int | None = None, label: int | None = None) -> None:
        """Add a pair row, choosing these columns (0-based) when given."""
        number = len(self._rows) + 2
        content_combo, label_combo = self._combo(False), self._combo(True)
        self._fill(content_combo, False, content)
        self._fill(label_combo, True, label)
        remove = QPushButton("Remove")
        widgets: list[QWidget] = [
            plain_label(f"Content {number}:"), content_combo,
            plain_label(f"Label {number}:"), label_combo, remove,
        ]  # fmt: skip
        row = self.grid.rowCount()  # two lines per pair, laid out like the form above
        for widget, (line, column) in zip(
            widgets, ((0, 0), (0, 1), (1, 0), (1, 1), (0, 2)), strict=True
        ):  # noqa: E501
            self.grid.addWidget(widget, row + line, column)
        entry = (content_combo, label_combo, widgets)
        self._rows.append(entry)
        self.link_check.setVisible(True)
        remove.clicked.connect(lambda: self.remove_pair(self._rows.index(entry)))
        self.changed.emit()

    def remove_pair(self, index: int) -> None:
        _content, _label, widgets = self._rows.pop(index)
        for widget in widgets:
            self.grid.removeWidget(widget)
            widget.deleteLater()
        self._renumber()
        self.link_check.setVisible(bool(self._rows))
        self.changed.emit()

    def _renumber(self) -> None:
        for number, (_c, _l, widgets) in enumerate(self._rows, start=2):
            widgets[0].setText(f"Content {number}:")  # type: ignore[attr-defined]
            widgets[2].setText(f"Label {number}:")  # type: ignore[attr-defined]

    def clear(self) -> None:
        while self._rows:
            self.remove_pair(len(self._rows) - 1)

    def set_pairs(self, pairs: list[tuple[int, int]]) -> None:
        """Replace the extra pairs with these (content, label) columns."""
        self.clear()
        for content, label in pairs:
            self.add_pair(content, label)

    def set_columns(self, columns: list[str]) -> None:
        """New column names (a new preview); each pair keeps its column where it can."""
        self._columns = list(columns)
        for content, label, _widgets in self._rows:
            self._fill(content, False, content.currentData())
            self._fill(label, True, label.currentData())

    def pairs(self) -> list[tuple[int, int | None]]:
        """(content, label) column indices of each extra pair, in order."""
        return [(c.currentData() or 0, lab.currentData()) for c, lab, _ in self._rows]

    def linked(self) -> bool:
        """Whether the pairs are a prompt and its responses (see the module notes)."""
        return self.link_check.isChecked()

    def count(self) -> int:
        return len(self._rows)
