"""Find in reasoning: a count of the matches and buttons for the next and previous one."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QPlainTextEdit, QVBoxLayout, QWidget  # noqa: E402

from app.gui.shared.text_find import TextFindBar  # noqa: E402


def test_the_find_bar_counts_matches_and_steps_both_ways(qtbot):
    host = QWidget()
    view = QPlainTextEdit("SP2.a applies 🙂; sp2.a again, and SP2.a a third time.")
    view.setReadOnly(True)
    finder = TextFindBar(view)
    layout = QVBoxLayout(host)
    layout.addWidget(view)
    layout.addWidget(finder)
    qtbot.addWidget(host)
    host.show()
    finder.open_bar()
    qtbot.keyClicks(finder.find_edit, "sp2.a")
    assert finder.status.text() == "1 of 3"
    qtbot.mouseClick(finder.next_button, Qt.MouseButton.LeftButton)
    assert finder.status.text() == "2 of 3"
    assert view.textCursor().selectedText() == "sp2.a"
    qtbot.keyClick(finder.find_edit, Qt.Key.Key_Return)
    assert finder.status.text() == "3 of 3"
    qtbot.mouseClick(finder.next_button, Qt.MouseButton.LeftButton)  # wraps around
    assert finder.status.text() == "1 of 3"
    qtbot.mouseClick(finder.previous_button, Qt.MouseButton.LeftButton)
    assert finder.status.text() == "3 of 3"
    finder.find_edit.setText("nowhere")
    assert finder.status.text() == "Not found"
