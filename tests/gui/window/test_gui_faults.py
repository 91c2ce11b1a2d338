"""The window tells the same faults with the same sentences as the CLI (pytest-qt).

A full disk during Run all, a database locked by another program, and a hanging server
that the user cancels: the run ends (failed or cancelled) with the sentence the store or
the engine gives the CLI, the window stays usable, and what was stored stays stored.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from app.core.cases import TestCase, cases_path_for, save_cases  # noqa: E402
from app.gui.app import create_main_window  # noqa: E402
from app.gui.shared import options  # noqa: E402
from app.gui.shared.settings_store import open_settings  # noqa: E402
from app.store import Store  # noqa: E402
from app.store import errors as store_errors  # noqa: E402
from tests.support.fake_engine import (  # noqa: E402
    SAMPLE_POLICY,
    FakeEngineFactory,
    FakeScript,
    configure_model,
    isolate_gui_env,
)
from tests.support.fake_server import chat_models, fake_server  # noqa: E402
from tests.support.storage_faults import tiny_disk  # noqa: E402

TIMEOUT = 20_000
BIG = [TestCase(f"b{i}", f"Pay the fee {i} " + "x" * 3000, "1") for i in range(8)]


@pytest.fixture
def make_window(qtbot, tmp_path, monkeypatch):
    """A window on a fake engine (or the settings given) whose message boxes are recorded."""
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Ok)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    model = isolate_gui_env(monkeypatch, tmp_path)
    policy = tmp_path / "spam.md"
    policy.write_text(SAMPLE_POLICY, encoding="utf-8")
    windows = []

    def make(cases: list[TestCase], remote_url: str = ""):
        save_cases(cases_path_for(policy), cases)
        settings = open_settings()
        configure_model(settings, model)
        factory = None
        if remote_url:
            options.put(settings, options.BACKEND, "remote")
            options.put(settings, options.BASE_URL, remote_url)
        else:
            factory = FakeEngineFactory(FakeScript(delay=0.001))
        window = create_main_window(factory, settings=settings, policy_path=policy)
        qtbot.addWidget(window)
        windows.append(window)
        messages: list[str] = []
        window.runner.message.connect(messages.append)
        return window, messages

    yield make
    for window in windows:
        window.shutdown()
        assert not window.controller.thread_running()


def run_all(qtbot, window):
    with qtbot.waitSignal(window.runner.runEnded, timeout=TIMEOUT) as ended:
        assert window.runner.run_all()
    return ended.args[0]


def db_path() -> str:
    return os.path.join(os.environ["SAFEGUARD_DATA_DIR"], "results.sqlite3")


def test_full_disk_during_run_all(qtbot, make_window, monkeypatch) -> None:
    window, messages = make_window(BIG)  # its store is open; the run's own connection fills
    with monkeypatch.context() as patch:
        tiny_disk(patch)
        outcome = run_all(qtbot, window)
    full = sqlite3.OperationalError("database or disk is full")
    expected = str(store_errors.store_error(full, Path(db_path())))
    assert outcome.status == "failed" and outcome.message == expected  # the CLI's sentence
    assert messages[-1] == expected and window.status.message_label.text() == expected  # whole
    store = Store(db_path())
    (run,) = store.list_runs()
    kept = store.results(run.id)
    store.close()
    assert run.status == "interrupted" and 0 < len(kept) < len(BIG)  # never left "running"
    assert not window.runner.is_running()


def test_locked_database(qtbot, make_window, monkeypatch) -> None:
    monkeypatch.setattr(store_errors, "BUSY_TIMEOUT_S", 0.3)
    window, messages = make_window(BIG[:2])
    holder = sqlite3.connect(db_path(), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        outcome = run_all(qtbot, window)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert outcome.status == "failed" and "stayed locked by another program" in outcome.message
    assert "move it aside" not in outcome.message and messages[-1] == outcome.message
    outcome = run_all(qtbot, window)  # the lock is gone: the same window runs again
    assert outcome.status == "finished" and outcome.summary.done == 2


def test_hanging_server_cancelled_by_the_user(qtbot, make_window) -> None:
    release = threading.Event()
    arrived = threading.Event()

    def hang(_handler, _body) -> None:
        arrived.set()
        release.wait(30)  # answers nothing until the test ends

    routes = {"/v1/models": chat_models, "/v1/chat/completions": hang}
    with fake_server(routes) as (url, _handler):
        window, messages = make_window(BIG[:2], remote_url=url)
        try:
            with qtbot.waitSignal(window.runner.runEnded, timeout=TIMEOUT) as ended:
                assert window.runner.run_all()
                qtbot.waitUntil(arrived.is_set, timeout=TIMEOUT)
                started = time.monotonic()
                window.runner.cancel()
            assert time.monotonic() - started < 5
            assert ended.args[0].status == "cancelled" and messages[-1] == "Run cancelled."
            assert not window.runner.is_running()
        finally:
            release.set()


def test_hanging_server_ends_at_the_request_deadline(qtbot, make_window, tmp_path) -> None:
    """Nobody cancels: the window's remote deadline (the settings' ``remote/deadline``)
    ends the case with the CLI's sentence, and the run still finishes its other cases."""
    release = threading.Event()

    def hang(_handler, _body) -> None:
        release.wait(30)

    routes = {"/v1/models": chat_models, "/v1/chat/completions": hang}
    with fake_server(routes) as (url, _handler):
        window, _messages = make_window(BIG[:1], remote_url=url)
        options.put(window.settings, options.REMOTE_DEADLINE, 1.0)
        try:
            started = time.monotonic()
            outcome = run_all(qtbot, window)
            assert time.monotonic() - started < 10
        finally:
            release.set()
    store = Store(db_path())
    (result,) = store.results(outcome.run_id)
    store.close()
    assert result.status == "error"
    assert "did not finish this case: the answer took longer than the 1 s allowed" in (
        result.message
    )


def test_connection_test_against_a_dripping_server_ends(qtbot, monkeypatch) -> None:
    from app.gui.settings import backend_controller
    from app.gui.settings.backend_page import BackendSettingsWidget
    from tests.support.fake_server import drip_answer

    monkeypatch.setattr(backend_controller, "PROBE_DEADLINE", 1.0)
    routes = {"/v1/models": lambda h, _b: drip_answer(h, b'{"data": [{"id": "m"}]}', 0.3)}
    with fake_server(routes) as (url, _handler):
        page = BackendSettingsWidget()
        qtbot.addWidget(page)
        try:
            page.set_values({"backend": "remote", "base_url": url, "remote_api": "chat"})
            with qtbot.waitSignal(page.controller.connectionTested, timeout=TIMEOUT) as tested:
                page.test_button.click()
            assert tested.args[0] is False and "took longer than the 1 s" in tested.args[1]
        finally:
            page.shutdown()
    assert not page.controller.thread_running()
