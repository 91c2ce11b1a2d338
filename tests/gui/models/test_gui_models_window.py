"""The models dialog and the engine badge inside the workbench window (pytest-qt)."""

from __future__ import annotations

import os
import shutil

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from app.gui.app import create_main_window  # noqa: E402
from app.gui.models import controller as models_controller  # noqa: E402
from app.gui.shared.settings_store import load_engine_settings, open_settings  # noqa: E402
from app.library import catalog  # noqa: E402
from app.library.hardware import Hardware  # noqa: E402
from tests.support.fake_engine import (  # noqa: E402
    FakeEngineFactory,
    FakeScript,
    isolate_gui_env,
)
from tests.support.synthetic_gguf import cached_model  # noqa: E402

TIMEOUT = 15000


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    isolate_gui_env(monkeypatch, tmp_path)
    monkeypatch.setenv("SAFEGUARD_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    hw = Hardware("CPU", False, "", 16 * 1024**3, 8 * 1024**3, None, None)
    monkeypatch.setattr(models_controller, "detect_hardware", lambda: hw)
    win = create_main_window(FakeEngineFactory(FakeScript(delay=0.0)), settings=open_settings())
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.shutdown()
    assert not win.controller.thread_running()
    assert not win.models_controller.threads_running()


def test_models_action_opens_the_dialog_and_use_sets_the_model(qtbot, window) -> None:
    models = catalog.models_dir()
    shutil.copy(cached_model("tiny"), models / "tiny-here.gguf")
    assert window.window_actions.models_action.text() == "&Models…"
    with qtbot.waitSignal(window.models_controller.modelsListed, timeout=TIMEOUT):
        window.window_actions.models_action.trigger()
    dialog = window.models_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.select_name("tiny-here")
    with qtbot.waitSignal(window.models_controller.activeModelChanged, timeout=TIMEOUT):
        dialog.use_button.click()
    path = str((models / "tiny-here.gguf").resolve())
    assert load_engine_settings(window.settings).model_path == path
    window.window_actions.models_action.trigger()  # reopened, not rebuilt
    assert window.models_dialog is dialog


def test_engine_badge_shows_the_speed_of_the_last_case(qtbot, window) -> None:
    from app.core.records import StoredResult

    badge = window.engine_badge
    assert badge.isHidden()
    result = StoredResult(
        "run", "c1", "key", "ok", label="0", violates=False, prompt_tokens=100,
        evaluated_tokens=100, generated_tokens=20, prompt_ms=100.0, generate_ms=400.0,
    )  # fmt: skip
    window.controller.casesStored.emit([result])
    assert badge.text() == "prompt 1000 tok/s · gen 50.0 tok/s"
    assert not badge.isHidden()


def test_settings_and_models_agree_on_the_active_model(qtbot, window) -> None:
    """One source of truth: Use shows the new name in the status bar at once, and a
    server backend in the settings leaves no local model marked active."""
    from app.gui.shared.backend_values import load_backend_values, save_backend_values

    models = catalog.models_dir()
    shutil.copy(cached_model("tiny"), models / "tiny-here.gguf")
    shutil.copy(cached_model("tiny"), models / "other.gguf")
    with qtbot.waitSignal(window.models_controller.modelsListed, timeout=TIMEOUT):
        window.window_actions.models_action.trigger()
    dialog = window.models_dialog
    for name in ("tiny-here", "other"):
        assert dialog.select_name(name)
        with qtbot.waitSignal(window.models_controller.activeModelChanged, timeout=TIMEOUT):
            dialog.use_button.click()
        assert f"{name}.gguf" in window.status.engine_label.text()
    values = load_backend_values(window.settings)
    values["backend"] = "remote"
    save_backend_values(window.settings, values)
    window._apply_engine_settings()  # what accepting the Settings dialog does
    listings: list = []
    window.models_controller.modelsListed.connect(listings.append)
    window.models_controller.refresh()
    qtbot.waitUntil(lambda: len(listings) > 0, timeout=TIMEOUT)
    qtbot.wait(100)  # a listing asked for before the switch may arrive first
    assert not [item for item in listings[-1] if item.active]
    assert "server" in window.status.engine_label.text()
