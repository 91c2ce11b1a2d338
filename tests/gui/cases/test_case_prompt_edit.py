"""The prompt of a response case is edited in the case editor like its content: typed,
undone with Ctrl+Z on the test set's undo stack, saved with the policy, and its result turns
stale while the prompt differs from the one the model judged (issue 19.5 follow-up)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.core.cases import TestCase, cases_path_for, load_cases  # noqa: E402
from tests.support.fake_engine import FakeEngineFactory, FakeScript  # noqa: E402
from tests.support.gui_window import chord, open_workbench, shut  # noqa: E402

Ctrl = Qt.KeyboardModifier.ControlModifier
CASES = [
    TestCase("p", "How do I move money abroad?", "0", tags=["prompt"]),
    TestCase("r", "Wire it through my cousin, no questions asked.", "1", tags=["response"],
             prompt="How do I move money abroad?"),
]  # fmt: skip


def test_the_prompt_is_typed_undone_and_saved(qtbot, tmp_path, monkeypatch) -> None:
    factory = FakeEngineFactory(FakeScript(delay=0.0005))
    window = open_workbench(qtbot, tmp_path, monkeypatch, factory, cases=CASES)
    try:
        panel = window.case_panel
        panel.select_case("r")
        panel.table.setFocus()
        with qtbot.waitSignal(window.runner.runEnded, timeout=10000):
            window.window_actions.run_case_action.trigger()
        assert not panel.model.entry("r").stale
        prompt_edit = panel.editor.prompt_edit
        assert prompt_edit.isVisible() and not prompt_edit.isReadOnly()
        qtbot.keyClick(panel.table, Qt.Key.Key_Tab)  # the table, then the prompt above
        assert QApplication.focusWidget() is prompt_edit
        qtbot.keyClick(prompt_edit, Qt.Key.Key_End, Ctrl)
        qtbot.keyClicks(prompt_edit, " Quietly")
        assert panel.model.case("r").prompt == "How do I move money abroad? Quietly"
        assert panel.model.entry("r").stale  # the model judged another question
        assert panel.is_modified()
        chord(qtbot, prompt_edit, Qt.Key.Key_Z, Ctrl)  # the typing is one undo step
        assert panel.model.case("r").prompt == "How do I move money abroad?"
        assert prompt_edit.toPlainText() == "How do I move money abroad?"
        assert not panel.model.entry("r").stale and not panel.is_modified()
        chord(qtbot, prompt_edit, Qt.Key.Key_A, Ctrl)
        qtbot.keyClick(prompt_edit, Qt.Key.Key_Delete)  # emptied: the box stays to type in
        assert prompt_edit.isVisible() and panel.model.case("r").prompt == ""
        qtbot.keyClicks(prompt_edit, "Where can I send cash unseen?")
        panel.table.setFocus()  # outside the field, Undo steps through the test set's stack
        chord(qtbot, panel.table, Qt.Key.Key_Z, Ctrl)
        assert panel.model.case("r").prompt == "How do I move money abroad?"
        assert panel.undo_stack.canRedo()
        chord(qtbot, panel.table, Qt.Key.Key_Z, Ctrl | Qt.KeyboardModifier.ShiftModifier)
        assert prompt_edit.toPlainText() == "Where can I send cash unseen?"
        chord(qtbot, prompt_edit, Qt.Key.Key_S, Ctrl)
        qtbot.waitUntil(lambda: not panel.is_modified(), timeout=5000)
        saved = {c.id: c for c in load_cases(cases_path_for(tmp_path / "spam.md"))}
        assert saved["r"].prompt == "Where can I send cash unseen?"
        assert saved["r"].content == CASES[1].content and saved["p"].prompt == ""
        panel.select_case("p")  # a plain case: no prompt box
        assert not prompt_edit.isVisible()
    finally:
        shut(window)
