"""Extra-selection helpers: turn Python-offset spans into highlights on a text view.

Extra selections highlight without touching the document (no undo entries, no rich text),
which is what read-only reasoning and a case being edited both need. Offsets are converted
from Python indices to Qt's UTF-16 positions, so text with emoji lines up.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit

from app.gui.shared.reasoning_marks import phrase_spans
from app.gui.shared.text_offsets import py_to_qt
from app.gui.shared.theme import palette_is_dark


def quote_format(palette: QPalette) -> QTextCharFormat:
    """Background for quoted phrases, readable on light and dark bases."""
    fmt = QTextCharFormat()
    dark = palette_is_dark(palette)
    fmt.setBackground(QColor("#6b5a12") if dark else QColor("#fff0a8"))
    fmt.setForeground(QColor("#fdf6d8") if dark else QColor("#1d1a0c"))  # never white on pale
    return fmt


def rule_format(palette: QPalette, defined: bool = True) -> QTextCharFormat:
    """Link-like look for rule codes; an undefined code gets a red wavy underline."""
    fmt = QTextCharFormat()
    dark = palette_is_dark(palette)
    if defined:
        fmt.setForeground(QColor("#8ab4ff") if dark else QColor("#1a56c4"))
        fmt.setBackground(QColor("#1f2f4d") if dark else QColor("#e3ecfb"))
        fmt.setFontUnderline(True)
    else:
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(QColor("#e0605a"))
    fmt.setFontWeight(600)
    return fmt


def make_selections(
    editor: QPlainTextEdit, text: str, spans: list[tuple[int, int]], fmt: QTextCharFormat
) -> list[QTextEdit.ExtraSelection]:
    """One extra selection per (start, end) Python span of ``text`` (the editor's text)."""
    selections = []
    document = editor.document()
    limit = document.characterCount() - 1
    for start, end in spans:
        qt_start, qt_end = py_to_qt(text, start), py_to_qt(text, end)
        if qt_start >= qt_end or qt_end > limit:
            continue
        cursor = QTextCursor(document)
        cursor.setPosition(qt_start)
        cursor.setPosition(qt_end, QTextCursor.MoveMode.KeepAnchor)
        selection = QTextEdit.ExtraSelection()
        selection.cursor = cursor
        selection.format = fmt
        selections.append(selection)
    return selections


def reveal_phrase(view: QPlainTextEdit, phrase: str) -> bool:
    """Select the first case-insensitive occurrence of ``phrase`` in the view and scroll
    to it; False when the text does not hold it."""
    text = view.toPlainText()
    spans = phrase_spans(text, [phrase])  # the same matching the quote highlights use
    if not spans:
        return False
    start, end = spans[0]
    cursor = QTextCursor(view.document())
    cursor.setPosition(py_to_qt(text, start))
    cursor.setPosition(py_to_qt(text, end), QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    view.ensureCursorVisible()
    return True
