"""The window and servers that hang, models whose self-check failed, a changed backend
(issue 21.3 and 21.6), driven by keys and clicks on the real main window: a loopback server
that takes the case and never answers, a fake engine for the speed badge."""

from __future__ import annotations

import os
import shutil

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from app.core.cases import TestCase, cases_path_for, save_cases  # noqa: E402
from app.gui.app import create_main_window  # noqa: E402
from app.gui.cases.model import Column  # noqa: E402
from app.gui.shared.settings_store import open_settings  # noqa: E402
from app.runs.backends.model_checks import save_check  # noqa: E402
from app.runs.backends.probe import ProbeReport  # noqa: E402
from tests.bad_inputs.servers import hanging  # noqa: E402
from tests.support.fake_engine import (  # noqa: E402
    SAMPLE_CASES,
    SAMPLE_POLICY,
    FakeEngineFactory,
    FakeScript,
    configure_model,
    isolate_gui_env,
)
from tests.support.fake_server import fake_server  # noqa: E402
from tests.support.synthetic_gguf import cached_model  # noqa: E402

REASON = "the model answered 'banana' to the obvious spam probe"


@pytest.fixture
def env(tmp_path, monkeypatch):
    model = isolate_gui_env(monkeypatch, tmp_path)
    monkeypatch.setenv("SAFEGUARD_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Ok)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    policy = tmp_path / "spam.md"
    policy.write_text(SAMPLE_POLICY, encoding="utf-8")
    save_cases(cases_path_for(policy), SAMPLE_CASES)
    return policy, model


def shown(qtbot, win):
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=3000)
    return win


def close(win) -> None:
    win.policy_panel.set_modified(False)
    win.case_panel.set_modified(False)
    win.shutdown()
    assert not win.controller.thread_running()
    win.close()


def status_of(win, case_id: str) -> str:
    model = win.case_panel.model
    return str(model.index(model.row_of(case_id), Column.STATUS).data())


def test_a_hanging_server_shows_waiting_on_the_case_and_in_the_status_bar(qtbot, env) -> None:
    """The row said "queued", the status bar a green "Ready" and the previous result stayed
    on screen while a server sat on the case for minutes."""
    policy, _model = env
    first = SAMPLE_CASES[0].id
    with fake_server(hanging(hang_s=30)) as (url, _handler):
        settings = open_settings()
        settings.setValue("engine/backend", "remote")
        settings.setValue("remote/base_url", url)
        win = shown(qtbot, create_main_window(None, settings=settings, policy_path=policy))
        win.case_panel.select_case(first)
        QTest.keyClick(win, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Run case
        qtbot.waitUntil(
            lambda: "waiting for the server · 2 s" in status_of(win, first), timeout=8000
        )
        label = win.status.engine_label
        assert label.text().startswith("● Waiting for the server · ")
        assert label.text().endswith(" s") and label.property("state") == "waiting"
        assert "sent nothing back yet" in label.toolTip()
        assert "waiting for the server · " in win.result_view.title.text()
        with qtbot.waitSignal(win.runner.runEnded, timeout=10000):
            QTest.keyClick(win, Qt.Key.Key_Escape)  # Cancel run: the wait ends at once
        assert "waiting" not in status_of(win, first)
        assert "Waiting" not in label.text()
        close(win)


def test_a_failed_self_check_shows_in_the_status_bar(qtbot, env, tmp_path) -> None:
    """The main window said a green "Ready" for a model whose self-check failed."""
    policy, _fake = env
    model = tmp_path / "tiny.gguf"
    shutil.copyfile(cached_model("tiny"), model)
    save_check(model, ProbeReport(False, REASON + ".", [("answer", False, REASON)]))
    settings = open_settings()
    configure_model(settings, model)
    factory = FakeEngineFactory(FakeScript(delay=0.001))
    win = shown(qtbot, create_main_window(factory, settings=settings, policy_path=policy))
    label = win.status.engine_label
    assert label.text().startswith("● Self-check failed")
    assert REASON in label.toolTip() and "not the policy" in label.toolTip()
    assert "#c62828" in label.styleSheet() or "#ff8a80" in label.styleSheet()
    with qtbot.waitSignal(win.runner.runEnded, timeout=10000):
        QTest.keyClick(win, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert label.text().startswith("● Self-check failed")  # still, after a run
    close(win)


def test_the_speed_of_the_last_backend_goes_when_the_model_changes(qtbot, env, tmp_path) -> None:
    """The status bar kept the previous model's (or server's) speed after a change."""
    policy, model = env
    models = tmp_path / "models"
    models.mkdir(exist_ok=True)
    shutil.copyfile(cached_model("tiny"), models / "other.gguf")
    settings = open_settings()
    configure_model(settings, model)
    factory = FakeEngineFactory(FakeScript(delay=0.001))
    win = shown(qtbot, create_main_window(factory, settings=settings, policy_path=policy))
    with qtbot.waitSignal(win.runner.runEnded, timeout=10000):
        QTest.keyClick(win, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "tok/s" in win.engine_badge.text(), timeout=5000)
    QTest.keyClick(
        win, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    dialog = win.models_dialog
    qtbot.waitUntil(lambda: dialog.model.row_of("other") >= 0, timeout=10000)
    table = dialog.table
    rect = table.visualRect(dialog.model.index(dialog.model.row_of("other"), 0))
    with qtbot.waitSignal(win.models_controller.activeModelChanged, timeout=10000):
        QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        QTest.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert "tok/s" not in win.engine_badge.text()
    assert "other.gguf" in win.status.engine_label.text()
    dialog.close()
    close(win)


def test_a_run_on_a_hanging_server_stops_after_three_silent_cases(qtbot, env) -> None:
    """Run all on a server that never answers stops after three cases in a row with one
    sentence (every case waited its full limit before: 45 cases, hours)."""
    from dataclasses import replace

    from app.engine.remote.engine import RemoteEngine

    policy, _model = env
    cases = [TestCase(f"h{i}", f"content {i}", "1") for i in range(6)]
    save_cases(cases_path_for(policy), cases)

    def quick(config):  # the real remote engine, silent for at most 1 s per case
        return RemoteEngine(replace(config.remote, read_timeout=1.0))

    with fake_server(hanging(hang_s=30)) as (url, handler):
        settings = open_settings()
        settings.setValue("engine/backend", "remote")
        settings.setValue("remote/base_url", url)
        win = shown(qtbot, create_main_window(quick, settings=settings, policy_path=policy))
        keys = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        with qtbot.waitSignal(win.runner.runEnded, timeout=20000) as ended:
            QTest.keyClick(win, Qt.Key.Key_Return, keys)  # Run all
        sent = [path for path, _b, _a in handler.log if path == "/v1/chat/completions"]
    sentence = f"The server at {url} took 3 cases in a row and sent nothing back for 1 s each"
    assert len(sent) == 3
    assert ended.args[0].status == "failed" and ended.args[0].message.startswith(sentence)
    assert win.status.engine_state() == "error"
    assert win.status.engine_label.toolTip().startswith(sentence)
    win.engine_message_box.close()
    close(win)
