"""The Triage tab at 1024×700: its filing buttons were squeezed to a sliver of their height
(labels cut through the middle) because the tab gave the panel and the samples below it
less room than they need. The tab now scrolls like Metrics and Robustness, so each button
keeps the size of its label and is whole once scrolled to."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QPushButton

from app.gui.app import create_main_window
from app.gui.shared.settings_store import open_settings
from app.store import Store
from tests.support.analysis_data import build_analysis
from tests.support.fake_engine import (
    FakeEngineFactory,
    FakeScript,
    configure_model,
    isolate_gui_env,
)

WAIT = 10000


@pytest.fixture
def analysed(qtbot, tmp_path, monkeypatch):
    """The window at 1024×700 on the spam starter policy with its sampled run analysed."""
    model = isolate_gui_env(monkeypatch, tmp_path)
    store = Store()
    runs = build_analysis(store, tmp_path / "set")
    store.close()
    settings = open_settings()
    configure_model(settings, model)
    window = create_main_window(
        FakeEngineFactory(FakeScript(delay=0.0)), settings=settings, policy_path=runs.policy_path
    )
    qtbot.addWidget(window)
    window.resize(1024, 700)
    window.show()
    qtbot.waitExposed(window)
    controller = window.analysis.controller
    window.evaluation.request_run_metrics(runs.sampled)
    qtbot.waitUntil(lambda: controller.analysis is not None
                    and controller.analysis.run.id == runs.sampled, timeout=WAIT)  # fmt: skip
    yield window
    window.policy_panel.set_modified(False)
    window.case_panel.set_modified(False)
    window.shutdown()
    window.close()


def test_triage_buttons_keep_their_labels_at_1024_by_700(qtbot, analysed) -> None:
    window, analysis = analysed, analysed.analysis
    failure = analysis.controller.analysis.failures()[0]
    window.right_tabs.setCurrentWidget(analysis.triage_tab)
    window.case_panel.select_case(failure)
    qtbot.waitUntil(analysis.triage.gold_button.isEnabled, timeout=WAIT)
    qtbot.wait(50)
    buttons = analysis.triage.findChildren(QPushButton)
    assert {b.text() for b in buttons} >= {"Gold label wrong", "Policy unclear", "Model error"}
    for button in buttons:
        hint = button.minimumSizeHint()
        assert button.height() >= hint.height() and button.width() >= hint.width(), button.text()
        analysis.triage_tab.ensureWidgetVisible(button)
        qtbot.wait(10)
        assert button.visibleRegion().boundingRect().size() == button.size(), button.text()
