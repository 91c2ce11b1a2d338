"""The policy's output format in one line above the editor, with a way to correct it.

``FormatBar`` shows :meth:`FormatReading.summary` ("Output: VALID / INVALID, tiers SP0
(allowed) SP2 — inferred from lines 4, 11"), or the one sentence saying what to write when no
format could be read, as plain text. "Lines" lists what was read on which line and jumps
there; "Correct…"
asks the panel to open the :class:`~app.gui.policy.format_dialog.FormatDialog`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QStyle,
    QToolButton,
    QWidget,
)

from app.core.policy import FormatReading


class FormatBar(QWidget):
    """One line: how the model's answers are read, where that came from, and Correct…."""

    correctRequested = Signal()
    lineActivated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("policyFormatBar")
        self.icon = QLabel()
        self.label = QLabel()
        self.label.setObjectName("policyFormatLine")
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # label words come from the policy
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.lines_button = QToolButton()
        self.lines_button.setObjectName("policyFormatLines")
        self.lines_button.setText("Lines")
        self.lines_button.setToolTip("Go to a line the output format was read from")
        self.lines_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.lines_button.setMenu(QMenu(self.lines_button))
        self.correct_button = QToolButton()
        self.correct_button.setObjectName("policyFormatCorrect")
        self.correct_button.setText("Correct…")
        self.correct_button.setToolTip(
            "Set the output format yourself; it is written as front matter when you save"
        )
        self.correct_button.clicked.connect(self.correctRequested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(6)
        layout.addWidget(self.icon)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.lines_button)
        layout.addWidget(self.correct_button)
        self._reading: FormatReading | None = None
        self.show_reading(None, "")

    @property
    def reading(self) -> FormatReading | None:
        return self._reading

    def text(self) -> str:
        return self.label.text()

    def show_reading(self, reading: FormatReading | None, error: str) -> None:
        """Show a format reading, or ``error`` (broken front matter), or nothing for no text."""
        self._reading = reading
        style = self.style()
        problem = bool(error) or (reading is not None and bool(reading.problem))
        if error:
            text = error
        elif reading is None:
            text = "Output format: write or open a policy."
        else:
            text = reading.summary()
        pixmap = QStyle.StandardPixmap.SP_MessageBoxWarning if problem else None
        self.icon.setPixmap(style.standardIcon(pixmap).pixmap(16, 16) if pixmap else QPixmap())
        self.icon.setVisible(problem)
        self.label.setText(text)
        self.label.setToolTip(text)
        lines = reading.lines if reading is not None and not error else ()
        said = dict(reading.details) if reading is not None else {}
        menu = self.lines_button.menu()
        menu.clear()
        for line in lines:
            text = f"Line {line}: {said[line]}" if line in said else f"Line {line}"
            menu.addAction(text, lambda n=line: self.lineActivated.emit(n))
        self.lines_button.setVisible(bool(lines))
        self.correct_button.setEnabled(not error)
