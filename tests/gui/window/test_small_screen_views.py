"""The views after a run at 1024×700 (the window over a sampled, analysed run).

- Triage: its filing buttons were squeezed to a sliver of their height (labels cut through
  the middle) because the tab gave the panel and the samples below it less room than they
  need. The tab now scrolls like Metrics and Robustness, so each button keeps the size of
  its label and is whole once scrolled to, and the five samples below show whole too.
- Metrics: the five tiles wanted 864 px (each change "since the previous run" on one line)
  and the stability line 632 px, so the tab scrolled sideways with F1 and Coverage past its
  edge, also at 1280×800. The change wraps under the value and the summaries wrap: the
  panel fits the tab's width."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.exceptions import TimeoutError as QtTimeout

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


def _scrolled_to(qtbot, area, widget) -> bool:
    """Whether ``widget`` is whole in ``area``'s viewport once scrolled to."""

    def whole() -> bool:
        corner = widget.mapTo(area.viewport(), widget.rect().topLeft())
        return area.viewport().rect().contains(widget.rect().translated(corner))

    # the whole widget: ensureWidgetVisible shows only a list's current item
    centre = widget.mapTo(area.widget(), widget.rect().center())
    area.ensureVisible(centre.x(), centre.y(), widget.width() // 2 + 1, widget.height() // 2 + 1)
    try:
        qtbot.waitUntil(whole, timeout=1000)
    except QtTimeout:
        return False
    return True


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
        assert _scrolled_to(qtbot, analysis.triage_tab, button), button.text()
    samples = analysis.samples.list  # below the buttons, five rows once scrolled to
    assert samples.count() == 5
    assert _scrolled_to(qtbot, analysis.triage_tab, samples)
    last = samples.visualItemRect(samples.item(samples.count() - 1))
    assert last.bottom() <= samples.viewport().rect().bottom()  # all five in view


def test_metrics_fit_the_tab_without_scrolling_sideways(qtbot, analysed) -> None:
    window = analysed
    window.right_tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: window.metrics_panel.metrics() is not None, timeout=WAIT)
    qtbot.wait(50)
    area, panel = window.right_tabs.currentWidget(), window.metrics_panel
    assert area.widget() is panel
    assert panel.minimumSizeHint().width() <= area.viewport().width()
    assert not area.horizontalScrollBar().isVisible()
    for key, tile in panel.tiles.items():
        frame = tile.parentWidget()
        corner = frame.mapTo(area.viewport(), frame.rect().topLeft())
        assert area.viewport().rect().contains(frame.rect().translated(corner)), key
        delta = panel.deltas[key]
        assert delta.height() >= delta.heightForWidth(delta.width()), key
