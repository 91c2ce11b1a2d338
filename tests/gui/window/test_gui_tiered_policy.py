"""A policy pack without front matter in the window (pytest-qt, offscreen, scripted engine):
the inferred-format line, Run all answered in the policy's words, tiers in the metrics."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from app.core.cases import TestCase, cases_path_for, save_cases  # noqa: E402
from app.gui.app import create_main_window  # noqa: E402
from app.gui.cases.model import Column  # noqa: E402
from app.gui.shared.settings_store import open_settings  # noqa: E402
from tests.support.fake_engine import (  # noqa: E402
    FakeEngineFactory,
    FakeScript,
    configure_model,
    isolate_gui_env,
)

SAMPLES = Path(__file__).parents[2] / "support" / "policies"
TIMEOUT = 15000
# (word in the content, the model's final answer in the policy's own words)
ANSWERS = (("cure", "INVALID + ESCALATE"), ("blender", "VALID"), ("statistic", "DC2"))
CASES = [
    TestCase("honest", "This blender is loud but it works, 7/10.", "VALID"),
    TestCase("cure", "Doctors hide this cure: lemon water ends diabetes in 3 days.", "DC3"),
    TestCase("stats", "A new statistic shows 97% of people agree with me.", "DC2"),
    TestCase("review", "Best blender ever!!! (I was paid for this review)", "DC2"),
]


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Ok)
    model = isolate_gui_env(monkeypatch, tmp_path)
    policy = tmp_path / "pack_policy.md"
    shutil.copy(SAMPLES / "pack_policy.md", policy)
    save_cases(cases_path_for(policy), CASES)
    settings = open_settings()
    configure_model(settings, model)
    factory = FakeEngineFactory(FakeScript(delay=0.0005, answers=ANSWERS))
    win = create_main_window(factory, settings=settings, policy_path=policy)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.policy_panel.set_modified(False)
    win.shutdown()
    assert not win.controller.thread_running()


def test_the_window_shows_the_inferred_format_and_scores_every_case(window, qtbot) -> None:
    assert window.policy_panel.format_bar.text() == (
        "Output: VALID / INVALID, tiers DC0 (allowed) DC1 DC2 DC3 — inferred from lines 5, 13, 31"
    )
    with qtbot.waitSignal(window.runner.runEnded, timeout=TIMEOUT) as blocker:
        window.window_actions.run_all_action.trigger()
    assert blocker.args[0].status == "finished"
    model = window.case_panel.model
    rows = {model.index(r, Column.PREVIEW).data()[:6]: r for r in range(model.rowCount())}
    predicted = {key: model.index(r, Column.PREDICTED).data() for key, r in rows.items()}
    agree = {key: model.index(r, Column.AGREEMENT).data() for key, r in rows.items()}
    assert predicted == {
        "This b": "VALID DC0",
        "Doctor": "INVALID ESCALATE",
        "A new ": "INVALID DC2",
        "Best b": "VALID DC0",
    }
    assert agree == {"This b": "✓", "Doctor": "✗", "A new ": "✓", "Best b": "✗"}
    qtbot.waitUntil(lambda: window.metrics_panel.metrics() is not None, timeout=TIMEOUT)
    metrics = window.metrics_panel.metrics()
    assert metrics.coverage == 1.0 and metrics.scored == 4
    assert (metrics.tp, metrics.fp, metrics.tn, metrics.fn) == (2, 0, 1, 1)
    # right as the ✓ column says: an expected tier must be the answer's tier
    assert metrics.accuracy == 0.5 and metrics.violation_accuracy == 0.75
    assert sorted(metrics.wrong_cases) == ["cure", "review"]
    assert sum(mark == "✗" for mark in agree.values()) == len(metrics.wrong_cases)
    tiers = metrics.tiers
    assert tiers is not None and (tiers.scored, tiers.exact, tiers.with_tier) == (3, 1, 2)
    assert tiers.cell("DC3", "<no tier>") == 1 and tiers.cell("DC2", "DC0") == 1
    panel = window.metrics_panel
    assert panel.tier_box.isVisibleTo(panel)
    assert panel.tier_summary.text().startswith("tier accuracy 0.333 (1 of 3)")
    window.case_panel.select_case("cure")
    qtbot.waitUntil(lambda: "ESCALATE" in window.result_view.badge.text(), timeout=TIMEOUT)
    assert "label INVALID ESCALATE" in window.result_view.title.text()


def test_run_failed_reruns_exactly_the_cases_metrics_counts_wrong(window, qtbot) -> None:
    with qtbot.waitSignal(window.runner.runEnded, timeout=TIMEOUT):
        window.window_actions.run_all_action.trigger()
    qtbot.waitUntil(lambda: window.metrics_panel.metrics() is not None, timeout=TIMEOUT)
    wrong = set(window.metrics_panel.metrics().wrong_cases)
    with qtbot.waitSignal(window.runner.runEnded, timeout=TIMEOUT):
        assert window.runner.run_suite("failed")
    last = window.store.list_runs()[-1]
    assert {r.case_id for r in window.store.results(last.id)} == wrong == {"cure", "review"}
