"""Open the real main window on the spam sample policy with a scripted fake engine.

For the workbench's keyboard and journey tests: ``open_workbench`` writes the policy and its
cases to ``tmp_path``, points the settings at a model file (or at none), builds the window,
shows it and makes it the active window so that shortcuts reach it from ``QTest`` key
events. ``shut`` stops it and checks that no worker thread is left.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from app.core.cases import TestCase, cases_path_for, save_cases
from app.gui.app import create_main_window
from app.gui.shared.settings_store import open_settings
from tests.support.fake_engine import (
    SAMPLE_CASES,
    SAMPLE_POLICY,
    FakeEngineFactory,
    configure_model,
    isolate_gui_env,
)


def write_policy(tmp_path: Path, name: str = "spam.md", cases=None, text=SAMPLE_POLICY) -> Path:
    """A policy file with its test set beside it."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    save_cases(cases_path_for(path), list(SAMPLE_CASES if cases is None else cases))
    return path


def open_workbench(
    qtbot,
    tmp_path: Path,
    monkeypatch,
    factory: FakeEngineFactory,
    cases: list[TestCase] | None = None,
    with_model: bool = True,
    policy: bool = True,
):
    """The shown, active main window on spam.md (or on nothing when ``policy`` is False)."""
    model = isolate_gui_env(monkeypatch, tmp_path)
    answer_dialogs(monkeypatch)
    settings = open_settings()
    if with_model:
        configure_model(settings, model)
    path = write_policy(tmp_path, cases=cases) if policy else None
    window = create_main_window(factory, settings=settings, policy_path=path)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    activate(qtbot, window)
    return window


def answer_dialogs(monkeypatch) -> list[tuple[str, str]]:
    """Modal message boxes answer at once (unsaved changes: Discard) and are recorded."""
    seen: list[tuple[str, str]] = []

    def record(answer):
        def box(_parent, title, text, *args, **kwargs):
            seen.append((title, text))
            return answer

        return box

    monkeypatch.setattr(QMessageBox, "question", record(QMessageBox.StandardButton.Discard))
    monkeypatch.setattr(QMessageBox, "warning", record(QMessageBox.StandardButton.Ok))
    return seen


def activate(qtbot, widget) -> None:
    """Make ``widget`` the active window: key events then reach its shortcuts."""
    widget.activateWindow()
    widget.raise_()
    qtbot.waitUntil(widget.isActiveWindow, timeout=3000)


def chord(qtbot, widget, key, modifiers) -> None:
    """Press ``modifiers``+``key`` on ``widget`` like a user: when a shortcut takes the key,
    QTest leaves the modifiers down in the application's state, so release them after."""
    qtbot.keyClick(widget, key, modifiers)
    target = QApplication.focusWidget() or widget
    for flag, held in (
        (Qt.KeyboardModifier.ControlModifier, Qt.Key.Key_Control),
        (Qt.KeyboardModifier.ShiftModifier, Qt.Key.Key_Shift),
        (Qt.KeyboardModifier.AltModifier, Qt.Key.Key_Alt),
    ):
        if modifiers & flag:
            qtbot.keyRelease(target, held)


def shut(window) -> None:
    window.shutdown()
    assert not window.controller.thread_running()
