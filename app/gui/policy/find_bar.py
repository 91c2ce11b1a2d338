"""The find/replace bar under the policy editor (Ctrl+F, Ctrl+H, Esc to close).

It searches the editor's document with ``QTextDocument.find`` (so every position is already
in Qt's units), marks all matches through ``CodeEditor.set_search_highlights``, shows
"3 of 12", and replaces one match or all of them; "Replace all" is a single undo step.
Matches are recounted shortly after the text changes while the bar is open.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QTextCursor, QTextDocument
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QPushButton, QToolButton, QWidget

from app.gui.policy.code_editor import CodeEditor
from app.gui.shared.escape import escape_closes

MAX_MATCHES = 10_000


class FindBar(QWidget):
    """Find and replace in one ``CodeEditor``."""

    closed = Signal()

    def __init__(self, editor: CodeEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._editor = editor
        self._matches: list[tuple[int, int]] = []
        self.find_edit = QLineEdit(placeholderText="Find")
        self.replace_edit = QLineEdit(placeholderText="Replace with")
        self.case_button = self._toggle("Aa", "Match case")
        self.word_button = self._toggle("W", "Whole words only")
        self.count_label = QLabel()
        # the query keeps room for a word even when the policy pane is narrow (1024-pixel
        # screens); the count takes only the room its text needs
        self.find_edit.setMinimumWidth(self.fontMetrics().horizontalAdvance("M" * 6))
        prev_button = self._button("↑", "Previous match (Shift+Enter)", self.find_previous)
        next_button = self._button("↓", "Next match (Enter)", self.find_next)
        close_button = self._button("✕", "Close (Esc)", self.close_bar)
        self.replace_button = QPushButton("Replace", clicked=self.replace_current)
        self.replace_all_button = QPushButton("Replace all", clicked=self.replace_all)
        grid = QGridLayout(self)
        grid.setContentsMargins(4, 2, 4, 2)
        grid.setHorizontalSpacing(4)
        grid.addWidget(self.find_edit, 0, 0)
        for column, widget in enumerate(
            (self.case_button, self.word_button, prev_button, next_button, self.count_label), 1
        ):
            grid.addWidget(widget, 0, column)
        grid.addWidget(close_button, 0, 6)
        grid.addWidget(self.replace_edit, 1, 0)
        grid.addWidget(self.replace_button, 1, 1, 1, 3)
        grid.addWidget(self.replace_all_button, 1, 4, 1, 2)
        grid.setColumnStretch(0, 1)
        self._recount_timer = QTimer(self, singleShot=True, interval=200)
        self._recount_timer.timeout.connect(self._recount)
        self.find_edit.textChanged.connect(self._on_query_changed)
        self.find_edit.returnPressed.connect(self.find_next)
        self.replace_edit.returnPressed.connect(self.replace_current)
        self.case_button.toggled.connect(self._on_query_changed)
        self.word_button.toggled.connect(self._on_query_changed)
        editor.document().contentsChanged.connect(self._on_document_changed)
        escape_closes(self, self.close_bar)  # before the window's Esc (Cancel run)
        self.set_replace_visible(False)
        self.hide()

    # ------------------------------------------------------------ public API
    def open_bar(self, replace: bool = False) -> None:
        """Show the bar (with the replace row if asked), seeded with the selected text."""
        selected = self._editor.textCursor().selectedText()
        if selected and "\u2029" not in selected:
            self.find_edit.setText(selected)
        self.set_replace_visible(replace)
        self.show()
        self.find_edit.setFocus()
        self.find_edit.selectAll()
        self._recount()

    def close_bar(self) -> None:
        """Hide the bar, clear the match highlights and give focus back to the editor."""
        self.hide()
        self._matches = []
        self._editor.set_search_highlights([])
        self._editor.setFocus()
        self.closed.emit()

    def set_replace_visible(self, visible: bool) -> None:
        for widget in (self.replace_edit, self.replace_button, self.replace_all_button):
            widget.setVisible(visible)

    def match_count(self) -> int:
        return len(self._matches)

    def find_next(self) -> bool:
        return self._find(backward=False)

    def find_previous(self) -> bool:
        return self._find(backward=True)

    def replace_current(self) -> bool:
        """Replace the selected match (if the selection is one) and move to the next."""
        cursor = self._editor.textCursor()
        if (cursor.selectionStart(), cursor.selectionEnd()) in set(self._matches):
            cursor.insertText(self.replace_edit.text())
            self._editor.setTextCursor(cursor)
            self._recount()
        return self.find_next()

    def replace_all(self) -> int:
        """Replace every match as one undo step; returns how many were replaced."""
        self._recount()
        matches = list(self._matches)
        if not matches:
            return 0
        cursor = QTextCursor(self._editor.document())
        cursor.beginEditBlock()
        for start, end in reversed(matches):  # from the end, so earlier positions hold
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            cursor.insertText(self.replace_edit.text())
        cursor.endEditBlock()
        self._recount()
        self.count_label.setText(f"{len(matches)} replaced")
        return len(matches)

    # ------------------------------------------------------------ internals
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.find_previous()
            return
        super().keyPressEvent(event)

    def _flags(self) -> QTextDocument.FindFlag:
        flags = QTextDocument.FindFlag(0)
        if self.case_button.isChecked():
            flags |= QTextDocument.FindFlag.FindCaseSensitively
        if self.word_button.isChecked():
            flags |= QTextDocument.FindFlag.FindWholeWords
        return flags

    def _find(self, backward: bool) -> bool:
        query = self.find_edit.text()
        if not query:
            return False
        doc = self._editor.document()
        flags = self._flags()
        if backward:
            flags |= QTextDocument.FindFlag.FindBackward
        found = doc.find(query, self._editor.textCursor(), flags)
        if found.isNull():  # wrap around
            wrap = QTextCursor(doc)
            wrap.movePosition(
                QTextCursor.MoveOperation.End if backward else QTextCursor.MoveOperation.Start
            )
            found = doc.find(query, wrap, flags)
        if found.isNull():
            return False
        self._editor.setTextCursor(found)
        self._editor.centerCursor()
        self._show_count()
        return True

    def _on_query_changed(self, *_: object) -> None:
        self._recount()
        cursor = self._editor.textCursor()
        cursor.setPosition(cursor.selectionStart())  # find from where the match would start
        self._editor.setTextCursor(cursor)
        if self._matches:
            self.find_next()

    def _on_document_changed(self) -> None:
        if self.isVisible():
            self._recount_timer.start()

    def _recount(self) -> None:
        query = self.find_edit.text()
        self._matches = []
        if query:
            doc, flags = self._editor.document(), self._flags()
            cursor = doc.find(query, 0, flags)
            while not cursor.isNull() and len(self._matches) < MAX_MATCHES:
                self._matches.append((cursor.selectionStart(), cursor.selectionEnd()))
                cursor = doc.find(query, cursor, flags)
        self._editor.set_search_highlights(self._matches)
        self._show_count()

    def _show_count(self) -> None:
        if not self.find_edit.text():
            self.count_label.setText("")
            return
        cursor = self._editor.textCursor()
        here = (cursor.selectionStart(), cursor.selectionEnd())
        index = self._matches.index(here) + 1 if here in self._matches else 0
        total = len(self._matches)
        self.count_label.setText(
            "No matches" if not total else f"{index} of {total}" if index else f"{total} found"
        )

    def _toggle(self, text: str, tip: str) -> QToolButton:
        button = self._compact(QToolButton(text=text, toolTip=tip, checkable=True))
        return button

    def _button(self, text: str, tip: str, slot: object) -> QToolButton:
        button = self._compact(QToolButton(text=text, toolTip=tip))
        button.clicked.connect(slot)
        return button

    def _compact(self, button: QToolButton) -> QToolButton:
        button.setAutoRaise(True)
        button.setFixedWidth(self.fontMetrics().horizontalAdvance("Aa") + 12)
        return button
