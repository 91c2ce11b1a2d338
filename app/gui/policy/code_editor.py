"""A plain-text editor for policies: line-number gutter, current line, flash and highlights.

``CodeEditor`` is a ``QPlainTextEdit`` that only ever holds plain text (pasted HTML arrives
as its text), draws line numbers in a gutter, tints the current line, and shows three
layers of extra selections on top: found-text ranges (``set_search_highlights``), phrases
another view points at (``set_phrase_highlights``) and a one-second flash of a line
(``flash_line``). Ranges are ``(start, end)`` document positions in Qt's UTF-16 units, as a
``QTextCursor`` uses them (see ``app.gui.shared.text_offsets`` to convert from Python indexes).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEasingCurve, QEvent, QMimeData, QRect, QSize, Qt, QVariantAnimation
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextCursor,
    QTextDocumentFragment,
    QTextFormat,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from app.gui.policy.editor_keys import handle_key
from app.gui.shared.theme import palette_is_dark

Ranges = Sequence[tuple[int, int]]


class _Gutter(QWidget):
    """The strip left of the text that shows line numbers; painted by the editor."""

    def __init__(self, editor: CodeEditor) -> None:
        super().__init__(editor)
        self._editor = editor

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(self._editor.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        self._editor.paint_gutter(event)


class CodeEditor(QPlainTextEdit):
    """Plain-text policy editor with line numbers and layered extra selections."""

    FLASH_MS = 1000

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._gutter = _Gutter(self)
        self._search: list[QTextEdit.ExtraSelection] = []
        self._phrases: list[QTextEdit.ExtraSelection] = []
        self._flash: QTextEdit.ExtraSelection | None = None
        self._flash_anim = QVariantAnimation(self)
        self._flash_anim.setDuration(self.FLASH_MS)
        self._flash_anim.setStartValue(1.0)
        self._flash_anim.setEndValue(0.0)
        self._flash_anim.setEasingCurve(QEasingCurve.Type.InQuad)
        self._flash_anim.valueChanged.connect(self._on_flash_step)
        self._flash_anim.finished.connect(self._on_flash_finished)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.setFont(font)
        self.setTabStopDistance(4 * self.fontMetrics().horizontalAdvance(" "))
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setCenterOnScroll(False)
        self.blockCountChanged.connect(self._update_gutter_width)
        self.updateRequest.connect(self._on_update_request)
        self.cursorPositionChanged.connect(self._refresh_selections)
        self._update_gutter_width()
        self._refresh_selections()

    # ------------------------------------------------------------ public API
    def flash_line(self, line: int) -> None:
        """Briefly tint 1-based ``line`` (fades out over about a second)."""
        block = self.document().findBlockByNumber(line - 1)
        if not block.isValid():
            return
        selection = QTextEdit.ExtraSelection()
        selection.cursor = QTextCursor(block)
        selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        self._flash = selection
        self._flash_anim.stop()
        self._flash_anim.start()
        self._on_flash_step(1.0)

    def is_flashing(self) -> bool:
        """True while a flashed line is still shown."""
        return self._flash is not None

    def set_search_highlights(self, ranges: Ranges) -> None:
        """Mark found-text ranges ``(start, end)``; an empty list clears them."""
        self._search = self._selections(ranges, self._colors()["search"])
        self._refresh_selections()

    def set_phrase_highlights(self, ranges: Ranges) -> None:
        """Mark ranges another view refers to (e.g. quoted phrases); empty list clears."""
        self._phrases = self._selections(ranges, self._colors()["phrase"])
        self._refresh_selections()

    def phrase_selections(self) -> list[QTextEdit.ExtraSelection]:
        """The phrase highlight selections now shown."""
        return list(self._phrases)

    def search_selections(self) -> list[QTextEdit.ExtraSelection]:
        """The found-text selections now shown."""
        return list(self._search)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if not handle_key(self, event):  # Tab indents a selection; Ctrl+Tab leaves
            super().keyPressEvent(event)

    # ------------------------------------------------------------ plain text only
    def canInsertFromMimeData(self, source: QMimeData) -> bool:  # noqa: N802 (Qt override)
        return source.hasText() or source.hasHtml() or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:  # noqa: N802 (Qt override)
        if source.hasText():
            text = source.text()
        elif source.hasHtml():
            text = QTextDocumentFragment.fromHtml(source.html()).toPlainText()
        else:
            return
        self.textCursor().insertText(text.replace("\r\n", "\n").replace("\r", "\n"))
        self.ensureCursorVisible()

    # ------------------------------------------------------------ gutter
    def gutter_width(self) -> int:
        digits = max(3, len(str(max(1, self.blockCount()))))
        return 12 + self.fontMetrics().horizontalAdvance("9") * digits

    def paint_gutter(self, event: QPaintEvent) -> None:
        painter = QPainter(self._gutter)
        palette = self.palette()
        painter.fillRect(event.rect(), palette.color(QPalette.ColorRole.AlternateBase))
        current = self.textCursor().blockNumber()
        normal = QColor(palette.color(QPalette.ColorRole.Text))
        normal.setAlphaF(0.5)
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        width = self._gutter.width() - 6
        while block.isValid() and top <= event.rect().bottom():
            bottom = top + round(self.blockBoundingRect(block).height())
            if block.isVisible() and bottom >= event.rect().top():
                number = block.blockNumber()
                painter.setPen(
                    palette.color(QPalette.ColorRole.Text) if number == current else normal
                )
                painter.drawText(
                    0, top, width, height, Qt.AlignmentFlag.AlignRight, str(number + 1)
                )
            block, top = block.next(), bottom
        painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        rect = self.contentsRect()
        self._gutter.setGeometry(QRect(rect.left(), rect.top(), self.gutter_width(), rect.height()))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            self._update_gutter_width()
            self._refresh_selections()

    # ------------------------------------------------------------ internals
    def _update_gutter_width(self, *_: object) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _on_update_request(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())

    def _colors(self) -> dict[str, QColor]:
        palette = self.palette()
        dark = palette_is_dark(palette)
        line = QColor(palette.color(QPalette.ColorRole.Highlight))
        line.setAlpha(40 if dark else 24)
        return {
            "line": line,
            "search": QColor("#6e5a00" if dark else "#ffe58a"),
            "phrase": QColor("#1f5f3a" if dark else "#c9f2d4"),
            "flash": QColor("#8a6d00" if dark else "#ffd54a"),
        }

    def _selections(self, ranges: Ranges, color: QColor) -> list[QTextEdit.ExtraSelection]:
        result = []
        size = self.document().characterCount()
        for start, end in ranges:
            if end <= start or start < 0 or end > size - 1:
                continue
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.document())
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            selection.format.setBackground(color)
            result.append(selection)
        return result

    def _refresh_selections(self) -> None:
        colors = self._colors()
        current = QTextEdit.ExtraSelection()
        current.format.setBackground(colors["line"])
        current.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        current.cursor = self.textCursor()
        current.cursor.clearSelection()
        layers = [current, *self._phrases, *self._search]
        if self._flash is not None:
            layers.append(self._flash)
        self.setExtraSelections(layers)

    def _on_flash_step(self, value: object) -> None:
        if self._flash is None:
            return
        color = self._colors()["flash"]
        color.setAlphaF(max(0.0, min(1.0, float(value))))  # type: ignore[arg-type]
        self._flash.format.setBackground(color)
        self._refresh_selections()

    def _on_flash_finished(self) -> None:
        self._flash = None
        self._refresh_selections()
