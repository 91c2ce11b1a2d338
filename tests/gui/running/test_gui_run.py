"""GUI flow tests for running cases (pytest-qt, offscreen, scripted fake engine)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QTextCursor  # noqa: E402
from PySide6.QtWidgets import QFileDialog, QMessageBox  # noqa: E402

from app.core.cases import cases_path_for, save_cases  # noqa: E402
from app.gui.app import create_main_window  # noqa: E402
from app.gui.cases.model import CaseRole, Column  # noqa: E402
from app.gui.shared.settings_store import open_settings  # noqa: E402
from app.gui.shared.text_offsets import py_to_qt  # noqa: E402
from tests.support.fake_engine import (  # noqa: E402
    SAMPLE_CASES,
    SAMPLE_POLICY,
    FakeEngineFactory,
    FakeScript,
    configure_model,
    isolate_gui_env,
)

CASES = SAMPLE_CASES
TIMEOUT = 15000


@pytest.fixture
def dialogs(monkeypatch):
    """Record message boxes instead of blocking on them; unsaved-change prompts discard."""
    seen: list[tuple[str, str]] = []

    def warning(_parent, title, text, *args, **kwargs):
        seen.append((title, text))
        return QMessageBox.StandardButton.Ok

    def question(_parent, title, text, *args, **kwargs):
        seen.append((title, text))
        return QMessageBox.StandardButton.Discard

    monkeypatch.setattr(QMessageBox, "warning", warning)
    monkeypatch.setattr(QMessageBox, "question", question)
    return seen


@pytest.fixture
def factory() -> FakeEngineFactory:
    return FakeEngineFactory(FakeScript(delay=0.002, rule_code="SP2.a"))


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch, factory, dialogs):
    model = isolate_gui_env(monkeypatch, tmp_path)
    policy = tmp_path / "spam.md"
    policy.write_text(SAMPLE_POLICY, encoding="utf-8")
    save_cases(cases_path_for(policy), CASES)
    settings = open_settings()
    configure_model(settings, model)
    win = create_main_window(factory, settings=settings, policy_path=policy)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.shutdown()
    assert not win.controller.thread_running()


def status_text(win, case_id: str) -> str:
    model = win.case_panel.model
    return str(model.index(model.row_of(case_id), Column.STATUS).data())


def test_run_all_reports_progress_and_labels(window, qtbot):
    progress, ended = [], []
    window.runner.progressChanged.connect(lambda d, t, _e: progress.append((d, t)))
    window.runner.runEnded.connect(ended.append)
    with qtbot.waitSignal(window.runner.runEnded, timeout=TIMEOUT) as blocker:
        window.window_actions.run_all_action.trigger()
        assert window.status.progress.isVisible()
        assert not window.window_actions.run_all_action.isEnabled()
    assert blocker.args[0].status == "finished"
    assert progress[0] == (0, 4) and progress[-1] == (4, 4)
    qtbot.wait(50)
    assert [o.status for o in ended] == ["finished"]  # exactly one terminal signal
    model = window.case_panel.model
    predicted = [model.index(r, Column.PREDICTED).data() for r in range(4)]
    agrees = [model.index(r, Column.AGREEMENT).data() for r in range(4)]
    assert predicted == ["1", "0", "1", "0"]
    assert agrees == ["✓", "✓", "✓", "✗"]
    assert not window.status.progress.isVisible()
    assert window.window_actions.run_all_action.isEnabled()


def test_cancel_stops_the_suite(window, qtbot, factory):
    factory.script.delay = 0.02
    with qtbot.waitSignal(window.runner.runEnded, timeout=TIMEOUT) as blocker:
        window.runner.run_all()
        qtbot.waitUntil(lambda: window.case_panel.model.entry("c2") is not None, timeout=TIMEOUT)
        qtbot.mouseClick(window.status.cancel_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0].status == "cancelled"
    model = window.case_panel.model
    assert model.entry("c1").state == "done"
    assert model.entry("c2").state == "cancelled"
    assert model.entry("c3") is None and model.entry("c4") is None
    assert status_text(window, "c4") == ""  # no longer "queued"
    assert factory.engines[0].calls == 2


def test_reasoning_streams_and_rule_code_click_jumps_to_policy(window, qtbot, factory):
    factory.script.delay = 0.01
    view = window.result_view
    window.case_panel.select_case("c1")
    with qtbot.waitSignal(window.controller.casesStored, timeout=TIMEOUT):
        window.window_actions.run_case_action.trigger()
        qtbot.waitUntil(
            lambda: "The user content says" in view.reasoning.toPlainText(), timeout=TIMEOUT
        )
        assert window.case_panel.model.entry("c1").result is None  # still streaming
    qtbot.waitUntil(lambda: view.badge_kind() == "violates", timeout=TIMEOUT)
    qtbot.wait(120)  # highlight refresh timer
    text = view.reasoning.toPlainText()
    assert "SP2.a" in text and '"Pay the $2 fee"' in text
    kinds = {mark.kind for mark in view.reasoning.marks}
    assert kinds == {"rule", "quote"}
    assert len(view.reasoning.extraSelections()) >= 2
    assert window.case_panel.content_edit.extraSelections()  # quoted phrase in the case

    index = text.index("SP2.a") + 2
    cursor = QTextCursor(view.reasoning.document())
    cursor.setPosition(py_to_qt(text, index))
    point = view.reasoning.cursorRect(cursor).center()
    with qtbot.waitSignal(view.ruleCodeClicked, timeout=2000) as clicked:
        qtbot.mouseClick(view.reasoning.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert clicked.args == ["SP2.a"]
    expected_line = next(
        n for n, line in enumerate(SAMPLE_POLICY.splitlines()) if line.startswith("- SP2.a")
    )
    assert window.policy_panel.editor.textCursor().blockNumber() == expected_line

    # a quoted phrase clicked: the case text selects it (it used to do nothing)
    window.case_panel.content_edit.moveCursor(QTextCursor.MoveOperation.End)
    index = text.index("Pay the $2 fee") + 3
    cursor.setPosition(py_to_qt(text, index))
    point = view.reasoning.cursorRect(cursor).center()
    with qtbot.waitSignal(view.quoteClicked, timeout=2000) as clicked:
        qtbot.mouseClick(view.reasoning.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert clicked.args[0] == "Pay the $2 fee"
    selected = window.case_panel.content_edit.textCursor().selectedText()
    assert selected.lower() == "pay the $2 fee"


def test_policy_edit_marks_results_stale(window, qtbot):
    with qtbot.waitSignal(window.runner.runEnded, timeout=TIMEOUT):
        window.runner.run_all()
    model = window.case_panel.model
    index = model.index(model.row_of("c1"), Column.STATUS)
    assert not index.data(CaseRole.STALE)
    window.case_panel.select_case("c1")
    editor = window.policy_panel.editor
    editor.setFocus()
    editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(editor, "More text.")
    qtbot.waitUntil(lambda: bool(index.data(CaseRole.STALE)), timeout=2000)
    assert str(index.data()).endswith("(stale)")
    assert index.data(Qt.ItemDataRole.FontRole).italic()
    assert "Stale" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(model.row_of("c1"), Column.AGREEMENT).data() == ""
    assert "STALE" in window.result_view.badge.text()
    for _ in range(len("More text.")):
        editor.undo()
    qtbot.waitUntil(lambda: not index.data(CaseRole.STALE), timeout=2000)


def test_results_of_a_run_started_before_an_edit_arrive_stale(window, qtbot, factory):
    factory.script.delay = 0.01
    with qtbot.waitSignal(window.runner.runEnded, timeout=TIMEOUT):
        window.runner.run_all()
        qtbot.waitUntil(lambda: window.case_panel.model.entry("c2") is not None, timeout=TIMEOUT)
        window.policy_panel.editor.moveCursor(QTextCursor.MoveOperation.End)
        qtbot.keyClicks(window.policy_panel.editor, " edited")
    model = window.case_panel.model
    assert all(model.entry(case.id).stale for case in CASES)


def test_engine_crash_mid_run_restarts_it_and_leaves_window_usable(window, qtbot, factory):
    factory.script.crash_on_call = 2
    with qtbot.waitSignal(window.runner.runEnded, timeout=TIMEOUT) as blocker:
        window.runner.run_all()
    assert blocker.args[0].status == "finished"  # a crash costs a restart, not the run
    model = window.case_panel.model
    assert all(model.entry(case.id).state == "done" for case in CASES)
    assert status_text(window, "c2") != "error"
    assert factory.engines[0].restarts == 1 and len(factory.engines) == 1
    assert window.status.engine_state() == "ready"
    qtbot.keyClicks(window.policy_panel.editor, "Still editable. ")
    assert window.policy_panel.is_modified()


def test_model_load_failure_is_reported_and_next_run_retries(window, qtbot, factory):
    factory.script.fail_load = "This file is not a gpt-oss model; choose another .gguf file."
    with qtbot.waitSignal(window.runner.runEnded, timeout=TIMEOUT) as blocker:
        window.runner.run_current()
    assert blocker.args[0].status == "failed"
    assert window.status.engine_state() == "error"
    assert "gpt-oss" in window.status.engine_label.toolTip()
    window.engine_message_box.close()
    factory.script.fail_load = None
    with qtbot.waitSignal(window.runner.runEnded, timeout=TIMEOUT) as blocker:
        window.runner.run_current()
    assert blocker.args[0].status == "finished"


def test_rich_text_is_shown_literally(window, qtbot):
    content = '<b>fee</b> <img src="x.png"> &amp; <i>now</i>'
    case_id = window.case_panel.add_case(content, "1")
    assert window.case_panel.content_edit.toPlainText() == content
    model = window.case_panel.model
    assert model.index(model.row_of(case_id), Column.PREVIEW).data() == content
    with qtbot.waitSignal(window.runner.runEnded, timeout=TIMEOUT):
        window.runner.run_current()
    view = window.result_view
    qtbot.waitUntil(lambda: "<b>fee</b>" in view.reasoning.toPlainText(), timeout=TIMEOUT)
    assert view.reasoning.document().toPlainText().count("<") >= 2
    assert view.badge.textFormat() == Qt.TextFormat.PlainText
    assert view.title.textFormat() == Qt.TextFormat.PlainText
    assert view.stats.textFormat() == Qt.TextFormat.PlainText


def test_run_case_without_a_model_opens_the_models_dialog(window, qtbot, monkeypatch):
    window.settings.setValue("engine/model_path", "")
    asked = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: asked.append(a))
    window.case_panel.select_case("c1")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    qtbot.keyClick(window.case_panel.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyRelease(window.case_panel.table, Qt.Key.Key_Control)
    assert not asked  # no bare file picker
    qtbot.waitUntil(lambda: window.models_dialog is not None, timeout=3000)
    assert window.models_dialog.isVisible()
    assert "Models" in window.status.currentMessage()
    window.models_dialog.close()
