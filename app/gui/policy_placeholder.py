"""A minimal stand-in for the policy editor panel, with the same API as ``PolicyPanel``.

Used only while ``app.gui.policy_panel`` is not available (it is built separately); the main
window imports the real panel when it exists. Plain text editing, rule jumps, phrase
highlights; no syntax colouring, outline or lint.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QTextCursor
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTextEdit, QVBoxLayout, QWidget

from app.core.policy import find_rule_codes
from app.gui.highlights import flash_format, make_selections, quote_format
from app.gui.reasoning_marks import phrase_spans


class PolicyPanelPlaceholder(QWidget):
    """Plain-text policy editor exposing the PolicyPanel signals and methods."""

    policyEdited = Signal()
    modificationChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("policyEditor")
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.editor.setFont(font)
        self.editor.setPlaceholderText("Write the policy here, or open one (File ▸ Open).")
        self.info = QLabel()
        self._n_ctx = 8192
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.info)
        self.editor.textChanged.connect(self._on_text_changed)
        self.editor.document().modificationChanged.connect(self.modificationChanged)
        self._setting = False

    def _on_text_changed(self) -> None:
        self.info.setText(f"{len(self.text().split())} words · context {self._n_ctx} tokens")
        if not self._setting:
            self.policyEdited.emit()

    def text(self) -> str:
        return self.editor.toPlainText()

    def set_text(self, text: str) -> None:
        self._setting = True
        self.editor.setPlainText(text)
        self._setting = False
        self.editor.document().setModified(False)
        self._on_text_changed()

    def is_modified(self) -> bool:
        return self.editor.document().isModified()

    def set_modified(self, modified: bool) -> None:
        self.editor.document().setModified(modified)

    def jump_to_line(self, line: int) -> None:
        block = self.editor.document().findBlockByNumber(max(0, line - 1))
        cursor = QTextCursor(block)
        self.editor.setTextCursor(cursor)
        self.editor.centerCursor()
        flash = QTextEdit.ExtraSelection()
        flash.cursor = cursor
        flash.format = flash_format(self.editor.palette())
        self.editor.setExtraSelections([flash])

    def jump_to_rule(self, code: str) -> bool:
        for rule in find_rule_codes(self.text()):
            if rule.code == code:
                self.jump_to_line(rule.line)
                return True
        return False

    def highlight_phrases(self, phrases: list[str]) -> None:
        text = self.text()
        spans = phrase_spans(text, phrases)
        fmt = quote_format(self.editor.palette())
        self.editor.setExtraSelections(make_selections(self.editor, text, spans, fmt))

    def set_context_size(self, n_ctx: int) -> None:
        self._n_ctx = n_ctx
        self._on_text_changed()

    def show_find(self, replace: bool = False) -> None:
        self.editor.setFocus()
