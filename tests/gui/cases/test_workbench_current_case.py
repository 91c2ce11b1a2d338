"""One current case: the highlighted row drives the editor, the result and Run case (keys)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.gui.cases.model import CaseRole  # noqa: E402
from tests.support.fake_engine import FakeEngineFactory, FakeScript  # noqa: E402
from tests.support.gui_window import chord, open_workbench, shut  # noqa: E402

Ctrl = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    factory = FakeEngineFactory(FakeScript(delay=0.001))
    win = open_workbench(qtbot, tmp_path, monkeypatch, factory)
    win.factory = factory
    yield win
    shut(win)


def highlighted(win) -> list[str]:
    rows = win.case_panel.table.selectionModel().selectedRows()
    return [str(index.data(CaseRole.CASE_ID)) for index in rows]


def click_row(qtbot, win, row: int) -> None:
    table = win.case_panel.table
    rect = table.visualRect(table.model().index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_keys_in_the_table_keep_highlight_editor_and_run_on_one_case(window, qtbot):
    panel = window.case_panel
    click_row(qtbot, window, 0)
    assert highlighted(window) == ["c1"] and panel.current_case_id() == "c1"
    table = panel.table
    for key, modifiers in ((Qt.Key.Key_Tab, Ctrl), (Qt.Key.Key_Down, Ctrl)):
        chord(qtbot, table, key, modifiers)
        current = panel.current_case_id()
        assert highlighted(window) == [current]
        assert panel.content_edit.toPlainText() == panel.model.case(current).content
    shown = panel.current_case_id()
    started = []
    window.controller.caseStarted.connect(started.append)
    with qtbot.waitSignal(window.runner.runEnded, timeout=5000):
        chord(qtbot, table, Qt.Key.Key_Return, Ctrl)
    assert started == [shown] == highlighted(window)
    assert window.case_panel.model.entry(shown).state == "done"
    assert window.result_view.case_id() == shown


def test_tab_leaves_the_table_for_content_expected_and_notes(window, qtbot):
    panel = window.case_panel
    click_row(qtbot, window, 1)
    assert QApplication.focusWidget() is panel.table
    order = []
    for _ in range(3):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    assert order == [panel.content_edit, panel.expected_combo, panel.notes_edit]
    assert highlighted(window) == ["c2"] and panel.current_case_id() == "c2"
    assert "\t" not in panel.model.case("c2").content
