"""*History ▸ Compare runs…*: the one window that compares two stored runs.

Two combos pick runs A and B, each run named by policy and version, test set, model,
effort, accuracy and date (:class:`~app.runs.stored.facts.RunFacts`); the open policy's runs
come first, newest first, and other policies' runs after a separator under their own
heading; the newest two of the open policy are preselected (the older as A). Each pick asks
the :class:`EvaluationController` for one comparison
(:class:`~app.scoring.run_compare.RunComparison`) of the two runs, the older first whichever
combo holds it (so it is judged against the newer run's expected values); it fills both tabs:

- *Fixed and broken*: the flip report from the older run to the newer
  (:class:`~app.scoring.flips.FlipReport`, a view of the comparison) in a :class:`FlipView`
  that names both runs: metric deltas, the fixed (wrong in the older, right in the newer),
  broken and changed cases, both reasonings of the selected one; selecting a case selects it
  in the window's case table (``caseSelected``);
- *Agreement*: A and B as picked (:meth:`RunComparison.swapped` where A is the newer): the agreement
  matrix, accuracy / F1 of each with B − A, tokens and seconds per case, McNemar's p, and
  the cases where the answers differ with both reasonings and answers side by side as plain
  text.

The summary above the tabs says how many cases both runs hold, how many agree and McNemar's
exact p.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QPlainTextEdit,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.gui.evaluation.controller import EvaluationController
from app.gui.evaluation.flip_view import FlipView
from app.gui.shared.screen_fit import fit_to_screen
from app.gui.shared.widgets import plain_label
from app.runs.stored.facts import RunFacts
from app.scoring.flips import FlipReport
from app.scoring.outcome import answer_text
from app.scoring.run_compare import RunComparison


def _fill(table: QTableWidget, header: list[str], rows: list[list[object]]) -> None:
    table.clear()
    table.setColumnCount(len(header))
    table.setRowCount(len(rows))
    table.setHorizontalHeaderLabels(header)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.setItem(r, c, QTableWidgetItem("" if value is None else str(value)))
    table.resizeColumnsToContents()


def _table() -> QTableWidget:
    table = QTableWidget()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    return table


OTHER_POLICIES = "Other policies"


def grouped_runs(runs: list[RunFacts], policy_path: str) -> tuple[list, list]:
    """(the open policy's runs, other policies' runs), each newest first."""
    newest = list(reversed(runs))
    mine = [f for f in newest if policy_path and f.policy_file == policy_path]
    return mine, [f for f in newest if f not in mine]


def _fill_combo(combo: QComboBox, mine: list[RunFacts], others: list[RunFacts]) -> None:
    combo.blockSignals(True)
    combo.clear()
    for facts in mine:
        combo.addItem(facts.text(), facts.run.id)
    if others:
        if mine:
            combo.insertSeparator(combo.count())
        combo.addItem(f"{OTHER_POLICIES}:")
        heading = combo.model()
        if isinstance(heading, QStandardItemModel):
            heading.item(combo.count() - 1).setEnabled(False)
        for facts in others:
            combo.addItem(f"    {facts.text()}", facts.run.id)
    combo.blockSignals(False)


FLIPS_TAB, AGREEMENT_TAB = "Fixed and broken", "Agreement"


class CompareDialog(QDialog):
    """Pick two runs; see what changed (flips), agreement, metrics and McNemar's p."""

    caseSelected = Signal(str)  # a flipped case picked: the window selects it

    def __init__(
        self,
        controller: EvaluationController,
        parent: QWidget | None = None,
        policy_path: Callable[[], str] = str,
    ) -> None:
        super().__init__(parent)
        self.policy_path = policy_path
        self.setWindowTitle("Compare runs")
        fit_to_screen(self, 1100, 720)
        self.controller = controller
        self.comparison: RunComparison | None = None  # A and B as picked
        self.facts: dict[str, RunFacts] = {}  # run id -> its facts (name, start time)
        self.picked: tuple[str, str] | None = None  # (A, B) of the comparison asked for
        self.combo_a, self.combo_b = QComboBox(), QComboBox()
        for combo in (self.combo_a, self.combo_b):
            # long run names must not widen the dialog past a small screen
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(24)
            combo.currentIndexChanged.connect(self._request)
        self.summary = plain_label("Loading runs…", "compareSummary")
        self.summary.setWordWrap(True)
        self.flips = FlipView()
        self.flips.caseSelected.connect(self.caseSelected)
        self.matrix, self.metrics, self.cases = _table(), _table(), _table()
        self.cases.itemSelectionChanged.connect(self._show_case)
        self.text_a, self.text_b = QPlainTextEdit(), QPlainTextEdit()
        for text in (self.text_a, self.text_b):
            text.setReadOnly(True)
        picks = QHBoxLayout()
        picks.addWidget(plain_label("A"))
        picks.addWidget(self.combo_a, 1)
        picks.addWidget(plain_label("B"))
        picks.addWidget(self.combo_b, 1)
        top = QHBoxLayout()
        top.addWidget(self.matrix, 1)
        top.addWidget(self.metrics, 1)
        sides = QSplitter()
        sides.addWidget(self.text_a)
        sides.addWidget(self.text_b)
        lower = QSplitter()
        lower.addWidget(self.cases)
        lower.addWidget(sides)
        lower.setSizes([350, 750])
        agreement = QWidget()
        agreement_layout = QVBoxLayout(agreement)
        agreement_layout.addLayout(top, 1)
        agreement_layout.addWidget(plain_label("Cases where the runs disagree"))
        agreement_layout.addWidget(lower, 2)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.flips, FLIPS_TAB)
        self.tabs.setTabToolTip(0, "From the older run to the newer, whichever is A")
        self.tabs.addTab(agreement, AGREEMENT_TAB)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(picks)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        controller.runsReady.connect(self.set_runs)
        controller.comparisonReady.connect(self.show_comparison)
        controller.failedOf.connect(self._on_failed)
        controller.request_runs()

    def _on_failed(self, kind: str, message: str) -> None:
        """Only the dialog's own requests (the runs, a comparison) speak in its summary;
        the window's history, metrics or backup failures go to the status bar alone."""
        if kind in ("runs", "compare"):
            self.summary.setText(message)

    def set_runs(self, runs: list[RunFacts]) -> None:
        self.facts = {f.run.id: f for f in runs}
        mine, others = grouped_runs(runs, self.policy_path())
        for combo in (self.combo_a, self.combo_b):
            _fill_combo(combo, mine, others)
        if len(runs) < 2:
            self.summary.setText(
                "Run the test set twice (another model, effort or policy) to compare."
            )
            return
        ids = [f.run.id for f in (mine if len(mine) >= 2 else mine + others)]
        for combo, run_id in ((self.combo_a, ids[1]), (self.combo_b, ids[0])):  # A the older
            combo.blockSignals(True)  # one comparison for both picks, asked for below
            combo.setCurrentIndex(combo.findData(run_id))
            combo.blockSignals(False)
        self._request()

    def run_name(self, run_id: str) -> str:
        facts = self.facts.get(run_id)
        return facts.text() if facts else f"run {run_id}"

    def _older_first(self, a: str, b: str) -> tuple[str, str]:
        started = {r: f.run.started for r, f in self.facts.items() if r in (a, b)}
        return (b, a) if len(started) == 2 and started[b] < started[a] else (a, b)

    def _request(self) -> None:
        a, b = self.combo_a.currentData(), self.combo_b.currentData()
        if a and b:
            self.summary.setText("Comparing…")
            self.picked = (a, b)
            self.controller.request_compare(*self._older_first(a, b))

    def show_comparison(self, in_time: RunComparison) -> None:
        """Show a comparison of the older run to the newer: the flips as it is, the
        agreement with A and B as picked."""
        older, newer = in_time.run_a, in_time.run_b
        picked_reversed = older != newer and self.picked == (newer, older)
        self.comparison = cmp = in_time.swapped() if picked_reversed else in_time
        if not cmp.cases:
            self.summary.setText("These runs share no case; pick two runs of one test set.")
        else:
            self.summary.setText(cmp.summary())
        self.flips.set_report(FlipReport.of(in_time), self.run_name(older), self.run_name(newer))
        rows = [[f"A {a}"] + [cmp.cell(a, b) for b in cmp.labels] for a in cmp.labels]
        _fill(self.matrix, ["A \\ B", *(f"B {b}" for b in cmp.labels)], rows)
        _fill(self.metrics, ["", "A", "B", "B − A"], cmp.table_rows())
        case_rows = [[d.case_id, d.expected, answer_text(d.a), answer_text(d.b)]
                     for d in cmp.disagreements]  # fmt: skip
        _fill(self.cases, ["Case", "Expected", "A", "B"], case_rows)
        self.cases.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        if cmp.disagreements:
            self.cases.selectRow(0)
        else:
            self.text_a.clear()
            self.text_b.clear()

    def _show_case(self) -> None:
        rows = self.cases.selectionModel().selectedRows()
        if not rows or self.comparison is None:
            return
        d = self.comparison.disagreements[rows[0].row()]
        for text, result, side in ((self.text_a, d.a, "A"), (self.text_b, d.b, "B")):
            text.setPlainText(
                f"{side}: {answer_text(result)}\n\nReasoning:\n{result.analysis}\n\n"
                f"Answer:\n{result.final}"
            )
