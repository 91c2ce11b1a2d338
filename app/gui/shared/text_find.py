"""A one-line find bar for a text view, and Ctrl+F claimed by the view it searches.

``TextFindBar`` sits under a text view: typing finds the first match, Enter or ▼ the next
(Shift+Enter or ▲ the previous), wrapping around, with the count ("2 of 5"); Esc closes it
and gives focus back to the text. The text stays plain: the match is the view's selection.
``claim_find_key`` makes Ctrl+F in a view open its own bar: Qt asks the focused widget
first (``ShortcutOverride``), so the window's Ctrl+F (find in the policy) never fires from
a field that has a find of its own.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QTextCursor, QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QToolButton, QWidget

from app.gui.shared.escape import escape_closes
from app.gui.shared.text_offsets import qt_to_py


class TextFindBar(QWidget):
    """Find bar for one text view (the reasoning, a case's content)."""

    def __init__(
        self, view: QPlainTextEdit, parent: QWidget | None = None, placeholder: str = "Find"
    ) -> None:
        super().__init__(parent)
        self.view = view
        self.find_edit = QLineEdit(placeholderText=placeholder)
        self.find_edit.textChanged.connect(lambda _text: self.find(restart=True))
        self.find_edit.installEventFilter(self)
        self.status = QLabel()
        self.previous_button = QToolButton(text="▲", toolTip="Previous match (Shift+Enter)")
        self.previous_button.clicked.connect(lambda: self.find(backward=True))
        self.next_button = QToolButton(text="▼", toolTip="Next match (Enter)")
        self.next_button.clicked.connect(lambda: self.find())
        close = QToolButton(text="✕", toolTip="Close (Esc)")
        close.clicked.connect(self.close_bar)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.addWidget(self.find_edit, 1)
        layout.addWidget(self.status)
        for button in (self.previous_button, self.next_button, close):
            layout.addWidget(button)
        escape_closes(self, self.close_bar)  # before the window's Esc (Cancel run)
        self.hide()

    def open_bar(self) -> None:
        selected = self.view.textCursor().selectedText()
        self.show()
        if selected and "\u2029" not in selected:
            self.find_edit.setText(selected)
        self.find_edit.setFocus()
        self.find_edit.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.view.setFocus()

    def find(self, backward: bool = False, restart: bool = False) -> bool:
        """Select the next (or previous) match, wrapping around; False when none."""
        text = self.find_edit.text()
        if not text:
            self.status.setText("")
            return False
        flags = QTextDocument.FindFlag.FindBackward if backward else QTextDocument.FindFlag(0)
        if restart:
            self.view.moveCursor(QTextCursor.MoveOperation.Start)
        found = self.view.find(text, flags)
        if not found:  # wrap around
            edge = QTextCursor.MoveOperation.End if backward else QTextCursor.MoveOperation.Start
            self.view.moveCursor(edge)
            found = self.view.find(text, flags)
        self.status.setText(self._count(text) if found else "Not found")
        return found

    def _count(self, needle: str) -> str:
        """ "2 of 5": the selected match among all (case-insensitive, as the search is)."""
        haystack = self.view.toPlainText().lower()
        needle = needle.lower()
        starts, at = [], haystack.find(needle)
        while at >= 0:
            starts.append(at)
            at = haystack.find(needle, at + max(1, len(needle)))
        here = qt_to_py(self.view.toPlainText(), self.view.textCursor().selectionStart())
        index = next((n for n, start in enumerate(starts) if start >= here), len(starts) - 1)
        return f"{index + 1} of {len(starts)}" if starts else ""

    def eventFilter(self, watched, event) -> bool:
        pressed = isinstance(event, QKeyEvent) and event.type() == QKeyEvent.Type.KeyPress
        if (
            watched is self.find_edit
            and pressed
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            shift = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            self.find(backward=bool(shift))
            return True
        return super().eventFilter(watched, event)


class _FindKey(QObject):
    """Event filter: the platform's Find key (Ctrl+F) in the watched view calls ``open``."""

    def __init__(self, parent: QObject, open_bar: Callable[[], None]) -> None:
        super().__init__(parent)
        self._open = open_bar

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) and (
            isinstance(event, QKeyEvent) and event.matches(QKeySequence.StandardKey.Find)
        ):
            event.accept()
            if kind == QEvent.Type.KeyPress:
                self._open()
            return True
        return super().eventFilter(watched, event)


def claim_find_key(view: QWidget, bar: TextFindBar) -> _FindKey:
    """Ctrl+F in ``view`` opens ``bar`` instead of any window-wide find."""
    claim = _FindKey(view, bar.open_bar)
    view.installEventFilter(claim)
    return claim
