"""Case edits undo and redo on one stack per test set; right-click menus on cases."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402

from app.core.cases import TestCase  # noqa: E402
from app.gui.cases.case_menu import case_menu  # noqa: E402
from app.gui.cases.panel import CasePanel  # noqa: E402
from tests.support.fake_engine import SAMPLE_CASES  # noqa: E402


def contents(panel: CasePanel) -> list[tuple[str, str, str]]:
    return [(c.content, c.expected, c.notes) for c in panel.cases()]


def make_panel(qtbot) -> CasePanel:
    panel = CasePanel()
    qtbot.addWidget(panel)
    panel.set_cases(list(SAMPLE_CASES))
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_every_case_edit_undoes_and_redoes(qtbot):
    panel = make_panel(qtbot)
    original = contents(panel)
    stack = panel.undo_stack
    assert not panel.is_modified() and not stack.canUndo()
    panel.add_case("A new case")
    panel.select_case("c2")
    panel.duplicate_case()
    panel.add_many(["pasted one", "pasted two"], "0")
    panel.add_cases([TestCase("imp-1", "imported", "1")], text="Import 1 case")
    panel.select_case("c1")
    panel.content_edit.setFocus()
    qtbot.keyClicks(panel.content_edit, "xyz")  # three keystrokes, one undo step
    panel.expected_combo.setCurrentIndex(panel.expected_combo.findData("0"))
    qtbot.keyClicks(panel.notes_edit, "note")
    panel.select_case("c3")
    panel.delete_selected()
    edited = contents(panel)
    assert panel.is_modified() and stack.count() == 8
    assert panel.model.case("c1").content.startswith("xyz")
    while stack.canUndo():
        stack.undo()
    assert contents(panel) == original
    assert not panel.is_modified()  # back at the saved state
    while stack.canRedo():
        stack.redo()
    assert contents(panel) == edited and panel.is_modified()


def test_undoing_a_delete_brings_back_the_case_and_its_result(qtbot):
    panel = make_panel(qtbot)
    entry = panel.model.start_entry("c2", "policy", SAMPLE_CASES[1].content)
    panel.select_case("c2")
    panel.delete_selected()
    assert panel.model.case("c2") is None and panel.current_case_id() == "c3"
    panel.undo_stack.undo()
    assert [c.id for c in panel.cases()] == ["c1", "c2", "c3", "c4"]
    assert panel.model.entry("c2") is entry and panel.current_case_id() == "c2"
    assert panel.content_edit.toPlainText() == SAMPLE_CASES[1].content


def test_undo_shows_the_case_it_changed(qtbot):
    panel = make_panel(qtbot)
    panel.select_case("c4")
    panel.content_edit.setFocus()
    qtbot.keyClicks(panel.content_edit, "Edited ")
    panel.select_case("c1")
    panel.undo_stack.undo()
    assert panel.current_case_id() == "c4"
    assert panel.content_edit.toPlainText() == SAMPLE_CASES[3].content


def test_a_new_test_set_has_its_own_history(qtbot):
    panel = make_panel(qtbot)
    panel.add_case("one more")
    panel.set_cases([TestCase("x", "other set")])
    assert not panel.undo_stack.canUndo() and not panel.is_modified()


def test_case_menu_runs_duplicates_deletes_and_copies(qtbot):
    panel = make_panel(qtbot)
    panel.select_case("c2")
    runs = []
    panel.runRequested.connect(lambda: runs.append(panel.current_case_id()))
    menu = case_menu(panel)
    actions = {a.text(): a for a in menu.actions() if a.text()}
    assert list(actions) == ["Run", "Duplicate", "Delete", "Copy content", "Copy result"]
    assert not actions["Copy result"].isEnabled()  # not run yet
    actions["Run"].trigger()
    assert runs == ["c2"]
    actions["Copy content"].trigger()
    assert QGuiApplication.clipboard().text() == SAMPLE_CASES[1].content
    actions["Duplicate"].trigger()
    assert len(panel.cases()) == 5
    case_menu(panel).actions()[2].trigger()  # Delete the duplicate (now current)
    assert len(panel.cases()) == 4


def test_right_click_makes_the_clicked_row_current(qtbot):
    panel = make_panel(qtbot)
    panel.select_case("c1")
    table = panel.table
    pos = table.visualRect(table.model().index(2, 0)).center()
    table.customContextMenuRequested.emit(pos)
    assert panel.current_case_id() == "c3"
    for menu in table.findChildren(type(case_menu(panel))):
        menu.close()
    assert Qt.ContextMenuPolicy.CustomContextMenu == table.contextMenuPolicy()
