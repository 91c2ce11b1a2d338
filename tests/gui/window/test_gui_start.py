"""After the window is shown (app.gui.app): a first run without a model lands in Models."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from app.gui import app as startup  # noqa: E402
from app.gui.models import controller as models_controller  # noqa: E402
from app.gui.shared.settings_store import open_settings  # noqa: E402
from app.library.hardware import Hardware  # noqa: E402
from tests.support.fake_engine import (  # noqa: E402
    configure_model,
    isolate_gui_env,
)
from tests.support.windows import shown_window  # noqa: E402

TIMEOUT = 15000


@pytest.fixture
def make_window(qtbot, tmp_path, monkeypatch):
    fake_model = isolate_gui_env(monkeypatch, tmp_path)
    monkeypatch.setenv("SAFEGUARD_MODELS_DIR", str(tmp_path / "models"))
    hw = Hardware("CPU", False, "", 16 * 1024**3, 8 * 1024**3, None, None)
    monkeypatch.setattr(models_controller, "detect_hardware", lambda: hw)
    windows = []

    def make(with_model: bool):
        settings = open_settings()
        if with_model:
            configure_model(settings, fake_model)
        win = shown_window(qtbot, settings=settings)
        windows.append(win)
        return win

    yield make
    for win in windows:
        win.shutdown()
        assert not win.models_controller.threads_running()


def test_needs_model_only_for_a_local_backend_without_a_file(make_window) -> None:
    win = make_window(with_model=False)
    assert startup.needs_model(win.settings)
    win.settings.setValue("engine/backend", "remote")
    assert not startup.needs_model(win.settings)
    win.settings.setValue("engine/backend", "local")
    win.settings.setValue("engine/model_path", "/models/x.gguf")
    assert not startup.needs_model(win.settings)


def test_first_run_without_a_model_offers_the_model_on_the_start_page(qtbot, make_window) -> None:
    """No dialog opens by itself over the start page: its "Get the model" button has the
    focus, and Enter opens Models."""
    win = make_window(with_model=False)
    startup.after_shown(win, win.settings)
    button = win.start_page.models_button
    qtbot.waitUntil(button.hasFocus, timeout=TIMEOUT)
    assert win.models_dialog is None
    qtbot.keyClick(button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: win.models_dialog is not None, timeout=TIMEOUT)
    assert win.models_dialog.isVisible()


def test_with_a_model_the_window_opens_alone(qtbot, make_window) -> None:
    win = make_window(with_model=True)
    startup.after_shown(win, win.settings)
    qtbot.wait(50)
    assert win.models_dialog is None


def test_quit_when_shown_prints_one_line_and_closes(qtbot, make_window, monkeypatch, capsys):
    win = make_window(with_model=True)
    monkeypatch.setenv(startup.QUIT_WHEN_SHOWN_ENV, "1")
    startup.after_shown(win, win.settings)
    qtbot.waitUntil(lambda: not win.isVisible(), timeout=TIMEOUT)
    out = capsys.readouterr().out
    assert f"{startup.SHOWN_LINE} (visible=True, models dialog closed)" in out
