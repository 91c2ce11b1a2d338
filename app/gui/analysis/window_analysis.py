"""Puts the analysis views into the workbench window and wires them to what it shows.

``WindowAnalysis`` is built from an :class:`AnalysisContext` (the window's collaborators,
handed over once by ``MainWindow`` as it builds its features). It owns the
:class:`AnalysisController` and adds:

- the rule heat map with the stability and triage lines to the Metrics tab;
- a *Triage* tab beside Result / Metrics (triage panel over the k samples of the case);
- a *Suggestion* tab (the diff of a suggested edit);
- *Run ▸ Run all ×k* with *Samples per case* (3, 5, 10, a
  setting) and *Suggest an edit from the failures shown* (:mod:`suggest_actions`).

After each loaded run (``request_analysis``) the outline gets its heat strips and notes, the
case table its stability and triage columns, the Metrics tab its heat map. Selecting a case
shows its evidence and samples; clicking a rule (heat map or outline) filters the case table
to the cases citing it. Nothing here imports another feature package.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QSplitter

from app.gui.analysis.context import AnalysisContext
from app.gui.analysis.controller import AnalysisController
from app.gui.analysis.heat_table import AnalysisSummary
from app.gui.analysis.samples_view import SamplesView
from app.gui.analysis.suggest_actions import SuggestActions
from app.gui.analysis.suggestion_view import SuggestionView
from app.gui.analysis.triage_panel import TriagePanel
from app.gui.analysis.triage_undo import GoldSteps
from app.gui.shared import options
from app.gui.shared.widgets import scrolling
from app.runs.stored.analysis import RunAnalysis
from app.scoring.stability import SAMPLE_COUNTS


class WindowAnalysis(QObject):
    """The analysis views of one window, and their wiring."""

    def __init__(self, ctx: AnalysisContext) -> None:
        super().__init__(ctx.parent)
        self.ctx = ctx
        # the window's shared task runner: its shutdown stops it, and every analysis job
        self.controller = AnalysisController(ctx.store, ctx.tasks, self)
        tabs, metrics_splitter = ctx.tabs, ctx.metrics_splitter
        self.summary = AnalysisSummary()
        self.summary.setObjectName("analysisSummary")
        metrics_splitter.addWidget(self.summary)
        # the heat map gets the most room; the chart across versions may be folded away
        metrics_splitter.setStretchFactor(metrics_splitter.count() - 1, 4)
        metrics_splitter.setCollapsible(metrics_splitter.count() - 2, True)
        self.triage = TriagePanel(self.controller)
        self.samples = SamplesView(self.controller)
        triage_split = QSplitter(Qt.Orientation.Vertical)
        triage_split.setObjectName("triageSplitter")
        triage_split.addWidget(self.triage)
        triage_split.addWidget(self.samples)
        triage_split.setChildrenCollapsible(False)
        # scrolled like Metrics and Robustness: on a small screen the tab scrolls, never
        # squeezing the filing buttons below the height of their labels
        self.triage_tab = scrolling(triage_split)
        tabs.addTab(self.triage_tab, "Triage")
        self.suggestion = SuggestionView()
        tabs.addTab(self.suggestion, "Suggestion")
        self.tabs = tabs
        self.suggest = SuggestActions(ctx, self.controller, self.suggestion)
        self._add_run_actions(ctx.run_menu)
        self._wire()

    def _add_run_actions(self, menu: QMenu) -> None:
        settings = self.ctx.settings
        menu.addSeparator()
        self.samples_action = menu.addAction("Run all ×&k")
        self.samples_action.setToolTip("Sample every case k times and score the majority label")
        self.samples_action.triggered.connect(self.run_samples)
        choose = menu.addMenu("Samples per case")
        group = QActionGroup(choose)
        self.sample_actions: dict[int, QAction] = {}
        for k in SAMPLE_COUNTS:
            action = choose.addAction(f"{k} samples")
            action.setCheckable(True)
            action.triggered.connect(lambda _on, k=k: self.set_samples(k))
            group.addAction(action)
            self.sample_actions[k] = action
        menu.aboutToShow.connect(lambda: self.set_samples(options.get(settings, options.SAMPLES)))
        self.set_samples(options.get(settings, options.SAMPLES))
        self.suggest_action = menu.addAction("Suggest an &edit from the failures shown")
        self.suggest_action.triggered.connect(self.suggest.suggest)

    def set_samples(self, k: int) -> None:
        """Samples per case for Run all ×k (the setting Settings shows too)."""
        options.put(self.ctx.settings, options.SAMPLES, k)
        self.samples_action.setText(f"Run all ×{k}")
        if k in self.sample_actions:
            self.sample_actions[k].setChecked(True)

    def run_samples(self) -> bool:
        """Run every case shown k times (seeds seed…seed+k-1) as one majority run."""
        return self.ctx.runner.run_suite("all", options.get(self.ctx.settings, options.SAMPLES))

    def _wire(self) -> None:
        ctx, controller = self.ctx, self.controller
        self.gold_steps = GoldSteps(controller, ctx.cases.undo_stack, ctx.cases.expected_label)
        controller.analysisReady.connect(self.show_analysis)
        controller.goldChanged.connect(self._on_gold_changed)
        controller.requestFailed.connect(ctx.show_message)
        ctx.run_metrics_ready.connect(lambda metrics: self.load_run(metrics.run.id))
        ctx.cases.currentCaseChanged.connect(self.select_case)
        self.summary.ruleSelected.connect(self.filter_to_rule)
        ctx.outline.ruleClicked.connect(self._on_outline_rule)

    def load_run(self, run_id: str) -> None:
        """Analyse a stored run (after a run ends, or when stored results are shown)."""
        self.controller.threshold = options.get(self.ctx.settings, options.UNSTABLE_BELOW)
        self.controller.request_analysis(run_id)

    def show_analysis(self, analysis: RunAnalysis) -> None:
        ctx = self.ctx
        self.summary.show_analysis(analysis)
        ctx.outline.set_rule_heat(analysis.heats, len(analysis.results), analysis.notes)
        triage = {cid: entry.kind for cid, entry in analysis.triage.items()}
        ctx.cases.show_analysis(analysis.stability, triage, set(analysis.failures()))
        current = ctx.cases.current_case_id()
        if current:
            self.select_case(current)

    def select_case(self, case_id: str) -> None:
        analysis = self.controller.analysis
        if not case_id or analysis is None or analysis.result(case_id) is None:
            return
        self.triage.select_case(case_id)
        self.samples.select_case(case_id)

    def _on_gold_changed(self, case_id: str, label: str, undone: bool) -> None:
        """The triage rewrote the expected label in the file; the table shows it too (so a
        later save of the test set keeps it), and a new filing is a step Edit ▸ Undo takes
        back."""
        cases = self.ctx.cases
        cases.set_expected(case_id, label)
        self.gold_steps.changed(case_id, label, undone)
        if cases.current_case_id() == case_id:
            cases.select_case(case_id)

    def filter_to_rule(self, code: str, case_ids: list) -> None:
        self.ctx.cases.filter_cases(case_ids)
        self.ctx.show_message(f"{len(case_ids)} cases cite {code}; Show all cases clears it.")

    def _on_outline_rule(self, code: str) -> None:
        analysis = self.controller.analysis
        if analysis is None:
            return
        heat = next((h for h in analysis.heats if h.code == code), None)
        if heat is not None and heat.case_ids:
            self.filter_to_rule(code, list(heat.case_ids))
