"""The import dialog's label mapping: labels in the file that the policy does not know.

When an import refuses rows for labels the policy does not know (``SP0``, ``SP2``... in a
file imported for a policy whose tiers are not stated, or ``spam`` / ``ham``), the report
page shows one line per value with how many rows carry it and a choice of the policy's
labels, pre-set to :func:`app.importing.labels.suggest_label` (``SP0`` -> the label that
does not violate, ``SP2``... -> the violating one), or *(leave out)*. *Import again with
these labels* imports the file again with the mapping (:attr:`ColumnMapping.label_map`).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QPushButton, QVBoxLayout, QWidget

from app.core.policy import OutputFormat
from app.gui.shared.widgets import plain_label
from app.importing.labels import map_key, suggest_label

MAX_VALUES = 30  # values offered; more are named in the sentence only


class LabelMapBox(QWidget):
    """One combo per unknown label value; ``applyClicked`` asks for a new import."""

    applyClicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combos: dict[str, QComboBox] = {}
        self._kept: dict[str, str] = {}  # map_key(value) -> label chosen so far
        self._file = ""
        self.intro = plain_label("")
        self.intro.setWordWrap(True)
        self.form = QFormLayout()
        self.apply_button = QPushButton("Import again with these labels")
        self.apply_button.clicked.connect(self.applyClicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.apply_button)
        self.hide()

    def set_values(self, unknown: dict[str, int], output: OutputFormat | None) -> None:
        """Offer a label for each value (shown only when there are values and a policy)."""
        while self.form.rowCount():
            self.form.removeRow(0)
        self.combos.clear()
        if not unknown or output is None or not output.labels:
            self.hide()
            return
        values = sorted(unknown, key=lambda value: -unknown[value])
        rows = sum(unknown.values())
        self.intro.setText(
            f"{rows} rows have labels this policy does not know ({', '.join(values[:8])}"
            f"{', ...' if len(values) > 8 else ''}). Choose the policy label each one means, "
            "or state the policy's tiers in the policy and import again."
        )
        for value in values[:MAX_VALUES]:
            combo = QComboBox()
            combo.addItem("(leave out)", "")
            for label in output.labels:
                meaning = "violates" if output.is_violating(label) else "does not violate"
                combo.addItem(f"{label} — {meaning}", label)
            chosen = self._kept.get(map_key(value)) or suggest_label(value, output) or ""
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
            self.combos[value] = combo
            self.form.addRow(f"{value[:40]} ({unknown[value]} rows):", combo)
        self.show()

    def mapping(self) -> dict[str, str]:
        """The labels chosen so far (keys by :func:`map_key`), this and earlier offers."""
        for value, combo in self.combos.items():
            if combo.currentData():
                self._kept[map_key(value)] = combo.currentData()
            else:
                self._kept.pop(map_key(value), None)
        return dict(self._kept)

    def for_file(self, path: str) -> None:
        """The file being imported; another file than before forgets the labels chosen."""
        if path != self._file:
            self._file = path
            self._kept.clear()
            self.set_values({}, None)
