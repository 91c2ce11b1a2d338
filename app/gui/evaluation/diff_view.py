"""Side-by-side diff of two policy texts, changed lines highlighted (plain text only).

:func:`align` turns ``difflib.SequenceMatcher`` opcodes into two equally long columns of
lines: equal lines face each other, a replaced block is paired line by line, and the shorter
side of a block is padded with empty *filler* lines so the texts stay aligned. ``DiffView``
shows both columns in read-only ``QPlainTextEdit`` views that wrap long lines, keep the same
line at the top of both (scrolling locked together) and open at the first change;
removed lines are tinted red on the left, added lines green on the right, changed lines on
both sides, fillers hatched. Highlights are extra selections: the documents stay plain text.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFontDatabase, QShowEvent, QTextCursor, QTextFormat
from PySide6.QtWidgets import QGridLayout, QLabel, QPlainTextEdit, QTextEdit, QWidget

from app.gui.shared.theme import palette_is_dark

SAME, REMOVED, ADDED, CHANGED, FILLER = "same", "removed", "added", "changed", "filler"


@dataclass
class Aligned:
    """Two columns of lines of equal length and the kind of each line."""

    left: list[str] = field(default_factory=list)
    right: list[str] = field(default_factory=list)
    left_kinds: list[str] = field(default_factory=list)
    right_kinds: list[str] = field(default_factory=list)

    def add(self, left: str | None, right: str | None, kind: str) -> None:
        self.left.append(left or "")
        self.right.append(right or "")
        self.left_kinds.append(FILLER if left is None else (REMOVED if kind == ADDED else kind))
        self.right_kinds.append(FILLER if right is None else (ADDED if kind == REMOVED else kind))

    @property
    def added(self) -> int:
        return sum(kind in (ADDED, CHANGED) for kind in self.right_kinds)

    @property
    def removed(self) -> int:
        return sum(kind in (REMOVED, CHANGED) for kind in self.left_kinds)


def align(left_text: str, right_text: str) -> Aligned:
    """Align two texts line by line (see the module notes)."""
    left, right = left_text.splitlines(), right_text.splitlines()
    aligned = Aligned()
    matcher = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for line in left[i1:i2]:
                aligned.add(line, line, SAME)
        elif tag == "delete":
            for line in left[i1:i2]:
                aligned.add(line, None, REMOVED)
        elif tag == "insert":
            for line in right[j1:j2]:
                aligned.add(None, line, ADDED)
        else:  # replace: pair the lines, pad the shorter side
            for offset in range(max(i2 - i1, j2 - j1)):
                old = left[i1 + offset] if i1 + offset < i2 else None
                new = right[j1 + offset] if j1 + offset < j2 else None
                aligned.add(old, new, CHANGED)
    return aligned


def _lines(count: int) -> str:
    return f"{count} line" if count == 1 else f"{count} lines"


def _colours(dark: bool) -> dict[str, QColor]:
    if dark:
        return {REMOVED: QColor("#5a2326"), ADDED: QColor("#1f4a2c"), CHANGED: QColor("#5a4a16")}
    return {REMOVED: QColor("#fbd9d7"), ADDED: QColor("#d5f2dc"), CHANGED: QColor("#fdf0c2")}


class DiffView(QWidget):
    """Two read-only panes, aligned and scrolled together."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.left_title = QLabel()
        self.right_title = QLabel()
        self.summary = QLabel()
        for label in (self.left_title, self.right_title, self.summary):
            label.setTextFormat(Qt.TextFormat.PlainText)
        self.left_title.setObjectName("sectionLabel")
        self.right_title.setObjectName("sectionLabel")
        self.left_edit, self.right_edit = self._pane(), self._pane()
        self._aligned = Aligned()
        self._syncing = False
        self._shown = False
        left_bar, right_bar = (
            self.left_edit.verticalScrollBar(),
            self.right_edit.verticalScrollBar(),
        )
        left_bar.valueChanged.connect(lambda _v: self._sync(self.left_edit, self.right_edit))
        right_bar.valueChanged.connect(lambda _v: self._sync(self.right_edit, self.left_edit))
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.left_title, 0, 0)
        grid.addWidget(self.right_title, 0, 1)
        grid.addWidget(self.left_edit, 1, 0)
        grid.addWidget(self.right_edit, 1, 1)
        grid.addWidget(self.summary, 2, 0, 1, 2)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown:  # lines are laid out (wrapped) only now: scroll again
            self._shown = True
            QTimer.singleShot(0, self, self.jump_to_first_change)

    def _pane(self) -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setReadOnly(True)
        edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        edit.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return edit

    def _sync(self, source: QPlainTextEdit, other: QPlainTextEdit) -> None:
        """Put the line at the top of ``source`` at the top of ``other`` too (wrapped lines
        make the two scroll ranges differ, so the scroll values cannot simply be copied)."""
        if not self._syncing:
            self._syncing = True
            self._scroll_to_line(other, source.firstVisibleBlock().blockNumber())
            self._syncing = False

    @staticmethod
    def _scroll_to_line(edit: QPlainTextEdit, number: int) -> None:
        """Scroll so that line ``number`` (an aligned line, one block) is at the top."""
        value, block = 0, edit.document().firstBlock()
        while block.isValid() and block.blockNumber() < number:
            value += max(1, block.layout().lineCount()) if block.isVisible() else 0
            block = block.next()
        edit.verticalScrollBar().setValue(value)

    def first_change(self) -> int:
        """The aligned line number of the first difference (-1 when there is none)."""
        kinds = zip(self._aligned.left_kinds, self._aligned.right_kinds, strict=True)
        return next((n for n, pair in enumerate(kinds) if pair != (SAME, SAME)), -1)

    def jump_to_first_change(self) -> None:
        """Show the first difference a few lines below the top of both panes."""
        first = self.first_change()
        if first >= 0:
            self._syncing = True
            for edit in (self.left_edit, self.right_edit):
                self._scroll_to_line(edit, max(0, first - 3))
                cursor = QTextCursor(edit.document().findBlockByNumber(first))
                edit.setTextCursor(cursor)
            self._syncing = False

    def set_texts(self, left: str, right: str, left_title: str = "", right_title: str = "") -> None:
        """Show two texts side by side with their differences highlighted."""
        self._aligned = align(left, right)
        self.left_title.setText(left_title)
        self.right_title.setText(right_title)
        self.left_edit.setPlainText("\n".join(self._aligned.left))
        self.right_edit.setPlainText("\n".join(self._aligned.right))
        self._highlight(self.left_edit, self._aligned.left_kinds)
        self._highlight(self.right_edit, self._aligned.right_kinds)
        self.jump_to_first_change()
        a, r = self._aligned.added, self._aligned.removed
        self.summary.setText(
            "The texts are identical."
            if not a and not r
            else f"{_lines(r)} removed or changed on the left, {_lines(a)} added or changed "
            "on the right."
        )

    def aligned(self) -> Aligned:
        return self._aligned

    def highlighted_lines(self, side: str) -> list[str]:
        """Texts of the lines highlighted on one side ("left" / "right"), for tests."""
        edit = self.left_edit if side == "left" else self.right_edit
        lines = []
        for selection in edit.extraSelections():
            if selection.format.background().style() == Qt.BrushStyle.SolidPattern:
                lines.append(selection.cursor.block().text())
        return lines

    def _highlight(self, edit: QPlainTextEdit, kinds: list[str]) -> None:
        colours = _colours(palette_is_dark(edit.palette()))
        filler = QColor(edit.palette().color(edit.palette().ColorRole.Mid))
        selections = []
        block = edit.document().firstBlock()
        for kind in kinds:
            if kind != SAME and block.isValid():
                selection = QTextEdit.ExtraSelection()
                brush = (
                    QBrush(filler, Qt.BrushStyle.BDiagPattern)
                    if kind == FILLER
                    else QBrush(colours[kind])
                )
                selection.format.setBackground(brush)
                selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
                cursor = QTextCursor(block)
                cursor.clearSelection()
                selection.cursor = cursor
                selections.append(selection)
            block = block.next()
        edit.setExtraSelections(selections)
