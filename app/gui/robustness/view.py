"""The Robustness view beside Metrics: choose families, run, read the grid, keep variants.

Families come from a preset (obfuscation, encodings, framing, injection, all) or one by
one; variants per case and which cases (all, the selected ones, violating only, allowed
only) sit beside them. *Run* makes the variants and runs them on the window's engine
(:mod:`.runner`); *Cancel* stops; *Resume* runs the same job again, so what was stored
comes from the cache. The grid (:mod:`.grid`) shows per family the share of cases whose
label changed and per rule the flips; clicking a cell lists those cases, one click shows
clean and variant side by side (invisible characters as ⟨ZWSP⟩ symbols), and *Add as
test case* puts the variant into the test set with the clean case's expected label and a
``robustness:<family>`` tag, as one undoable step of the case table. Running the same
families again (after a policy edit) says per family what the edit fixed and broke.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QSettings, Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.cases import TestCase
from app.gui.robustness.families import FamilyChooser
from app.gui.robustness.grid import GridModel
from app.gui.robustness.runner import RobustnessPorts, RobustnessRunner
from app.gui.shared.backend_values import backend_config
from app.gui.shared.ports import EngineJobs, VariantCases
from app.gui.shared.settings_store import load_run_settings
from app.gui.shared.table_views import row_table
from app.gui.shared.widgets import scrolling
from app.reports.robustness import DIRECTIONS
from app.runs.pipeline.selection import RunJob
from app.runs.robustness import TAG, RobustnessJob
from app.scoring.robustness import Example, RobustnessReport
from app.variants.display import visible
from app.variants.families import MAX_VARIANTS

WHICH = (("All cases", "all"), ("Selected cases", "selected"),
         ("Violating only", "violating"), ("Allowed only", "allowed"))  # fmt: skip


@dataclass
class RobustnessContext:
    """The collaborators of the view, built once by the window."""

    engine: EngineJobs  # the window's one engine
    settings: QSettings
    cases: VariantCases  # the case table: which cases to vary; variants join it
    prepare: Callable[[], tuple | None]  # the run coordinator's check: (policy, text) or None
    cases_path: Callable[[], str]
    effort: Callable[[], str]
    show_message: Callable[[str], None]
    tabs: QTabWidget | None = (
        None  # the window's tab widget the view adds itself to (beside Metrics)
    )


class RobustnessView(QWidget):
    """See the module notes."""

    def __init__(self, context: RobustnessContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("robustnessView")
        self.context = context
        self.runner = RobustnessRunner(RobustnessPorts(context.engine, context.show_message), self)
        self.report: RobustnessReport | None = None
        self.chooser = FamilyChooser(context.show_message)
        self.preset, self.family_list = self.chooser.preset, self.chooser.list
        self._build()
        self.runner.progress.connect(self._on_progress)
        self.runner.finished.connect(self._on_finished)
        self.runner.runningChanged.connect(self._on_running)
        self.chooser.load()
        self.chooser.choose_preset("obfuscation")
        self.page: QWidget = scrolling(self)  # scrolled like Metrics: a small screen scrolls
        if context.tabs is not None:
            context.tabs.addTab(self.page, "Robustness")

    def show_tab(self) -> None:
        """Bring the Robustness tab to the front (View ▸ Robustness)."""
        if self.context.tabs is not None:
            self.context.tabs.setCurrentWidget(self.page)

    def _build(self) -> None:
        self.variants = QSpinBox()
        self.variants.setRange(1, MAX_VARIANTS)
        self.variants.setValue(2)
        self.variants.setToolTip("Variants per case and family")
        self.which = QComboBox()
        for text, value in WHICH:
            self.which.addItem(text, value)
        self.run_button = QPushButton("Run robustness")
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.runner.cancel)
        self.resume_button = QPushButton("Resume")
        self.resume_button.setToolTip("Run the last job again; what was stored is cached")
        self.resume_button.clicked.connect(self.resume)
        controls, buttons = QHBoxLayout(), QHBoxLayout()
        for label, widget in (("Families", self.preset), ("Variants", self.variants),
                              ("Cases", self.which)):  # fmt: skip
            controls.addWidget(QLabel(label))
            controls.addWidget(widget)
        controls.addStretch(1)
        for button in (self.run_button, self.cancel_button, self.resume_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.progress_bar = QProgressBar()
        self.status = QLabel("Choose families and run: each case gets variants per family.")
        self.status.setWordWrap(True)
        self.grid = GridModel()
        self.grid_view = row_table(self.grid)
        self.grid_view.setSelectionBehavior(self.grid_view.SelectionBehavior.SelectItems)
        self.grid_view.verticalHeader().setVisible(True)
        # a bold family name of the clicked cell would not fit the header's width
        self.grid_view.verticalHeader().setHighlightSections(False)
        self.grid_view.clicked.connect(self.show_cell)
        self.flipped = QListWidget()
        self.flipped.setObjectName("robustnessFlipped")
        self.flipped.currentRowChanged.connect(self._show_example)
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.add_button = QPushButton("Add as test case")
        self.add_button.setEnabled(False)
        self.add_button.clicked.connect(self.add_as_test_case)
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.flipped)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.detail)
        side_layout.addWidget(self.add_button)
        lower.addWidget(side)
        main = QSplitter(Qt.Orientation.Vertical)
        for widget in (self.family_list, self.grid_view, lower):
            main.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addLayout(buttons)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.status)
        layout.addWidget(main, 1)
        self._on_running(False)

    # --- running ----------------------------------------------------------------------
    def job(self) -> RobustnessJob | None:
        """The job the controls describe, or None (the run coordinator said why)."""
        prepared = self.context.prepare()
        if prepared is None:
            return None
        policy, _text = prepared
        panel = self.context.cases
        settings = self.context.settings
        base = RunJob(policy, panel.cases(), load_run_settings(settings, self.context.effort()),
                      backend_config(settings), selected_ids=tuple(panel.selected_ids()),
                      cases_path=self.context.cases_path())  # fmt: skip
        names = tuple(self.chooser.chosen())
        job = RobustnessJob(base, names, self.variants.value(), self.which.currentData())
        last = self.runner.last_job
        same = last is not None and (last.families, last.variants, last.which) == (
            job.families, job.variants, job.which)  # fmt: skip
        return dataclasses.replace(job, against=self.runner.last_run_id if same else "")

    def run(self) -> bool:
        job = self.job()
        return job is not None and self.runner.start(job)

    def resume(self) -> bool:
        job = self.runner.last_job
        if job is None:
            self.context.show_message("Nothing to resume yet; run robustness first.")
            return False
        return self.runner.start(job)

    @Slot(bool)
    def _on_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.resume_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)

    @Slot(str, int, int)
    def _on_progress(self, stage: str, done: int, total: int) -> None:
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)
        what = "clean cases" if stage == "clean" else "variants"
        self.status.setText(f"{done} of {total} {what}…")

    @Slot(object)
    def _on_finished(self, outcome) -> None:
        if outcome.report is None:
            self.status.setText(outcome.message or f"The run {outcome.status}.")
            return
        self.set_report(outcome.report)
        edit = " ".join(f"Since the last run: {line}." for line in outcome.edit)
        self.status.setText(
            f"{outcome.variants} variants against clean run {outcome.clean_run_id}; "
            f"click a cell to list the cases whose label changed. {edit}".strip()
        )

    # --- the grid and the flipped cases -----------------------------------------------
    def set_report(self, report: RobustnessReport | None) -> None:
        self.report = report
        self.grid.set_report(report)
        self.grid_view.resizeColumnsToContents()
        self._examples: list[Example] = []
        self.flipped.clear()
        self.detail.clear()

    @Slot(QModelIndex)
    def show_cell(self, index: QModelIndex) -> None:
        """List the changed cases of the clicked family (and rule)."""
        if self.report is None or not index.isValid():
            return
        family = self.grid.family(index.row())
        self._examples = self.report.flipped(family, self.grid.rule(index.column()))
        self.flipped.clear()
        for e in self._examples:
            self.flipped.addItem(f"{e.case_id} · {DIRECTIONS[e.direction]} · "
                                 f"{visible(e.variant_text)[:80]}")  # fmt: skip
        if not self._examples:
            self.detail.setPlainText("No case changed its label here.")
        self.flipped.setCurrentRow(0 if self._examples else -1)

    @Slot(int)
    def _show_example(self, row: int) -> None:
        self.add_button.setEnabled(0 <= row < len(self._examples))
        if not 0 <= row < len(self._examples):
            return
        e = self._examples[row]
        seen = "yes" if e.saw_through else "no"
        self.detail.setPlainText(
            f"Clean ({e.clean_label}):\n{visible(e.clean_text)}\n\n"
            f"Variant, {e.family} ({e.variant_label}):\n{visible(e.variant_text)}\n\n"
            f"Reasoning on the clean case:\n{visible(e.clean_reasoning)}\n\n"
            f"Reasoning on the variant (saw through it: {seen}):\n{visible(e.variant_reasoning)}"
        )

    def add_as_test_case(self) -> str:
        """The shown variant as a new case: the clean case's expected label, a
        ``robustness:<family>`` tag; one undo step of the case table."""
        row = self.flipped.currentRow()
        if not 0 <= row < len(self._examples):
            return ""
        e = self._examples[row]
        panel = self.context.cases
        expected = panel.expected_label(e.case_id)
        index = e.variant_id.rsplit("~", 1)[-1]
        case = TestCase(f"{e.case_id}-{e.family}-{index}", e.variant_text, expected,
                        f"{e.family} variant of {e.case_id}", [TAG + e.family])  # fmt: skip
        added = panel.add_cases([case], text=f"Add {e.family} variant of {e.case_id}")
        self.context.show_message(f"Added {added[0]} to the test set (Ctrl+Z undoes it).")
        return added[0]
