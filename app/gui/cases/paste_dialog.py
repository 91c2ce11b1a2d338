""" "Paste many cases": a small dialog that splits pasted text into test cases.

Two ways to split: one case per non-empty line, or blocks separated by blank lines (for
multi-line content such as emails). ``split_cases`` is plain Python so it is tested alone.
"""

from __future__ import annotations

import re

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.gui.shared.screen_fit import fit_to_screen

MODES = ("lines", "blocks")


def split_cases(text: str, mode: str = "lines") -> list[str]:
    """Pasted text -> case contents: one per line, or one per blank-line-separated block."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if mode == "blocks":
        parts = re.split(r"\n[ \t]*\n", text)
        return [part.strip("\n").rstrip() for part in parts if part.strip()]
    return [line.strip() for line in text.split("\n") if line.strip()]


def guess_mode(text: str) -> str:
    """Blocks when the text has blank-line gaps and most blocks span several lines."""
    blocks = split_cases(text, "blocks")
    multi = sum(1 for block in blocks if "\n" in block)
    return "blocks" if len(blocks) > 1 and multi * 2 > len(blocks) else "lines"


class PasteCasesDialog(QDialog):
    """Asks for pasted text, how to split it and one expected label for all of them."""

    def __init__(self, labels: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Paste many cases")
        fit_to_screen(self, 560, 420)
        self.text_edit = QPlainTextEdit()
        self.text_edit.setPlaceholderText(
            "Paste content here: one case per line, or cases separated by blank lines."
        )
        self.lines_button = QRadioButton("One case per line")
        self.blocks_button = QRadioButton("Cases separated by blank lines")
        self.lines_button.setChecked(True)
        self.expected_combo = QComboBox()
        self.expected_combo.addItem("(not set)", "")
        for label in labels:
            self.expected_combo.addItem(label, label)
        self.count_label = QLabel()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self._ok = buttons.button(QDialogButtonBox.StandardButton.Ok)

        form = QFormLayout()
        form.addRow("Expected label for all:", self.expected_combo)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text_edit, 1)
        layout.addWidget(self.lines_button)
        layout.addWidget(self.blocks_button)
        layout.addLayout(form)
        layout.addWidget(self.count_label)
        layout.addWidget(buttons)

        self._auto_mode = True
        self.text_edit.textChanged.connect(self._on_text_changed)
        self.lines_button.toggled.connect(self._on_mode_clicked)
        self._update_count()

    def mode(self) -> str:
        return "blocks" if self.blocks_button.isChecked() else "lines"

    def set_text(self, text: str) -> None:
        self.text_edit.setPlainText(text)

    def contents(self) -> list[str]:
        return split_cases(self.text_edit.toPlainText(), self.mode())

    def expected(self) -> str:
        return str(self.expected_combo.currentData() or "")

    def _on_text_changed(self) -> None:
        if self._auto_mode:
            blocks = guess_mode(self.text_edit.toPlainText()) == "blocks"
            self.blocks_button.blockSignals(True)
            self.lines_button.blockSignals(True)
            self.blocks_button.setChecked(blocks)
            self.lines_button.setChecked(not blocks)
            self.blocks_button.blockSignals(False)
            self.lines_button.blockSignals(False)
        self._update_count()

    def _on_mode_clicked(self) -> None:
        self._auto_mode = False
        self._update_count()

    def _update_count(self) -> None:
        count = len(self.contents())
        self.count_label.setText(f"{count} case{'s' if count != 1 else ''} will be added.")
        self._ok.setEnabled(count > 0)
