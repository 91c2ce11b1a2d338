"""The views agree with Metrics on a tiered test set (issue 19.1): an edit that turns two
``DC0`` cases from VALID into INVALID and one ``DC2`` into ``DC3`` shows as three broken in
the flip report, three right only in A in *Compare runs*, on wrong in the heat map only where
Metrics counts wrong, and *gold label wrong* offers the tier the model answered."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtGui import QStandardItemModel  # noqa: E402

from app.core.policy import load_policy  # noqa: E402
from app.core.records import StoredResult  # noqa: E402
from app.core.verdict import parse_verdict  # noqa: E402
from app.gui.analysis.controller import AnalysisController  # noqa: E402
from app.gui.analysis.heat_table import AnalysisSummary, HeatColumn  # noqa: E402
from app.gui.analysis.triage_panel import TriagePanel  # noqa: E402
from app.gui.evaluation.compare_dialog import OTHER_POLICIES, CompareDialog  # noqa: E402
from app.gui.evaluation.controller import EvaluationController  # noqa: E402
from app.gui.evaluation.flip_view import FlipColumn, FlipView  # noqa: E402
from app.gui.shared.tasks import TaskRunner  # noqa: E402
from app.scoring.flips import FlipReport  # noqa: E402
from app.scoring.metrics import run_metrics  # noqa: E402
from app.store import Store  # noqa: E402
from tests.support.fake_engine import SAMPLE_POLICY  # noqa: E402

WAIT = 5000
PACK = Path(__file__).parents[2] / "support" / "policies" / "pack_policy.md"
# case: (expected, answer before the edit, answer after it)
CASES = {
    "allowed-1": ("DC0", "VALID", "INVALID (DC1)"),  # broken: right label before, tier now
    "allowed-2": ("DC0", "VALID", "INVALID (DC1)"),  # broken
    "allowed-3": ("DC0", "VALID", "VALID"),
    "fabricated-1": ("DC2", "INVALID (DC2)", "INVALID (DC3)"),  # broken, INVALID both times
    "fabricated-2": ("DC2", "INVALID (DC2)", "INVALID (DC2)"),
    "unsupported": ("DC1", "DC1", "DC1"),
}


def _record(store: Store, text: str, path: str, side: int, cases_path: str) -> str:
    output = load_policy(PACK).output if side < 2 else None
    digest = store.add_policy_version(text, "", path)
    run = store.create_run(digest, model="/models/m.gguf", cases_path=cases_path,
                           settings={"effort": "medium", "seed": 1})  # fmt: skip
    rows = []
    for case_id, (expected, *answers) in CASES.items():
        final = answers[side] if output else "0"
        verdict = parse_verdict(final, output or load_policy(PACK).output)
        rows.append(StoredResult(
            run, case_id, f"{run}{case_id}", verdict.status.value, expected=expected,
            label=verdict.label, violates=verdict.violates, rule_codes=verdict.rule_codes,
            tier=verdict.tier, final=final, analysis=f"Reading it against {expected} first.",
            content=f"content of {case_id}",
        ))  # fmt: skip
    store.add_results(rows)
    store.set_run_status(run, "finished")
    return run


@pytest.fixture
def runs(tmp_path):
    store = Store(tmp_path / "results.sqlite3")
    text, path, cases = PACK.read_text(), str(PACK), str(tmp_path / "pack_policy.jsonl")
    other = _record(store, SAMPLE_POLICY, str(tmp_path / "spam.md"), 2, str(tmp_path / "s.jsonl"))
    before = _record(store, text, path, 0, cases)
    after = _record(store, text + "\nDC1 also covers hype.\n", path, 1, cases)
    yield store, before, after, other
    store.close()


def test_flip_report_shows_the_tiers_that_broke(qtbot, runs):
    store, before, after, _ = runs
    tasks = TaskRunner()
    controller = EvaluationController(store, tasks)
    with qtbot.waitSignal(controller.comparisonReady, timeout=WAIT) as blocker:
        controller.request_compare(before, after)
    tasks.shutdown()
    view = FlipView()
    qtbot.addWidget(view)
    view.set_report(FlipReport.of(blocker.args[0]), "v1", "v2")
    assert view.tabs.tabText(0) == "Fixed (0)" and view.tabs.tabText(1) == "Broken (3)"
    view.show_kind("broken")
    assert sorted(view.shown_ids()) == ["allowed-1", "allowed-2", "fabricated-1"]
    row = view.shown_ids().index("fabricated-1")
    assert view.model.index(row, FlipColumn.BEFORE).data() == "INVALID DC2"
    assert view.model.index(row, FlipColumn.AFTER).data() == "INVALID DC3"
    assert view.delta_labels["accuracy"].text() == "Accuracy 1.000 → 0.500 (-0.500)"


def test_compare_names_runs_keeps_other_policies_apart_and_counts_tiers(qtbot, runs):
    store, before, after, other = runs
    tasks = TaskRunner()
    controller = EvaluationController(store, tasks)
    with qtbot.waitSignal(controller.comparisonReady, timeout=WAIT):
        dialog = CompareDialog(controller, policy_path=lambda: str(PACK))
        qtbot.addWidget(dialog)
    combo = dialog.combo_a
    texts = [combo.itemText(i) for i in range(combo.count())]
    assert texts[0].startswith("Pack Policy v2 · pack_policy.jsonl · m.gguf · medium")
    assert "accuracy 0.500" in texts[0] and "accuracy 1.000" in texts[1]
    assert texts[2] == "" and texts[3] == f"{OTHER_POLICIES}:"  # a separator, then a heading
    model = combo.model()
    assert isinstance(model, QStandardItemModel) and not model.item(3).isEnabled()
    assert combo.itemData(4) == other and texts[4].strip().startswith("Spam")
    assert (dialog.combo_a.currentData(), dialog.combo_b.currentData()) == (before, after)
    cmp = dialog.comparison
    assert (cmp.a_only_right, cmp.b_only_right) == (3, 0)
    assert "3 right only in A, 0 right only in B" in dialog.summary.text()
    assert dialog.cases.rowCount() == 3  # the three answers that changed
    tasks.shutdown()


def test_heat_map_counts_on_wrong_only_what_metrics_counts_wrong(qtbot, runs):
    store, before, after, _ = runs
    tasks = TaskRunner()
    controller = AnalysisController(store, tasks)
    view = AnalysisSummary()
    qtbot.addWidget(view)
    after_wrong = {"DC0": 2, "DC1": 2, "DC2": 1, "DC3": 1}  # reasoning DC0/DC2, answer DC1/DC3
    for run, wrong in ((before, {}), (after, after_wrong)):
        with qtbot.waitSignal(controller.analysisReady, timeout=WAIT):
            controller.request_analysis(run)
        view.show_analysis(controller.analysis)
        shown = {
            view.model.heat(r).code: int(view.model.index(r, HeatColumn.WRONG).data())
            for r in range(view.model.rowCount())
        }
        assert {code: n for code, n in shown.items() if n} == wrong
        output = controller.analysis.policy.output
        on_wrong = {cid for heat in controller.analysis.heats for cid in heat.wrong_ids}
        assert on_wrong == set(run_metrics(store.results(run), output).wrong_cases)
    tasks.shutdown()


def test_gold_label_wrong_offers_the_tier_the_model_gave(qtbot, runs):
    store, _, after, _ = runs
    tasks = TaskRunner()
    controller = AnalysisController(store, tasks)
    with qtbot.waitSignal(controller.analysisReady, timeout=WAIT):
        controller.request_analysis(after)
    panel = TriagePanel(controller)
    qtbot.addWidget(panel)
    assert controller.analysis.failures() == ["allowed-1", "allowed-2", "fabricated-1"]
    with qtbot.waitSignal(controller.evidenceReady, timeout=WAIT):
        panel.select_case("allowed-1")
    assert panel.title_label.text() == "Case allowed-1 (wrong)"
    assert panel.label_combo.currentText() == "DC1"  # not INVALID: the tier stays
    with qtbot.waitSignal(controller.evidenceReady, timeout=WAIT):
        panel.select_case("allowed-3")
    assert panel.title_label.text() == "Case allowed-3 (right)"
    tasks.shutdown()
