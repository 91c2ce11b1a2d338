"""One way for GUI tests to open the real workbench window on a fake engine."""

from __future__ import annotations

from pathlib import Path

from app.gui.app import create_main_window
from app.gui.shared.settings_store import open_settings
from tests.support.fake_engine import FakeEngineFactory, FakeScript


def shown_window(
    qtbot, script: FakeScript | None = None, policy: Path | None = None, settings=None
):
    """The main window on a fake engine, given to qtbot, shown and exposed."""
    factory = FakeEngineFactory(script or FakeScript(delay=0.0))
    win = create_main_window(factory, settings=settings or open_settings(), policy_path=policy)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win
