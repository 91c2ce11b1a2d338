"""*History ▸ Compare runs…*: one dialog over one comparison of two stored runs: the flip
report tab is that comparison's flip view (its broken and fixed are the comparison's right
only in A and right only in B), the agreement tab its matrix, metrics and disagreements, and
picking a flipped case asks the window to select it (pytest-qt, offscreen). The flips run
from the older run to the newer whichever combo holds it, naming both; one open asks for
one comparison."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from app.core.cases import load_cases  # noqa: E402
from app.core.policy import load_policy  # noqa: E402
from app.core.run_types import RunSettings  # noqa: E402
from app.gui.evaluation.compare_dialog import (  # noqa: E402
    AGREEMENT_TAB,
    FLIPS_TAB,
    CompareDialog,
)
from app.gui.evaluation.controller import EvaluationController  # noqa: E402
from app.gui.shared.tasks import TaskRunner  # noqa: E402
from app.runs.pipeline.inputs import SuiteInputs  # noqa: E402
from app.runs.pipeline.suite import run_suite  # noqa: E402
from app.store import Store  # noqa: E402
from tests.support.analysis_data import SeededEngine, build_analysis  # noqa: E402

WAIT = 15000


@pytest.fixture
def setup(tmp_path, qtbot):
    store = Store(tmp_path / "results.sqlite3")
    runs = build_analysis(store, tmp_path / "set")
    tasks = TaskRunner()
    controller = EvaluationController(store, tasks)
    yield store, runs, controller
    tasks.shutdown()
    store.close()


def test_one_dialog_shows_flips_and_agreement_of_one_comparison(setup, qtbot):
    _, runs, controller = setup
    with qtbot.waitSignal(controller.comparisonReady, timeout=WAIT):
        dialog = CompareDialog(controller)
        qtbot.addWidget(dialog)
    tabs = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert tabs == [FLIPS_TAB, AGREEMENT_TAB]
    assert (dialog.combo_a.currentData(), dialog.combo_b.currentData()) == (
        runs.plain, runs.sampled,
    )  # fmt: skip
    cmp = dialog.comparison
    assert "McNemar p =" in dialog.summary.text() and cmp.cases == 45
    report = dialog.flips.report()
    assert (report.run_before, report.run_after) == (runs.plain, runs.sampled)
    assert [f.case_id for f in report.broken] == [
        p.case_id for p in cmp.pairs if p.right_a and not p.right_b
    ]
    assert (len(report.broken), len(report.fixed)) == (cmp.a_only_right, cmp.b_only_right)
    assert len(report.flips) > 0
    assert dialog.flips.tabs.tabText(1) == f"Broken ({cmp.a_only_right})"
    # the agreement tab: matrix, metrics and the cases where the answers differ
    assert dialog.cases.rowCount() == len(cmp.disagreements) > 0
    assert dialog.text_a.toPlainText().startswith("A: ")
    assert "Reasoning:" in dialog.text_b.toPlainText()
    assert dialog.metrics.item(4, 0).text() == "McNemar p"
    dialog.flips.show_kind("all")
    with qtbot.waitSignal(dialog.caseSelected, timeout=WAIT) as picked:
        dialog.flips.table.selectRow(1)
    assert picked.args == [report.flips[1].case_id]


def test_picking_other_runs_compares_them_again(setup, qtbot):
    _, runs, controller = setup
    with qtbot.waitSignal(controller.comparisonReady, timeout=WAIT):
        dialog = CompareDialog(controller)
        qtbot.addWidget(dialog)
    with qtbot.waitSignal(controller.comparisonReady, timeout=WAIT):
        dialog.combo_a.setCurrentIndex(dialog.combo_a.findData(runs.sampled))
    cmp = dialog.comparison
    assert (cmp.run_a, cmp.run_b) == (runs.sampled, runs.sampled)
    assert not dialog.flips.report().flips and cmp.agreement == 1.0
    assert dialog.flips.summary.text().startswith("0 cases flipped")


def test_long_run_names_leave_the_dialog_narrow_enough_for_a_small_screen(setup, qtbot):
    _, _, controller = setup
    with qtbot.waitSignal(controller.comparisonReady, timeout=WAIT):
        dialog = CompareDialog(controller)
        qtbot.addWidget(dialog)
    names = [dialog.combo_a.itemText(i) for i in range(dialog.combo_a.count())]
    longest = dialog.fontMetrics().horizontalAdvance(max(names, key=len))
    for combo in (dialog.combo_a, dialog.combo_b):
        assert combo.minimumSizeHint().width() < longest / 2  # the name is elided instead


def _name(combo, run_id: str) -> str:
    return combo.itemText(combo.findData(run_id)).strip()


def test_one_open_asks_for_one_comparison_and_the_flips_name_both_runs(setup, qtbot):
    _, runs, controller = setup
    asked = []
    request = controller.request_compare
    controller.request_compare = lambda a, b: asked.append((a, b)) or request(a, b)
    with qtbot.waitSignal(controller.comparisonReady, timeout=WAIT):
        dialog = CompareDialog(controller)
        qtbot.addWidget(dialog)
    assert asked == [(runs.plain, runs.sampled)]
    combo = dialog.combo_a
    assert dialog.flips.before_title.text() == f"Before: {_name(combo, runs.plain)}"
    assert dialog.flips.after_title.text() == f"After: {_name(combo, runs.sampled)}"
    assert "accuracy" in dialog.flips.before_title.text()


def _careful_run_again(store: Store, runs) -> str:
    """A third run, the newest: the careful model of ``runs.plain`` once more, so the sloppy
    answers of ``runs.sampled`` go from wrong to right."""
    policy, cases = load_policy(runs.policy_path), load_cases(runs.cases_path)
    engine = SeededEngine({c.content: (c.expected, list(c.tags)) for c in cases}, sloppy=False)
    inputs = SuiteInputs(
        engine, policy, cases, RunSettings(seed=100), store=store, template_hash="seeded",
        cases_path=str(runs.cases_path), model_fingerprint=engine.name,
    )  # fmt: skip
    return run_suite(inputs, order="file").run_id


def test_flips_run_from_the_older_run_when_the_newer_is_picked_as_a(setup, qtbot):
    store, runs, controller = setup
    older, newer = runs.sampled, _careful_run_again(store, runs)
    with qtbot.waitSignal(controller.comparisonReady, timeout=WAIT):
        dialog = CompareDialog(controller)
        qtbot.addWidget(dialog)
    assert (dialog.combo_a.currentData(), dialog.combo_b.currentData()) == (older, newer)
    in_time = dialog.flips.report()
    fixed, broken = [f.case_id for f in in_time.fixed], [f.case_id for f in in_time.broken]
    assert fixed  # wrong in the older run, right in the newer
    dialog.combo_a.blockSignals(True)
    dialog.combo_a.setCurrentIndex(dialog.combo_a.findData(newer))  # the newer as A
    dialog.combo_a.blockSignals(False)
    with qtbot.waitSignal(controller.comparisonReady, timeout=WAIT):
        dialog.combo_b.setCurrentIndex(dialog.combo_b.findData(older))
    report = dialog.flips.report()
    assert (report.run_before, report.run_after) == (older, newer)
    assert [f.case_id for f in report.fixed] == fixed
    assert [f.case_id for f in report.broken] == broken
    assert dialog.flips.before_title.text() == f"Before: {_name(dialog.combo_a, older)}"
    # the agreement tab keeps A and B as picked: A the newer run
    cmp = dialog.comparison
    assert (cmp.run_a, cmp.run_b) == (newer, older)
    pairs = {p.case_id: p for p in cmp.pairs}
    assert all(pairs[c].right_a and not pairs[c].right_b for c in fixed)
    assert (cmp.a_only_right, cmp.b_only_right) == (len(fixed), len(broken))
    assert f"{len(fixed)} right only in A" in dialog.summary.text()


def test_swapped_exchanges_every_side_of_a_comparison(setup, qtbot):
    _, runs, controller = setup
    with qtbot.waitSignal(controller.comparisonReady, timeout=WAIT) as blocker:
        controller.request_compare(runs.plain, runs.sampled)
    cmp = blocker.args[0]
    other = cmp.swapped()
    assert other.swapped() == cmp
    assert (other.run_a, other.run_b) == (cmp.run_b, cmp.run_a)
    assert (other.a_only_right, other.b_only_right) == (cmp.b_only_right, cmp.a_only_right)
    assert all(other.cell(b, a) == cmp.cell(a, b) for a in cmp.labels for b in cmp.labels)
    assert other.table_rows()[0][1:3] == cmp.table_rows()[0][2:0:-1]
    assert other.mcnemar_p == cmp.mcnemar_p


def test_only_the_dialogs_own_failures_replace_its_summary(setup, qtbot, monkeypatch):
    """The controller is the window's too: a history failure goes to the status bar and
    leaves the comparison's summary; a comparison that fails says so in the dialog."""
    import app.gui.evaluation.controller as evaluation

    _, _, controller = setup
    with qtbot.waitSignal(controller.comparisonReady, timeout=WAIT):
        dialog = CompareDialog(controller)
        qtbot.addWidget(dialog)
    summary = dialog.summary.text()
    assert summary

    def broken(*_args):
        raise OSError("the history could not be read")

    monkeypatch.setattr(evaluation, "version_history", broken)
    with qtbot.waitSignal(controller.requestFailed, timeout=WAIT) as failed:
        controller.request_history("policy.md")
    assert "history could not be read" in failed.args[0]
    assert dialog.summary.text() == summary  # not the window's failure

    monkeypatch.setattr(evaluation, "compare_stored_runs", broken)
    with qtbot.waitSignal(controller.requestFailed, timeout=WAIT):
        controller.request_compare("a", "b")
    assert "history could not be read" in dialog.summary.text()  # its own request
