"""Shared fixtures of the GUI tests: the Qt preamble and the workbench window."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from tests.support.fake_engine import FakeEngineFactory, FakeScript  # noqa: E402
from tests.support.gui_window import open_workbench, shut  # noqa: E402


@pytest.fixture
def workbench(qtbot, tmp_path, monkeypatch):
    """The shown, active window on the sample spam policy and its four cases, with a fake
    engine that answers at once; closed without questions afterwards."""
    win = open_workbench(qtbot, tmp_path, monkeypatch, FakeEngineFactory(FakeScript(delay=0.0)))
    yield win
    win.policy_panel.set_modified(False)
    win.case_panel.set_modified(False)
    shut(win)
