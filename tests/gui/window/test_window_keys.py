"""Keys that move around the window never change data: Tab over a selection in the policy,
Ctrl+Tab out of the editor, a stray Down on the Expected box, F6 between panes."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QTextCursor  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.support.gui_window import chord  # noqa: E402

Ctrl = Qt.KeyboardModifier.ControlModifier
Shift = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def window(workbench):
    return workbench


def _select(editor, word: str) -> None:
    text = editor.toPlainText()
    cursor = QTextCursor(editor.document())
    cursor.setPosition(text.index(word))
    cursor.setPosition(text.index(word) + len(word), QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)


def test_tab_over_a_found_word_indents_its_line_and_never_types_over_it(window, qtbot):
    panel = window.policy_panel
    editor = panel.editor
    before = editor.toPlainText()
    chord(qtbot, editor, Qt.Key.Key_F, Ctrl)
    qtbot.keyClicks(panel.find_bar.find_edit, "Criteria")
    qtbot.keyClick(panel.find_bar.find_edit, Qt.Key.Key_Return)
    editor.setFocus()
    if not editor.textCursor().hasSelection():
        _select(editor, "Criteria")
    assert editor.textCursor().selectedText() == "Criteria"
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    after = editor.toPlainText()
    assert "Criteria" in after and after.count("Criteria") == before.count("Criteria")
    assert after.replace("\t", "", 1) == before  # one level of indent, nothing typed over
    qtbot.keyClick(editor, Qt.Key.Key_Backtab, Shift)
    assert editor.toPlainText() == before


def test_ctrl_tab_leaves_the_policy_editor(window, qtbot):
    editor = window.policy_panel.editor
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    before = editor.toPlainText()
    chord(qtbot, editor, Qt.Key.Key_Tab, Ctrl)
    assert not editor.hasFocus()
    assert editor.toPlainText() == before


def test_down_on_the_expected_box_does_not_change_the_gold_label(window, qtbot):
    panel = window.case_panel
    combo = panel.expected_combo
    case_id = panel.current_case_id()
    expected = panel.model.case(case_id).expected
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus)
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    qtbot.keyClick(combo, Qt.Key.Key_Up)
    qtbot.keyClick(combo, Qt.Key.Key_1)
    combo.hidePopup()
    assert panel.model.case(case_id).expected == expected
    assert not panel.undo_stack.canUndo()


def test_f6_moves_between_policy_and_cases(window, qtbot):
    editor = window.policy_panel.editor
    table = window.case_panel.table
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    qtbot.keyClick(editor, Qt.Key.Key_F6)
    assert QApplication.focusWidget() is table
    qtbot.keyClick(table, Qt.Key.Key_F6)
    assert QApplication.focusWidget() is window.case_panel.content_edit
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F6, Shift)
    assert QApplication.focusWidget() is table
    qtbot.keyClick(table, Qt.Key.Key_F6, Shift)
    assert QApplication.focusWidget() is editor


def test_ctrl_f_in_the_case_text_finds_in_the_case(window, qtbot):
    """It opened the policy's find bar; the case text has a find of its own."""
    editor = window.case_panel.editor
    content = window.case_panel.content_edit
    content.setFocus()
    qtbot.waitUntil(content.hasFocus)
    chord(qtbot, content, Qt.Key.Key_F, Ctrl)
    assert editor.finder.isVisible() and editor.finder.find_edit.hasFocus()
    assert not window.policy_panel.find_bar.isVisible()
    word = content.toPlainText().split()[1]
    qtbot.keyClicks(editor.finder.find_edit, word)
    assert content.textCursor().selectedText().lower() == word.lower()
    assert editor.finder.status.text().endswith(
        f"of {content.toPlainText().lower().count(word.lower())}"
    )
    qtbot.keyClick(editor.finder.find_edit, Qt.Key.Key_Escape)
    assert not editor.finder.isVisible() and content.hasFocus()
    # in the policy editor Ctrl+F still finds in the policy
    chord(qtbot, window.policy_panel.editor, Qt.Key.Key_F, Ctrl)
    assert window.policy_panel.find_bar.isVisible()
