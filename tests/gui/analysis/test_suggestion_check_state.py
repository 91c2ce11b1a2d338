"""The held-out check of a suggested edit ends in its result or one sentence (issue 21.10):
the view said "Checking the suggestion on the held-out cases…" in its title after the check
had finished; a check that could not start (no cases) left "Checking…" for good."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402

from tests.gui.analysis.test_gui_analysis import SuggestingEngine  # noqa: E402
from tests.gui.window.test_gui_window_testsets import close_window, env, open_window  # noqa: E402,F401
from tests.support.fake_engine import FakeScript  # noqa: E402

TITLE = "Suggested change to the section “Criteria”:"


def test_the_check_ends_in_its_result_or_one_sentence(qtbot, env):  # noqa: F811
    win = open_window(qtbot, env, lambda _config=None: SuggestingEngine(FakeScript(delay=0.0)))
    try:
        analysis = win.analysis
        with (
            qtbot.waitSignal(analysis.controller.analysisReady, timeout=15000),
            qtbot.waitSignal(win.runner.runEnded, timeout=15000),
        ):
            assert win.runner.run_suite("all")
        with qtbot.waitSignal(win.controller.taskEnded, timeout=15000):
            analysis.suggest.suggest()
        view = analysis.suggestion
        assert view.title.text() == TITLE
        with qtbot.waitSignal(win.controller.taskEnded, timeout=15000):
            qtbot.mouseClick(view.check_button, Qt.MouseButton.LeftButton)
            busy = (view.title.text(), view.check_label.text(), view.check_button.isEnabled())
        assert busy == (TITLE, "Checking the suggestion on the held-out cases…", False)
        qtbot.waitUntil(lambda: view.check_label.text().startswith("On "))
        assert view.title.text() == TITLE  # not "Checking…" any more
        assert view.check_button.isEnabled() and view.apply_button.isEnabled()

        win.case_panel.set_cases([])  # a check that cannot run says why, at once
        qtbot.mouseClick(view.check_button, Qt.MouseButton.LeftButton)
        assert view.check_label.text() == (
            "Not checked: the test set has no cases; add some first."
        )
        assert view.title.text() == TITLE and view.check_button.isEnabled()
    finally:
        close_window(win)
