"""The status bar reads the active model's stored self-check once per model (pytest-qt,
offscreen): reading it hashes the file's head and reads the checks file on the GUI thread,
and engine states come at start-up, twice a run and after every task. It reads again only
when a check ran (``refresh_check``) or the backend or model changed."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import app.gui.running.status_bar as status_bar  # noqa: E402
from tests.gui.window.test_gui_window_testsets import (  # noqa: E402,F401
    close_window,
    env,
    factory,
    open_window,
)
from tests.support.fake_engine import configure_model  # noqa: E402


def test_a_run_reads_the_stored_check_once_per_model(qtbot, env, factory, monkeypatch):  # noqa: F811
    reads: list[str] = []
    real = status_bar.stored_check

    def counting(path):
        reads.append(str(path))
        return real(path)

    monkeypatch.setattr(status_bar, "stored_check", counting)
    win = open_window(qtbot, env, factory)
    try:
        status = win.status
        status.set_engine_state("ready", "model.gguf")
        before = len(reads)
        assert before >= 1  # the model's check was read once
        with qtbot.waitSignal(win.runner.runEnded, timeout=15000):
            assert win.runner.run_suite("all")
        status.set_engine_state("ready", "model.gguf")
        status.set_engine_state("no_model", "model.gguf")
        assert len(reads) == before  # the same model: no file read again

        status.refresh_check()  # a self-check ran: read it again
        assert len(reads) == before + 1

        other = env[1].with_name("other.gguf")
        configure_model(win.settings, other)  # another model: read its check
        status.set_engine_state("no_model", "other.gguf")
        assert reads[-1] == str(other) and len(reads) == before + 2
    finally:
        close_window(win)
