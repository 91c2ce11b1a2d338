"""A suggested policy edit shown as a diff, with *Apply*, *Check* and *Discard*.

``SuggestionView`` shows the unified diff of the policy (removed lines red, added green, as
plain text), the section it changes and what the check found. *Apply* emits
``applyRequested(new_text)`` (the window makes it a new, undoable draft); *Check* emits
``checkRequested(new_text)`` (the window runs the held-out cases: :meth:`show_checking`
while they run, then :meth:`show_check` with the result or :meth:`show_check_error` with one
sentence; the title keeps naming the section, so no "Checking…" outlives the check);
*Discard* clears it. An answer that is not a usable replacement arrives
through :meth:`show_error` and is never offered for applying.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QFont, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.suggest import Suggestion
from app.gui.shared.theme import palette_is_dark
from app.gui.shared.widgets import plain_label
from app.scoring.flips import FlipReport


def _line_colour(line: str, dark: bool) -> QColor | None:
    if line.startswith(("+++", "---")):
        return None
    if line.startswith("+"):
        return QColor("#1e4d2b" if dark else "#d8f5dd")
    if line.startswith("-"):
        return QColor("#5a1f1f" if dark else "#fadada")
    if line.startswith("@@"):
        return QColor("#333a4d" if dark else "#e6ebf5")
    return None


class SuggestionView(QWidget):
    """The diff of one suggested edit and what to do with it."""

    applyRequested = Signal(str)  # the whole new policy text
    checkRequested = Signal(str)
    discarded = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.suggestion: Suggestion | None = None
        self.title = plain_label("No suggestion yet: select failing cases, then Suggest an edit.")
        self.title.setObjectName("suggestionTitle")
        self.title.setWordWrap(True)
        self.diff = QPlainTextEdit()
        self.diff.setReadOnly(True)
        self.diff.setObjectName("suggestionDiff")
        self.diff.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.TypeWriter)
        self.diff.setFont(font)
        self.check_label = plain_label("", "suggestionCheck")
        self.check_label.setWordWrap(True)
        self.apply_button = QPushButton("Apply as new draft")
        self.check_button = QPushButton("Check on held-out cases")
        self.discard_button = QPushButton("Discard")
        self.apply_button.clicked.connect(self._apply)
        self.check_button.clicked.connect(self._check)
        self.discard_button.clicked.connect(self.clear)
        buttons = QHBoxLayout()
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.apply_button)
        buttons.addStretch(1)
        buttons.addWidget(self.discard_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.diff, 1)
        layout.addWidget(self.check_label)
        layout.addLayout(buttons)
        self._set_buttons(False)

    def _set_buttons(self, on: bool) -> None:
        for button in (self.apply_button, self.check_button, self.discard_button):
            button.setEnabled(on)

    def show_busy(self, text: str) -> None:
        self.title.setText(text)
        self._set_buttons(False)

    def show_checking(self, text: str) -> None:
        """The held-out check runs: said under the diff, the suggestion's title stays."""
        self.check_label.setText(text)
        self._set_buttons(False)

    def _title(self) -> str:
        if self.suggestion is None:
            return "No suggestion yet: select failing cases, then Suggest an edit."
        return f"Suggested change to the section “{self.suggestion.section}”:"

    def show_suggestion(self, suggestion: Suggestion) -> None:
        self.suggestion = suggestion
        self.title.setText(self._title())
        lines = suggestion.diff()
        self.diff.setPlainText("\n".join(lines))
        dark = palette_is_dark(self.palette())
        selections = []
        block = self.diff.document().firstBlock()
        for line in lines:
            colour = _line_colour(line, dark)
            if colour is not None:
                selection = QTextEdit.ExtraSelection()
                fmt = QTextCharFormat()
                fmt.setBackground(colour)
                fmt.setProperty(QTextFormat.Property.FullWidthSelection, True)
                selection.format = fmt
                cursor = QTextCursor(block)
                cursor.movePosition(
                    QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor
                )
                selection.cursor = cursor  # the whole block, wrapped lines too
                selections.append(selection)
            block = block.next()
        self.diff.setExtraSelections(selections)
        self.check_label.setText("Not checked yet: Check runs the held-out cases before and after.")
        self._set_buttons(True)

    def show_error(self, message: str) -> None:
        """An answer that cannot be applied: one sentence, nothing to apply."""
        self.suggestion = None
        self.title.setText(message)
        self.diff.clear()
        self.check_label.setText("")
        self._set_buttons(False)

    def show_check(self, report: FlipReport) -> None:
        held = report.metrics_after.total if report.metrics_after else 0
        self.check_label.setText(
            f"On {held} held-out cases: {len(report.fixed)} fixed, {len(report.broken)} broken, "
            f"{len(report.changed)} changed but still wrong."
        )
        self.title.setText(self._title())
        self._set_buttons(self.suggestion is not None)

    def show_check_error(self, message: str) -> None:
        """A check that did not finish (one sentence); the suggestion stays."""
        self.check_label.setText(message)
        self.title.setText(self._title())
        self._set_buttons(self.suggestion is not None)

    def clear(self) -> None:
        self.suggestion = None
        self.diff.clear()
        self.title.setText(self._title())
        self.check_label.setText("")
        self._set_buttons(False)
        self.discarded.emit()

    def _apply(self) -> None:
        if self.suggestion is not None:
            self.applyRequested.emit(self.suggestion.policy_after)

    def _check(self) -> None:
        if self.suggestion is not None:
            self.checkRequested.emit(self.suggestion.policy_after)
