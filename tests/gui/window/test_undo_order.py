"""Edit ▸ Undo outside a text field takes back the step done last, policy or test set; an
undo of a whole-text change lands on the change, not at the end of the document."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from app.gui.window_actions import MenuKey  # noqa: E402
from tests.support.fake_engine import SAMPLE_POLICY  # noqa: E402
from tests.support.gui_window import chord  # noqa: E402

Ctrl = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def window(workbench):
    return workbench


def _undo_text(window, name: str = "undo") -> str:
    menu = window.window_actions.menus[MenuKey.EDIT]
    menu.aboutToShow.emit()
    text = window.window_actions.edit_actions[name].text()
    menu.aboutToHide.emit()
    return text


def test_with_nothing_to_redo_the_menu_says_redo_not_redo_none(window):
    """The Edit menu read "Redo None" (greyed) when nothing was left to redo."""
    table = window.case_panel.table
    table.setFocus()
    window.case_panel.delete_selected()
    assert _undo_text(window).startswith("&Undo ")
    assert _undo_text(window, "redo") == "&Redo"


def test_undo_in_the_table_takes_back_a_draft_applied_after_an_import(window, qtbot):
    panel = window.case_panel
    panel.add_many(["pasted one", "pasted two"], "0")  # a test-set step first ...
    before = window.policy_panel.text()
    draft = before.replace("Instructions", "Directions", 1)
    assert draft != before
    window.evaluation_actions.restore_text(draft)  # ... then a policy step (Apply as draft)
    table = panel.table
    table.setFocus()
    assert _undo_text(window) == "&Undo policy edit"
    chord(qtbot, table, Qt.Key.Key_Z, Ctrl)
    assert window.policy_panel.text() == before  # the draft went first
    assert len(panel.cases()) == 6
    assert _undo_text(window).startswith("&Undo ") and "policy" not in _undo_text(window)
    chord(qtbot, table, Qt.Key.Key_Z, Ctrl)
    assert len(panel.cases()) == 4  # then the paste
    chord(qtbot, table, Qt.Key.Key_Y, Ctrl)
    assert len(panel.cases()) == 6
    chord(qtbot, table, Qt.Key.Key_Y, Ctrl)
    assert window.policy_panel.text() == draft


def test_undo_of_a_restored_version_keeps_the_place_in_the_policy(window, qtbot):
    editor = window.policy_panel.editor
    long_text = SAMPLE_POLICY + "".join(f"\nFiller line {n} of the policy." for n in range(300))
    window.policy_panel.set_text(long_text)
    changed = long_text.replace("Instructions", "Directions", 1)  # near the top
    window.evaluation_actions.restore_text(changed)
    editor.setFocus()
    chord(qtbot, editor, Qt.Key.Key_Z, Ctrl)
    assert editor.toPlainText() == long_text
    position = editor.textCursor().position()
    assert position < len(SAMPLE_POLICY)  # on the change, not at the end of 300 lines
    assert editor.verticalScrollBar().value() < editor.verticalScrollBar().maximum() // 2
