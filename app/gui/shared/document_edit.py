"""Replace a document's whole text as one undoable edit that touches only what changed.

Restoring a policy version, applying a suggestion and writing front matter each give the
editor a whole new text. Selecting the document and inserting the new text works, but Undo
then leaves the cursor (and the view) at the end of the document. Editing only the span
between the common prefix and the common suffix keeps the rest of the document, its
blocks and the reader's place, and Undo and Redo land on the change itself.
"""

from __future__ import annotations

from PySide6.QtGui import QTextCursor, QTextDocument

from app.gui.shared.text_offsets import py_to_qt


def changed_span(old: str, new: str) -> tuple[int, int, int]:
    """(start, old_end, new_end): old[start:old_end] becomes new[start:new_end]."""
    limit = min(len(old), len(new))
    start = 0
    while start < limit and old[start] == new[start]:
        start += 1
    tail = 0
    while tail < limit - start and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return start, len(old) - tail, len(new) - tail


def replace_document_text(document: QTextDocument, text: str) -> QTextCursor:
    """Make the document hold ``text`` in one undo step; returns a cursor on the change."""
    old = document.toPlainText()
    start, old_end, new_end = changed_span(old, text)
    cursor = QTextCursor(document)
    cursor.beginEditBlock()
    cursor.setPosition(py_to_qt(old, start))
    cursor.setPosition(py_to_qt(old, old_end), QTextCursor.MoveMode.KeepAnchor)
    cursor.insertText(text[start:new_end])
    cursor.endEditBlock()
    return cursor
