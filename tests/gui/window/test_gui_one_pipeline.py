"""The window and the CLI run through one pipeline: one cache, one history, lazy loading.

Real parts only: a remote suite runs through ``safeguard-studio eval`` and then through the
window's Run all against the same llama-cpp-python server on loopback; a local suite runs
on the tiny synthetic model through the window's own engine factory (``build_engine``).
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

import app.cli  # noqa: E402
from app.core.cases import TestCase, cases_path_for, save_cases  # noqa: E402
from app.engine.lazy import LazyEngine  # noqa: E402
from app.gui.app import create_main_window  # noqa: E402
from app.gui.shared import options  # noqa: E402
from app.gui.shared.settings_store import open_settings  # noqa: E402
from app.store import Store  # noqa: E402
from tests.support.fake_engine import SAMPLE_POLICY, isolate_gui_env  # noqa: E402

TIMEOUT = 120_000
CASES = [
    TestCase("a", "Pay the $2 fee to release your parcel today.", "1"),
    TestCase("b", "I bake birthday cakes, message me.", "0"),
    TestCase("c", "Verify your password at this link now.", "1"),
]


@pytest.fixture(scope="module")
def server(llama_server: str) -> str:
    return llama_server


@pytest.fixture
def policy(tmp_path, monkeypatch) -> Path:
    isolate_gui_env(monkeypatch, tmp_path)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    path = tmp_path / "spam.md"
    path.write_text(SAMPLE_POLICY, encoding="utf-8")
    save_cases(cases_path_for(path), CASES)
    return path


def _window(qtbot, settings, policy: Path):
    window = create_main_window(settings=settings, policy_path=policy)
    qtbot.addWidget(window)
    return window


def _run_all(qtbot, window) -> tuple[object, list]:
    stored: list = []
    window.controller.casesStored.connect(stored.extend)
    with qtbot.waitSignal(window.runner.runEnded, timeout=TIMEOUT) as ended:
        assert window.runner.run_all()
    return ended.args[0], stored


def test_remote_eval_then_window_run_all_share_cache_and_history(
    qtbot, policy: Path, server: str, tmp_path: Path
) -> None:
    db = Path(os.environ["SAFEGUARD_DATA_DIR"]) / "results.sqlite3"  # the window's store
    args = ["eval", "--policy", str(policy), "--backend", "remote", "--base-url", server]
    args += ["--max-tokens", "24", "--db", str(db), "-q"]
    assert app.cli.main(args) in (0, 1)  # metrics of a random-weight model do not matter

    settings = open_settings()
    options.put(settings, options.BACKEND, "remote")
    options.put(settings, options.BASE_URL, server)
    options.put(settings, options.MAX_TOKENS, 24)
    window = _window(qtbot, settings, policy)
    try:
        outcome, stored = _run_all(qtbot, window)
        assert outcome.status == "finished"
        assert len(stored) == 3 and all(result.cached for result in stored)
        assert outcome.summary.cached == 3
    finally:
        window.shutdown()
    store = Store(db)
    runs = store.list_runs()
    store.close()
    assert len(runs) == 2  # one history: the CLI's run and the window's
    assert runs[0].model == runs[1].model == f"remote:{server}#tiny"
    assert runs[0].policy_hash == runs[1].policy_hash
    assert runs[0].cases_path == runs[1].cases_path


def test_window_run_all_on_a_fully_cached_suite_loads_no_model(
    qtbot, policy: Path, tiny_model: Path
) -> None:
    settings = open_settings()
    options.put(settings, options.MODEL_PATH, str(tiny_model))
    options.put(settings, options.N_CTX, 2048)
    options.put(settings, options.N_THREADS, 2)
    options.put(settings, options.MAX_TOKENS, 24)
    first = _window(qtbot, settings, policy)
    try:
        outcome, stored = _run_all(qtbot, first)
        assert outcome.status == "finished" and not any(r.cached for r in stored)
        assert first.controller.service.engine.loaded  # the misses loaded the weights
    finally:
        first.shutdown()

    again = _window(qtbot, settings, policy)  # a new window: a new engine, nothing loaded
    states: list[str] = []
    again.controller.engineStateChanged.connect(lambda state, _detail: states.append(state))
    try:
        outcome, stored = _run_all(qtbot, again)
        engine = again.controller.service.engine
        assert outcome.status == "finished" and len(stored) == 3
        assert all(r.cached for r in stored)
        assert isinstance(engine, LazyEngine) and not engine.loaded
        assert not engine.engine.alive  # no llama.cpp child process was ever started
        assert "loading" not in states
    finally:
        again.shutdown()
