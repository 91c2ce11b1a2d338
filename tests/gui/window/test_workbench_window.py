"""The workbench window as a new user meets it: one policy's results at a time, Run all
versus the filter, undo from the keyboard, one action per shortcut, status words."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QKeySequence  # noqa: E402
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu  # noqa: E402

from app.gui.cases.model import Column  # noqa: E402
from app.gui.settings.dialog import SettingsDialog  # noqa: E402
from tests.support.fake_engine import FakeEngineFactory, FakeScript  # noqa: E402
from tests.support.gui_window import activate, chord, open_workbench, shut, write_policy  # noqa: E402

TIMEOUT = 10000
Ctrl = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def factory() -> FakeEngineFactory:
    return FakeEngineFactory(FakeScript(delay=0.0005, rule_code="SP2.a"))


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch, factory):
    win = open_workbench(qtbot, tmp_path, monkeypatch, factory)
    yield win
    shut(win)


def run_all(qtbot, win, action=None) -> None:
    with qtbot.waitSignal(win.runner.runEnded, timeout=TIMEOUT):
        (action or win.window_actions.run_all_action).trigger()


def test_opening_another_policy_resets_every_panel_and_export(window, qtbot, tmp_path, monkeypatch):
    run_all(qtbot, window)
    metrics = window.metrics_panel
    qtbot.waitUntil(lambda: metrics.metrics() is not None, timeout=TIMEOUT)
    assert metrics.title.text().startswith("Run v1 · ")  # a run named for people
    qtbot.waitUntil(lambda: bool(metrics.chart.points()), timeout=TIMEOUT)
    other = write_policy(tmp_path, "other.md", cases=[])
    window.document.open(other, ask_save=False)
    assert metrics.metrics() is None and not metrics.chart.points()
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: asked.append(a) or ("", ""))
    window.window_actions.report_action.trigger()
    window.evaluation.wait()
    qtbot.wait(50)
    assert not asked  # no report of spam.md offered while other.md is open
    assert "Run the test set first" in window.status.currentMessage()
    qtbot.wait(200)  # a late answer for spam.md must not come back either
    assert metrics.metrics() is None


def test_run_all_runs_every_case_and_the_chip_names_the_filter(window, qtbot):
    run_all(qtbot, window)
    metrics = window.metrics_panel
    qtbot.waitUntil(lambda: metrics.metrics() is not None, timeout=TIMEOUT)
    view = metrics.confusion_view
    matrix = view.confusion_model.matrix()
    row, column = matrix.rows.index("1"), matrix.columns.index("0")
    view.clicked.emit(view.model().index(row, column))  # the wrongly passed case
    panel = window.case_panel
    assert panel.visible_case_ids() == ["c4"]
    chip = panel.filter_chip
    assert chip.isVisible() and chip.text() == "Filtered: expected 1 · predicted 0 ✕"
    started = []
    window.runner.caseStarted.connect(started.append)
    factory_calls = len(started)
    run_all(qtbot, window, window.window_actions.run_shown_action)
    assert started[factory_calls:] in ([], ["c4"])  # cached or run: only the shown case
    window.settings.setValue("run/seed", 7)  # no effect needed: Run all names all cases
    ids = []
    window.controller.runStarted.connect(lambda _run, total: ids.append(total))
    run_all(qtbot, window)
    assert ids == [4]
    qtbot.mouseClick(chip, Qt.MouseButton.LeftButton)
    assert not chip.isVisible() and len(panel.visible_case_ids()) == 4


def test_ctrl_z_in_the_table_undoes_a_delete_and_the_edit_menu_has_it(window, qtbot):
    panel = window.case_panel
    panel.select_case("c2")
    panel.table.setFocus()
    panel.delete_selected()
    assert panel.model.case("c2") is None
    chord(qtbot, panel.table, Qt.Key.Key_Z, Ctrl)
    assert panel.model.case("c2") is not None and panel.current_case_id() == "c2"
    chord(qtbot, panel.table, Qt.Key.Key_Z, Ctrl | Qt.KeyboardModifier.ShiftModifier)
    assert panel.model.case("c2") is None
    edit = window.window_actions.edit_actions
    assert list(edit) == ["undo", "redo", "cut", "copy", "paste", "selectAll"]
    panel.table.setFocus()
    chord(qtbot, panel.table, Qt.Key.Key_A, Ctrl)
    assert len(panel.table.selectionModel().selectedRows()) == 3
    chord(qtbot, panel.table, Qt.Key.Key_C, Ctrl)
    assert "Pay the $2 fee" in QApplication.clipboard().text()


def _menu_actions(menu: QMenu):
    for action in menu.actions():
        if action.menu() is not None:
            yield from _menu_actions(action.menu())
        elif not action.isSeparator():
            yield action


def test_every_shortcut_in_the_menus_triggers_its_one_action(window, qtbot, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(SettingsDialog, "exec", lambda self: 0)
    actions = [a for top in window.menuBar().actions() for a in _menu_actions(top.menu())]
    keys: dict[str, list[str]] = {}
    for action in actions:
        for sequence in action.shortcuts():
            keys.setdefault(sequence.toString(), []).append(action.text())
    assert {k: v for k, v in keys.items() if len(v) > 1} == {}  # one action per key
    skip = {QKeySequence(QKeySequence.StandardKey.Quit).toString(), "Esc"}
    text_keys = set(window.window_actions.edit_actions.values())  # the editor's own there
    pairs = [(window.case_panel.table, a) for a in actions]
    pairs += [(window.policy_panel.editor, a) for a in actions if a not in text_keys]
    for target, action in pairs:
        sequence = action.shortcut()
        if sequence.isEmpty() or sequence.toString() in skip or not action.isEnabled():
            continue
        activate(qtbot, window)
        target.setFocus()
        fired = []
        action.triggered.connect(lambda *_a, f=fired: f.append(1))
        combo = sequence[0]
        chord(qtbot, target, combo.key(), combo.keyboardModifiers())
        assert fired, f"{sequence.toString()} did not trigger {action.text()}"
        for dialog in (window.models_dialog, window.evaluation_actions.history_dialog):
            if dialog is not None:
                dialog.close()
        window.runner.cancel()
        qtbot.waitUntil(lambda: not window.controller.is_busy(), timeout=TIMEOUT)


def test_find_in_reasoning_and_its_menu(window, qtbot):
    with qtbot.waitSignal(window.runner.runEnded, timeout=TIMEOUT):
        window.window_actions.run_case_action.trigger()
    view = window.result_view
    chord(qtbot, window.case_panel.table, Qt.Key.Key_F, Ctrl | Qt.KeyboardModifier.ShiftModifier)
    assert view.finder.isVisible() and view.finder.find_edit.hasFocus()
    qtbot.keyClicks(view.finder.find_edit, "SP2.a")
    assert view.reasoning.textCursor().selectedText() == "SP2.a"
    qtbot.keyClick(view.finder.find_edit, Qt.Key.Key_Escape)
    assert not view.finder.isVisible()
    from app.gui.running.reasoning_tools import reasoning_menu

    menu = reasoning_menu(view.reasoning, view.finder)
    assert [a.text() for a in menu.actions()] == ["Copy", "Find…"]
    menu.actions()[0].trigger()
    assert "SP2.a" in QApplication.clipboard().text()


def test_case_table_and_metrics_use_one_status_vocabulary(window, qtbot, factory):
    factory.script.answers = (("bake", "maybe?"),)  # an answer that is not a label
    run_all(qtbot, window)
    model = window.case_panel.model
    row = model.row_of("c2")
    assert model.index(row, Column.PREDICTED).data() == "unparsable"
    assert model.index(row, Column.STATUS).data().startswith("unparsable")
    metrics = window.metrics_panel
    qtbot.waitUntil(lambda: metrics.metrics() is not None, timeout=TIMEOUT)
    assert "unparsable 1" in metrics.counts.text()


def test_escape_closes_a_find_bar_without_cancelling_the_run(window, qtbot, factory):
    factory.script.delay = 0.02  # a run long enough to press keys during it
    panel = window.policy_panel
    window.window_actions.run_all_action.trigger()
    qtbot.waitUntil(window.controller.is_busy, timeout=TIMEOUT)
    chord(qtbot, panel.editor, Qt.Key.Key_F, Ctrl)
    assert panel.find_bar.isVisible()
    qtbot.keyClick(panel.find_bar.find_edit, Qt.Key.Key_Escape)
    assert not panel.find_bar.isVisible()  # Esc closed the bar ...
    assert window.controller.is_busy()  # ... and the run goes on
    view = window.result_view
    chord(qtbot, window.case_panel.table, Qt.Key.Key_F, Ctrl | Qt.KeyboardModifier.ShiftModifier)
    assert view.finder.isVisible()
    qtbot.keyClick(view.finder.find_edit, Qt.Key.Key_Escape)
    assert not view.finder.isVisible()
    assert window.controller.is_busy()
    # Esc anywhere else still cancels the run
    with qtbot.waitSignal(window.runner.runEnded, timeout=TIMEOUT):
        qtbot.keyClick(window.case_panel.table, Qt.Key.Key_Escape)


def test_the_filter_chip_leaves_the_policy_editor_its_width_on_a_small_screen(window, qtbot):
    window.resize(1024, 700)
    qtbot.wait(50)
    editor = window.policy_panel.editor
    before = editor.width()
    panel = window.case_panel
    panel.describe_case_filter("expected 0 · predicted 1")
    panel.proxy.set_case_filter([case.id for case in panel.cases()[:2]])
    qtbot.waitUntil(panel.filter_chip.isVisible)
    qtbot.wait(50)
    assert panel.filter_chip.text() == "Filtered: expected 0 · predicted 1 ✕"
    assert editor.width() >= before - 10  # it used to shrink to a few characters
    assert window.metrics_panel.tag_view.horizontalHeader().stretchLastSection()


def test_the_window_keeps_a_daily_copy_of_the_results(window, qtbot):
    from app.store.backup import backups

    run_all(qtbot, window)
    window.evaluation.backup_store()
    window.evaluation.wait()
    [copy] = backups(window.store.path)
    assert str(copy).startswith(str(window.store.path.parent))
    window.evaluation.backup_store()  # the same day: no second copy
    window.evaluation.wait()
    assert backups(window.store.path) == [copy]


def test_find_keys_on_the_start_page_never_focus_a_hidden_field(
    qtbot, tmp_path, monkeypatch, factory
):
    win = open_workbench(qtbot, tmp_path, monkeypatch, factory, policy=False)
    try:
        assert win.central.currentIndex() == 0  # the start page
        actions = win.window_actions
        assert not actions.find_action.isEnabled()  # Ctrl+F used to focus a hidden field
        assert not actions.find_reasoning_action.isEnabled()
        win.start_page.template_buttons[0].click()
        qtbot.waitUntil(lambda: win.central.currentIndex() == 1)
        assert actions.find_action.isEnabled() and actions.replace_action.isEnabled()
        chord(qtbot, win.policy_panel.editor, Qt.Key.Key_F, Ctrl)
        assert win.policy_panel.find_bar.isVisible()
    finally:
        shut(win)


def test_the_window_never_grows_past_the_screen(window, qtbot):
    """Without a window manager nothing refuses a window that outgrows the screen: the
    filter chip and a run's progress used to add rows that pushed the status bar off it."""
    area = window.screen().availableGeometry()
    window.resize(area.width(), area.height())
    qtbot.wait(50)
    assert window.minimumHeight() <= area.height()
    panel = window.case_panel
    panel.describe_case_filter("expected 0 · predicted 1")
    panel.proxy.set_case_filter([case.id for case in panel.cases()[:2]])
    qtbot.waitUntil(panel.filter_chip.isVisible)
    window.window_actions.run_all_action.trigger()
    qtbot.waitUntil(window.status.progress.isVisible, timeout=TIMEOUT)
    qtbot.wait(50)
    assert window.height() <= area.height()
    assert window.width() <= area.width()
    qtbot.waitUntil(lambda: not window.controller.is_busy(), timeout=TIMEOUT)
