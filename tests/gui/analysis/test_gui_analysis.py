"""The analysis views driven on scripted runs in a temporary store (pytest-qt, offscreen):
heat table and outline strips, triage panel, samples view, stability column,
suggestion diff (the compare dialog: test_gui_compare.py)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from app.core.cases import TestCase, load_cases  # noqa: E402
from app.core.run_types import ClassifyResult, Finished, Timings, TokenCounts  # noqa: E402
from app.core.suggest import SuggestionError, parse_suggestion  # noqa: E402
from app.core.verdict import Verdict, VerdictStatus  # noqa: E402
from app.gui.analysis.controller import AnalysisController  # noqa: E402
from app.gui.analysis.heat_table import AnalysisSummary, HeatColumn  # noqa: E402
from app.gui.analysis.samples_view import SamplesView  # noqa: E402
from app.gui.analysis.suggestion_view import SuggestionView  # noqa: E402
from app.gui.analysis.triage_panel import TriagePanel  # noqa: E402
from app.gui.cases.analysis_model import AnalysisColumn  # noqa: E402
from app.gui.cases.panel import CasePanel  # noqa: E402
from app.gui.policy.outline import CODE_ROLE, NOTE_ROLE, PolicyOutline  # noqa: E402
from app.gui.shared.tasks import TaskRunner  # noqa: E402
from app.gui.window_actions import MenuKey  # noqa: E402
from app.store import Store  # noqa: E402
from tests.gui.window.test_gui_window_testsets import close_window, env, open_window, run_all  # noqa: E402,F401
from tests.support.analysis_data import build_analysis  # noqa: E402
from tests.support.fake_engine import FakeEngine, FakeEngineFactory, FakeScript  # noqa: E402

WAIT = 5000


@pytest.fixture
def setup(tmp_path, qtbot):
    store = Store(tmp_path / "results.sqlite3")
    runs = build_analysis(store, tmp_path / "set")
    tasks = TaskRunner()
    controller = AnalysisController(store, tasks)
    with qtbot.waitSignal(controller.analysisReady, timeout=WAIT):
        controller.request_analysis(runs.sampled)
    yield store, runs, controller
    tasks.shutdown()
    store.close()


def test_heat_table_ranks_hints_and_filters_by_rule(setup, qtbot):
    _, _, controller = setup
    view = AnalysisSummary()
    qtbot.addWidget(view)
    view.show_analysis(controller.analysis)
    first = view.model.index(0, HeatColumn.HINT).data()
    assert "SP2.c was cited on 6 false positives" in first or "never cited" in first
    assert "5 samples per case: 3 of 45 cases unstable" in view.stability_label.text()
    assert (
        view.triage_label.text()
        == "Triage of 12 failures: 0 gold, 0 policy, 0 model, 12 not triaged."
    )
    row = next(r for r in range(view.model.rowCount()) if view.model.heat(r).code == "SP2.c")
    with qtbot.waitSignal(view.ruleSelected, timeout=WAIT) as signal:
        qtbot.mouseClick(
            view.table.viewport(), Qt.MouseButton.LeftButton,
            pos=view.table.visualRect(view.model.index(row, 0)).center(),
        )  # fmt: skip
    code, case_ids = signal.args
    assert code == "SP2.c" and len(case_ids) == 8


def test_outline_heat_strips_and_notes(setup, qtbot):
    store, runs, controller = setup
    outline = PolicyOutline()
    qtbot.addWidget(outline)
    outline.update_text(runs.policy_path.read_text())
    analysis = controller.analysis
    outline.set_rule_heat(analysis.heats, len(analysis.results), {"SP2.c": ["shop vs brand"]})
    items = {i.data(0, CODE_ROLE): i for i in outline._all_items() if i.data(0, CODE_ROLE)}
    assert not items["SP2.c"].icon(0).isNull() and "6 false positives" in items["SP2.c"].toolTip(0)
    notes = [items["SP2.c"].child(i) for i in range(items["SP2.c"].childCount())]
    assert [n.text(0) for n in notes if n.data(0, NOTE_ROLE)] == ["✎ shop vs brand"]
    with qtbot.waitSignal(outline.ruleClicked, timeout=WAIT) as signal:
        outline.itemClicked.emit(items["SP2.c"], 0)
    assert signal.args == ["SP2.c"]
    outline.set_rule_heat([], 0, {})
    assert items["SP2.c"].icon(0).isNull() and items["SP2.c"].childCount() == 0


def test_triage_panel_files_gold_and_undoes_it(setup, qtbot):
    _, runs, controller = setup
    panel = TriagePanel(controller)
    qtbot.addWidget(panel)
    wrong = controller.analysis.failures()[0]
    with qtbot.waitSignal(controller.evidenceReady, timeout=WAIT):
        panel.select_case(wrong)
    assert panel.title_label.text().startswith(f"Case {wrong} (wrong")
    assert "Expected" in panel.evidence.toPlainText() and "Samples:" in panel.evidence.toPlainText()
    old = next(c.expected for c in load_cases(runs.cases_path) if c.id == wrong)
    panel.label_combo.setCurrentText("1" if old == "0" else "0")
    with qtbot.waitSignal(controller.analysisReady, timeout=WAIT):
        qtbot.mouseClick(panel.gold_button, Qt.MouseButton.LeftButton)
    new = next(c.expected for c in load_cases(runs.cases_path) if c.id == wrong)
    assert new != old and panel.filed_label.text().startswith("Filed as gold label wrong")
    assert controller.analysis.triage_line().startswith("of 12 failures: 1 gold")
    with qtbot.waitSignal(controller.analysisReady, timeout=WAIT):
        qtbot.mouseClick(panel.undo_button, Qt.MouseButton.LeftButton)
    assert next(c.expected for c in load_cases(runs.cases_path) if c.id == wrong) == old
    panel.note_edit.setText("which shops count")
    with qtbot.waitSignal(controller.analysisReady, timeout=WAIT):
        qtbot.mouseClick(panel.policy_button, Qt.MouseButton.LeftButton)
    assert controller.analysis.notes and "which shops count" in panel.filed_label.text()


def test_contradiction_shows_as_evidence(setup, qtbot):
    _, _, controller = setup
    panel = TriagePanel(controller)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(controller.evidenceReady, timeout=WAIT) as signal:
        panel.select_case("sp-022")
    assert signal.args[0].contradiction is True
    assert "concludes the opposite" in panel.evidence.toPlainText()


def test_samples_view_lists_k_answers(setup, qtbot):
    _, _, controller = setup
    view = SamplesView(controller)
    qtbot.addWidget(view)
    unstable = next(s.case_id for s in controller.analysis.stability.values() if s.unstable)
    with qtbot.waitSignal(controller.samplesReady, timeout=WAIT):
        view.select_case(unstable)
    assert view.list.count() == 5 and "(unstable)" in view.summary.text()
    view.list.setCurrentRow(2)
    assert view.text.toPlainText().startswith("Reasoning:\nChecking the content")
    assert "seed 102" in view.list.item(2).text()


def test_case_table_stability_column_and_unstable_filter(setup, qtbot):
    _, runs, controller = setup
    panel = CasePanel()
    qtbot.addWidget(panel)
    panel.set_cases(load_cases(runs.cases_path))
    a = controller.analysis
    triage = {"sp-001": "gold"}
    panel.model.set_analysis(a.stability, triage, set(a.failures()))
    unstable = {s.case_id for s in a.stability.values() if s.unstable}
    row = panel.model.row_of(next(iter(unstable)))
    assert panel.model.index(row, AnalysisColumn.STABILITY).data().startswith("unstable ")
    panel.focus_combo.setCurrentIndex(panel.focus_combo.findText("Unstable only"))
    assert set(panel.visible_case_ids()) == unstable
    panel.focus_combo.setCurrentIndex(panel.focus_combo.findText("Gold label wrong"))
    assert panel.visible_case_ids() == ["sp-001"]
    panel.focus_combo.setCurrentIndex(0)
    panel.table.sortByColumn(AnalysisColumn.STABILITY, Qt.SortOrder.AscendingOrder)
    assert set(panel.visible_case_ids()[: len(unstable)]) == unstable


def test_suggestion_view_applies_only_a_usable_replacement(setup, qtbot):
    _, runs, _ = setup
    view = SuggestionView()
    qtbot.addWidget(view)
    text = runs.policy_path.read_text()
    answer = (
        "SECTION: Examples\nREPLACEMENT:\n"
        '- "Official: verify your account at bank-secure[.]example" → 1, SP2.c\n'
    )
    view.show_suggestion(parse_suggestion(answer, text))
    assert '+- "Official: verify' in view.diff.toPlainText()
    assert len(view.diff.extraSelections()) >= 2 and view.apply_button.isEnabled()
    with qtbot.waitSignal(view.applyRequested, timeout=WAIT) as signal:
        qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
    assert "bank-secure" in signal.args[0]
    try:
        parse_suggestion("no idea", text)
    except SuggestionError as exc:
        view.show_error(str(exc))
    assert not view.apply_button.isEnabled() and "not a section replacement" in view.title.text()


def test_window_shows_heat_strips_triage_tab_and_compare_after_a_run(qtbot, env):  # noqa: F811
    win = open_window(qtbot, env, FakeEngineFactory(FakeScript(delay=0.0, rule_code="SP2.a")))
    try:
        with qtbot.waitSignal(win.analysis.controller.analysisReady, timeout=15000):
            assert run_all(qtbot, win) == "finished"
        tabs = [win.right_tabs.tabText(i) for i in range(win.right_tabs.count())]
        assert tabs[-2:] == ["Triage", "Suggestion"]
        items = win.policy_panel.outline._all_items()
        strips = [i for i in items if i.data(0, CODE_ROLE) == "SP2.a"]
        assert strips and not strips[0].icon(0).isNull()
        assert win.analysis.summary.model.rowCount() > 0
        assert win.window_actions.compare_action.text() == "&Compare runs…"
        assert run_all(qtbot, win) == "finished"  # a second run (all cached) to compare
        with qtbot.waitSignal(win.evaluation.comparisonReady, timeout=15000):
            dialog = win.evaluation_actions.compare_runs()
        assert dialog.comparison.cases == 4 and dialog.comparison.mcnemar_p == 1.0
        dialog.close()
    finally:
        close_window(win)


class SuggestingEngine(FakeEngine):
    """The fake engine; asked for a suggestion, it answers a replacement of Criteria."""

    answer = "SECTION: Criteria\nREPLACEMENT:\nViolates:\n- SP2.a Fees or credentials.\n"

    def _events(self, request):
        if request.case_id != "suggestion":
            yield from super()._events(request)
            return
        verdict = Verdict(VerdictStatus.UNPARSABLE, raw=self.answer)
        yield Finished(ClassifyResult("suggestion", verdict, "thinking", self.answer, "return",
                                      TokenCounts(), Timings()))  # fmt: skip


def test_window_runs_samples_and_suggests_checks_and_applies_an_edit(qtbot, env):  # noqa: F811
    engines: list[SuggestingEngine] = []

    def factory(_config=None):
        engines.append(SuggestingEngine(FakeScript(delay=0.0)))
        return engines[-1]

    win = open_window(qtbot, env, factory)
    try:
        analysis = win.analysis
        analysis.set_samples(3)
        with (
            qtbot.waitSignal(analysis.controller.analysisReady, timeout=15000),
            qtbot.waitSignal(win.runner.runEnded, timeout=15000),
        ):
            assert analysis.run_samples()
        loaded = analysis.controller.analysis
        assert loaded.samples == 3
        assert len(win.store.sample_runs(loaded.run.id)) == 3
        model = win.case_panel.model
        assert model.index(model.row_of("c1"), AnalysisColumn.STABILITY).data() == "3/3"
        assert [f for f in loaded.failures()] == ["c4"]  # "Lovely weather" expected 1
        with qtbot.waitSignal(analysis.controller.goldChanged, timeout=15000):
            analysis.controller.file_triage("c4", "gold", new_label="0")
        assert win.case_panel.model.case("c4").expected == "0"  # the window's copy follows
        with qtbot.waitSignal(analysis.controller.goldChanged, timeout=15000) as undone:
            analysis.controller.undo_triage("c4")
        assert undone.args == ["c4", "1", True]
        assert win.case_panel.model.case("c4").expected == "1"
        # a gold label filed from Triage is a step Edit ▸ Undo (Ctrl+Z) takes back, and redoes
        with qtbot.waitSignal(analysis.controller.goldChanged, timeout=15000):
            analysis.controller.file_triage("c4", "gold", new_label="0")
        stack = win.case_panel.undo_stack
        assert stack.undoText() == "Gold label of c4 → 0"
        table = win.case_panel.table
        table.setFocus()
        with qtbot.waitSignal(analysis.controller.goldChanged, timeout=15000) as undone:
            qtbot.keyClick(table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert undone.args == ["c4", "1", True] and model.case("c4").expected == "1"
        with qtbot.waitSignal(analysis.controller.goldChanged, timeout=15000) as redone:
            qtbot.keyClick(table, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
        assert redone.args == ["c4", "0", False] and model.case("c4").expected == "0"
        assert stack.undoText() == "Gold label of c4 → 0" and not stack.canRedo()

        with qtbot.waitSignal(win.controller.taskEnded, timeout=15000):
            analysis.suggest.suggest()
        view = analysis.suggestion
        assert (
            view.suggestion is not None
            and "+- SP2.a Fees or credentials." in view.diff.toPlainText()
        )
        prompt = engines[-1]
        assert prompt.calls >= 1
        with qtbot.waitSignal(win.controller.taskEnded, timeout=15000):
            qtbot.mouseClick(view.check_button, Qt.MouseButton.LeftButton)
        assert view.check_label.text().startswith("On 2 held-out cases:")
        before = win.policy_panel.text()
        qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
        assert "Fees or credentials" in win.policy_panel.text()
        win.policy_panel.editor.undo()
        assert win.policy_panel.text() == before

        SuggestingEngine.answer = "I would not change anything."
        with qtbot.waitSignal(win.controller.taskEnded, timeout=15000):
            analysis.suggest.suggest()
        assert view.suggestion is None and "not a section replacement" in view.title.text()
        assert not view.apply_button.isEnabled()
    finally:
        SuggestingEngine.answer = (
            "SECTION: Criteria\nREPLACEMENT:\nViolates:\n- SP2.a Fees or credentials.\n"
        )
        close_window(win)


def test_settings_hold_samples_threshold_and_suggestion_model(qtbot, env):  # noqa: F811
    from app.gui.settings.dialog import SettingsDialog
    from app.gui.shared import options

    win = open_window(qtbot, env, FakeEngineFactory(FakeScript(delay=0.0)))
    try:
        dialog = SettingsDialog(win.settings, win)
        qtbot.addWidget(dialog)
        dialog.samples_combo.setCurrentText("10")
        dialog.unstable_spin.setValue(0.9)
        dialog.suggest_edit.setText("/models/gpt-oss-20b.gguf")
        dialog.accept()
        assert options.get(win.settings, options.SAMPLES) == 10
        assert options.get(win.settings, options.UNSTABLE_BELOW) == 0.9
        assert options.get(win.settings, options.SUGGEST_MODEL) == "/models/gpt-oss-20b.gguf"
        # the suggestion model replaces the run's model
        assert win.analysis.suggest._backend().engine.model_path == "/models/gpt-oss-20b.gguf"
        assert win.analysis.samples_action.text() == "Run all ×5"
        run_menu = win.window_actions.menus[MenuKey.RUN]
        assert win.analysis.samples_action in run_menu.actions()
        history = win.window_actions.menus[MenuKey.HISTORY].actions()
        assert [a.text() for a in history].count("&Compare runs…") == 1  # one comparison
        run_menu.aboutToShow.emit()  # opening the Run menu shows the new k
        assert win.analysis.samples_action.text() == "Run all ×10"
        assert win.analysis.sample_actions[10].isChecked()
    finally:
        close_window(win)


def test_run_samples_in_the_window_on_the_real_engine(qtbot, tmp_path, monkeypatch, tiny_model):
    from tests.gui.window.test_gui_e2e import open_window as open_engine_window

    cases = [TestCase(f"c{i}", f"Parcel fee number {i}, pay now", "1") for i in range(2)]
    window, engines = open_engine_window(qtbot, tmp_path, monkeypatch, tiny_model, cases)
    progress: list[tuple[int, int]] = []
    window.runner.progressChanged.connect(lambda done, total, _eta: progress.append((done, total)))
    try:
        window.analysis.set_samples(3)
        with (
            qtbot.waitSignal(window.analysis.controller.analysisReady, timeout=180_000),
            qtbot.waitSignal(window.runner.runEnded, timeout=180_000) as ended,
        ):
            assert window.analysis.run_samples()
        outcome = ended.args[0]
        assert outcome.status == "finished" and len(outcome.stability) == 2
        assert len(window.store.sample_runs(outcome.run_id)) == 3
        assert (6, 6) in progress  # every (case, sample) counted
        model = window.case_panel.model
        for case in cases:
            stability = outcome.stability[case.id]
            cell = model.index(model.row_of(case.id), AnalysisColumn.STABILITY).data()
            agree = round(stability.agreement * 3)
            assert cell.endswith(f"{agree}/3")
            entry = model.entry(case.id)  # the table shows the majority answer
            assert entry is not None and entry.label == stability.majority
    finally:
        window.shutdown()
    assert engines and not engines[0].inner.alive
