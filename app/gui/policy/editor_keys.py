"""What Tab and its neighbours do in the policy editor.

- Tab with a selection indents the selected lines, Shift+Tab takes one level off them: a
  selected find match is never typed over (it used to become a tab character, and every
  result went stale with the edit).
- Tab without a selection inserts a tab, as in any editor.
- Ctrl+Tab and Ctrl+Shift+Tab leave the editor for the next or previous field, the way out
  of a widget that keeps Tab for itself.
Each indentation change is one undo step.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QWidget

INDENT = "\t"
_SPACES = 4  # a level of indentation written with spaces


def _line_blocks(cursor: QTextCursor):
    """The blocks of the lines a selection covers (a selection ending at a line's start
    leaves that line alone)."""
    doc = cursor.document()
    start, end = cursor.selectionStart(), cursor.selectionEnd()
    first, last = doc.findBlock(start), doc.findBlock(end)
    if last.position() == end and last != first:
        last = last.previous()
    block = first
    while block.isValid():
        yield block
        if block == last:
            break
        block = block.next()


def _outdent_width(text: str) -> int:
    if text.startswith(INDENT):
        return 1
    spaces = len(text) - len(text.lstrip(" "))
    return min(spaces, _SPACES)


def shift_lines(editor: QPlainTextEdit, outdent: bool) -> None:
    """Indent (or outdent) every line the selection covers, keeping the lines selected."""
    cursor = editor.textCursor()
    blocks = list(_line_blocks(cursor))
    edit = QTextCursor(editor.document())
    edit.beginEditBlock()
    for block in blocks:
        edit.setPosition(block.position())
        if not outdent:
            edit.insertText(INDENT)
            continue
        width = _outdent_width(block.text())
        edit.setPosition(block.position() + width, QTextCursor.MoveMode.KeepAnchor)
        edit.removeSelectedText()
    edit.endEditBlock()
    first, last = blocks[0], blocks[-1]
    selection = QTextCursor(editor.document())
    selection.setPosition(first.position())
    selection.setPosition(last.position() + last.length() - 1, QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(selection)


def handle_key(editor: QPlainTextEdit, event: QKeyEvent) -> bool:
    """Handle Tab, Shift+Tab, Ctrl+Tab and Ctrl+Shift+Tab; True when the key was taken."""
    key, mods = event.key(), event.modifiers()
    if key not in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
        return False
    ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
    backwards = key == Qt.Key.Key_Backtab or bool(mods & Qt.KeyboardModifier.ShiftModifier)
    if ctrl:
        # QPlainTextEdit's own override refuses while it keeps Tab for itself
        QWidget.focusNextPrevChild(editor, not backwards)
        return True
    if editor.textCursor().hasSelection() and not editor.isReadOnly():
        shift_lines(editor, outdent=backwards)
        return True
    return False  # a plain Tab types a tab; Shift+Tab moves the focus back
