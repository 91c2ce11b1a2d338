"""*History ▸ Compare runs…*: one dialog over one comparison of two stored runs: the flip
report tab is that comparison's flip view (its broken and fixed are the comparison's right
only in A and right only in B), the agreement tab its matrix, metrics and disagreements, and
picking a flipped case asks the window to select it (pytest-qt, offscreen)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from app.gui.evaluation.compare_dialog import AGREEMENT_TAB, FLIPS_TAB, CompareDialog  # noqa: E402
from app.gui.evaluation.controller import EvaluationController  # noqa: E402
from app.gui.shared.tasks import TaskRunner  # noqa: E402
from app.store import Store  # noqa: E402
from tests.support.analysis_data import build_analysis  # noqa: E402

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
