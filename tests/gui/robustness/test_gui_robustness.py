"""The Robustness view in the real window (offscreen) with the scripted keyword engine:
choosing families, the grid, the flipped cases, Add as test case and undo, cancel and
resume, bad input."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from app.variants.families import PRESETS  # noqa: E402
from tests.support.fake_engine import FakeEngineFactory, FakeScript  # noqa: E402
from tests.support.gui_window import open_workbench, shut  # noqa: E402

TIMEOUT = 30_000


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    win = open_workbench(qtbot, tmp_path, monkeypatch, FakeEngineFactory(FakeScript(delay=0)))
    yield win
    shut(win)


def _choose(view, names: list[str]) -> None:
    """Tick exactly ``names`` in the list, one item at a time, as a user does."""
    for row in range(view.family_list.count()):
        item = view.family_list.item(row)
        wanted = item.data(Qt.ItemDataRole.UserRole) in names
        item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)


def _run(qtbot, view, start=None):
    with qtbot.waitSignal(view.runner.finished, timeout=TIMEOUT) as ended:
        assert (start or view.run)()
    return ended.args[0]


def test_the_view_sits_beside_metrics_and_presets_choose_families(window) -> None:
    tabs = window.right_tabs
    names = [tabs.tabText(i) for i in range(tabs.count())]
    assert names[names.index("Metrics") + 1] == "Robustness"
    window.window_actions.show_robustness_action.trigger()  # View > Robustness, Ctrl+3
    assert tabs.currentWidget().widget() is window.robustness_view  # in a scroll area
    view = window.robustness_view
    assert view.chooser.chosen() == list(PRESETS["obfuscation"])
    view.preset.setCurrentText("encodings")
    assert view.chooser.chosen() == ["base64", "hex", "rot13"]
    view.family_list.item(0).setCheckState(Qt.CheckState.Checked)  # plain: no preset
    assert view.preset.currentText() == "custom"
    _choose(view, list(PRESETS["injection"]))
    assert view.preset.currentText() == "injection"


def test_run_grid_flipped_cases_add_and_undo(qtbot, window) -> None:
    view = window.robustness_view
    _choose(view, ["plain", "leet_heavy", "zero_width"])
    view.variants.setValue(1)
    outcome = _run(qtbot, view)
    assert outcome.status == "finished", outcome.message
    grid = view.grid
    families = [grid.family(r) for r in range(grid.rowCount())]
    assert families == ["plain", "leet_heavy", "zero_width"]
    assert grid.headerData(2, Qt.Orientation.Horizontal) == "evasion"
    # the plain control holds; heavy leetspeak hides the keywords of the violating cases
    plain, leet = outcome.report.family("plain"), outcome.report.family("leet_heavy")
    assert plain.changed == 0 and leet.evaded >= 1
    assert grid.data(grid.index(0, 1)) == "0.000"
    rule = next(c for c in range(6, grid.columnCount()) if grid.rule(c) == "SP2")
    cell = outcome.report.rule_grid["leet_heavy"]["SP2"]
    assert grid.data(grid.index(1, rule)) == f"{cell.changed}/{cell.cases}"
    # click the leet_heavy × SP2 cell: its flipped cases, one shown side by side
    view.show_cell(grid.index(1, rule))
    assert view.flipped.count() == cell.changed >= 1
    assert "violating → allowed" in view.flipped.item(0).text()
    assert view.detail.toPlainText().startswith("Clean (1):")
    # Add as test case, then undo
    panel = window.case_panel
    before = [c.id for c in panel.cases()]
    added = view.add_as_test_case()
    case = panel.model.case(added)
    example = view._examples[0]
    assert case.content == example.variant_text and case.expected == "1"
    assert "robustness:leet_heavy" in case.tags
    panel.undo_stack.undo()
    assert [c.id for c in panel.cases()] == before
    # the same families again: compared with the run before (the policy did not change)
    again = _run(qtbot, view)
    assert view.runner.last_job.against == outcome.run_id
    assert again.edit == ["no variant changed its label"]
    assert "Since the last run: no variant changed its label." in view.status.text()


def test_invisible_characters_are_shown_as_symbols(qtbot, window) -> None:
    view = window.robustness_view
    _choose(view, ["zero_width", "tags"])
    outcome = _run(qtbot, view)
    assert outcome.status == "finished"
    view.show_cell(view.grid.index(1, 1))  # tags: the content hidden from the keywords
    assert view.flipped.count() >= 1
    shown = view.detail.toPlainText() + view.flipped.item(0).text()
    assert "⟨TAG" in shown and not [c for c in shown if ord(c) >= 0xE0000 or c == "\u200b"]


def test_cancel_then_resume(qtbot, tmp_path, monkeypatch) -> None:
    factory = FakeEngineFactory(FakeScript(delay=0.02))
    win = open_workbench(qtbot, tmp_path, monkeypatch, factory)
    view = win.robustness_view
    _choose(view, ["leet", "spaced", "dotted"])
    view.variants.setValue(3)
    progress: list = []
    view.runner.progress.connect(lambda *args: progress.append(args))

    def start_then_cancel() -> bool:
        started = view.run()
        qtbot.waitUntil(lambda: any(p[0] == "variants" for p in progress), timeout=TIMEOUT)
        view.runner.cancel()
        return started

    first = _run(qtbot, view, start_then_cancel)
    assert first.status == "cancelled" and view.run_button.isEnabled()
    calls = sum(e.calls for e in factory.engines)
    second = _run(qtbot, view, view.resume)
    assert second.status == "finished" and second.variants == 36
    ran_again = sum(e.calls for e in factory.engines) - calls
    assert ran_again < 36  # what the first run stored came from the cache
    shut(win)


def test_bad_input_gets_one_sentence_and_nothing_runs(qtbot, window) -> None:
    view = window.robustness_view
    messages: list[str] = []
    view.context = view.context.__class__(**{**view.context.__dict__,
                                             "show_message": messages.append})  # fmt: skip
    view.runner.ports.show_message = messages.append
    _choose(view, [])
    assert not view.run() and "No family chosen" in messages[-1]
    _choose(view, ["leet"])
    window.case_panel.set_cases([c for c in window.case_panel.cases() if c.expected == "0"])
    view.which.setCurrentIndex(2)  # violating only
    assert not view.run() and "has no violating cases" in messages[-1]
    assert not view.resume() and "Nothing to resume" in messages[-1]
    assert not view.runner.is_running()
