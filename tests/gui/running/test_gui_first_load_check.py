"""The window runs the model self-check after a run that first loaded a local file (real
llama.cpp on the synthetic model), says the result in the status bar, stores it, and does
not check the same file again."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.core.cases import TestCase  # noqa: E402
from app.runs.backends.model_checks import stored_check  # noqa: E402
from tests.gui.window.test_gui_e2e import open_window  # noqa: E402


def test_first_load_is_checked_once_and_the_result_shown(qtbot, tmp_path, monkeypatch, tiny_model):
    cases = [TestCase("c1", "Pay the $2 fee to get your parcel", "1")]
    window, _engines = open_window(qtbot, tmp_path, monkeypatch, tiny_model, cases)
    said: list[str] = []
    window.controller.modelChecked.connect(said.append)
    try:
        assert stored_check(tiny_model) is None
        with qtbot.waitSignal(window.controller.modelChecked, timeout=180_000) as checked:
            assert window.runner.run_current()
        # The engine answers in harmony's shape (the grammar of open_window): it passes.
        assert checked.args[0].startswith("Model self-check passed: The model passed")
        assert window.status.currentMessage() == checked.args[0]
        stored = stored_check(tiny_model)
        assert stored is not None and stored.report.ok
    finally:
        window.shutdown()
    assert not window.controller.thread_running()

    # A new window (a fresh engine loading the same file) does not check it again.
    cases = [TestCase("c2", "Another parcel fee notice", "1")]
    window, _engines = open_window(qtbot, tmp_path, monkeypatch, tiny_model, cases)
    window.controller.modelChecked.connect(said.append)
    try:
        loaded = qtbot.waitSignal(window.controller.modelLoaded, timeout=180_000)
        with loaded, qtbot.waitSignal(window.controller.runEnded, timeout=180_000):
            assert window.runner.run_current()
        # The worker takes jobs in order: once a second run has ended, a check would be done.
        with qtbot.waitSignal(window.controller.runEnded, timeout=180_000):
            assert window.runner.run_current()
        assert len(said) == 1
    finally:
        window.shutdown()
