"""Suggest judges the policy under the format the window keeps beside it (pytest-qt,
offscreen): a format chosen in the window but not yet saved is the one Run all uses, so
Suggest must use it too, not the sidecar file on disk (there is none yet)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import app.gui.analysis.suggest_actions as suggest_actions  # noqa: E402
from app.core.policy import OutputFormat, sidecar_path  # noqa: E402
from tests.gui.analysis.test_gui_analysis import SuggestingEngine  # noqa: E402
from tests.gui.window.test_gui_window_testsets import close_window, env, open_window  # noqa: E402,F401
from tests.support.fake_engine import SAMPLE_POLICY, FakeScript  # noqa: E402

KEPT = OutputFormat(kind="labels", labels=("VALID", "INVALID"), violating=("INVALID",))


def test_suggest_uses_the_format_chosen_in_the_window(qtbot, env, monkeypatch):  # noqa: F811
    policy_path, _model = env
    body = SAMPLE_POLICY.split("---\n", 2)[2]  # no front matter: the kept format decides
    policy_path.write_text(body, encoding="utf-8")
    seen: list[OutputFormat] = []
    real = suggest_actions.ask_suggestion

    def recording(engine, policy, *args, **kwargs):
        seen.append(policy.output)
        return real(engine, policy, *args, **kwargs)

    monkeypatch.setattr(suggest_actions, "ask_suggestion", recording)
    win = open_window(qtbot, env, lambda _config=None: SuggestingEngine(FakeScript(delay=0.0)))
    try:
        analysis = win.analysis
        with (
            qtbot.waitSignal(analysis.controller.analysisReady, timeout=15000),
            qtbot.waitSignal(win.runner.runEnded, timeout=15000),
        ):
            assert win.runner.run_suite("all")
        assert win.runner.output() != KEPT
        win.policy_panel.set_sidecar_format(KEPT)  # chosen in the window, not saved
        win.runner.policy_changed()
        assert win.runner.output() == KEPT
        assert not sidecar_path(policy_path).exists()
        with qtbot.waitSignal(win.controller.taskEnded, timeout=15000):
            analysis.suggest.suggest()
        assert seen == [KEPT]
    finally:
        close_window(win)
