"""The metrics panel: headline metrics, outcome counts, confusion matrix, classes, tags, chart.

Shows one run's :class:`~app.scoring.metrics.Metrics`: accuracy / precision / recall / F1 for
"violates" and coverage as tiles; the counts of verdicts and of no-verdict, unparsable and
error results on their own line (never folded into "does not violate"); the confusion
matrix (click a cell: ``cellActivated(case_ids)``, so the case table can filter to those
cases; "Show all cases" emits ``caseFilterCleared``); per-class metrics with macro averages
(shown for policies with more than two labels); agreement per tag; and the chart of the
metrics across the policy's versions; for a test set with severity tiers, the tier
confusion matrix with the tier accuracy and the share off by exactly one tier. Everything is
plain text. The panel computes nothing:
the metrics come from the :class:`~app.gui.evaluation.controller.EvaluationController`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.policy import OutputFormat
from app.gui.evaluation.confusion_view import ConfusionView
from app.gui.evaluation.data import VersionSummary, chart_tooltip, chart_values
from app.gui.evaluation.metrics_chart import ChartPoint, MetricsChart
from app.gui.evaluation.metrics_models import PerClassModel, TagModel
from app.gui.shared.widgets import plain_label
from app.scoring.metrics import Metrics, format_ratio

TILES = (
    (
        "accuracy",
        "Accuracy",
        "Right answers / scored cases: an expected tier, pair or escalation must match too "
        "(no verdict counts as wrong)",
    ),
    ("precision", "Precision", "Of the cases flagged as violating, how many do"),
    ("recall", "Recall", "Of the violating cases, how many were flagged (no verdict = missed)"),
    ("f1", "F1", "Harmonic mean of precision and recall"),
    ("coverage", "Coverage", "Share of scored cases that got a verdict"),
)


def delta_text(metrics: Metrics | None, previous: Metrics | None, key: str) -> str:
    """ "+0.024 since the previous run" (of the same test set), or "" without one."""
    if metrics is None or previous is None:
        return ""
    now, before = metrics.value(key), previous.value(key)
    if now is None or before is None:
        return ""
    change = now - before
    if abs(change) < 5e-4:
        return "= previous run"
    return f"{'▲' if change > 0 else '▼'} {change:+.3f} since the previous run"


def counts_text(m: Metrics) -> str:
    """One line of outcome counts, with the no-verdict kinds kept apart."""
    status = m.status_counts
    return (
        f"{m.scored} scored · {m.verdicts} verdicts · no verdict {status.get('no_verdict', 0)}"
        f" · unparsable {status.get('unparsable', 0)} · error {status.get('error', 0)}"
        f" · unscored {m.unscored}    TP {m.tp} · FP {m.fp} · TN {m.tn} · FN {m.fn}"
    )


def _table(model, stretch_first: bool = True) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch_first:
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    return view


class MetricsPanel(QWidget):
    """Read-only view of one run's metrics plus the version chart."""

    cellActivated = Signal(list)  # case ids of the clicked confusion-matrix cell
    caseFilterCleared = Signal()
    cellDescribed = Signal(str)  # what the next cellActivated shows, for the filter chip

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._metrics: Metrics | None = None
        self.title = plain_label("No run yet", "sectionLabel")
        self.tiles: dict[str, QLabel] = {}
        self.deltas: dict[str, QLabel] = {}  # change since the previous run of the test set
        tiles = QHBoxLayout()
        tiles.setSpacing(6)
        for key, name, tip in TILES:
            frame = QFrame()
            frame.setFrameShape(QFrame.Shape.StyledPanel)
            frame.setToolTip(tip)
            box = QVBoxLayout(frame)
            box.setContentsMargins(8, 4, 8, 4)
            box.setSpacing(0)
            value = plain_label("n/a", f"metric_{key}")
            font = value.font()
            font.setPointSizeF(font.pointSizeF() * 1.5)
            font.setBold(True)
            value.setFont(font)
            box.addWidget(plain_label(name))
            box.addWidget(value)
            self.deltas[key] = plain_label("", f"delta_{key}")
            self.deltas[key].setWordWrap(True)  # five tiles fit a 1024 px window's tab
            box.addWidget(self.deltas[key])
            tiles.addWidget(frame, 1)
            self.tiles[key] = value
        self.counts = plain_label("", "metricCounts")
        self.counts.setWordWrap(True)

        self.confusion_view = ConfusionView()
        self.confusion_view.cellDescribed.connect(self.cellDescribed)
        self.confusion_view.cellActivated.connect(self.cellActivated)
        self.show_all_button = QPushButton("Show all cases")
        self.show_all_button.setToolTip("Clear the confusion-matrix filter of the case table")
        self.show_all_button.clicked.connect(self.caseFilterCleared)
        self.tier_view = ConfusionView()
        self.tier_view.setObjectName("tierConfusion")
        self.tier_view.cellDescribed.connect(self.cellDescribed)
        self.tier_view.cellActivated.connect(self.cellActivated)
        self.tier_summary = plain_label("", "tierSummary")
        self.tier_summary.setWordWrap(True)
        self.class_model = PerClassModel(self)
        self.class_view = _table(self.class_model)
        self.tag_model = TagModel(self)
        # tags are short codes: sized to them, so the counts beside them stay in view in a
        # narrow pane (a stretched tag column pushed them out of sight at 1024 pixels)
        self.tag_view = _table(self.tag_model, stretch_first=False)
        self.tag_view.horizontalHeader().setStretchLastSection(True)
        self.chart = MetricsChart()

        matrix_box = QWidget()
        grid = QGridLayout(matrix_box)
        grid.setContentsMargins(0, 0, 0, 0)
        matrix_title = plain_label("Confusion matrix (expected ↓, predicted →)", "sectionLabel")
        matrix_title.setWordWrap(True)  # wraps rather than squeezing the tag table
        grid.addWidget(matrix_title, 0, 0)
        grid.addWidget(self.show_all_button, 0, 1, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.confusion_view, 1, 0, 1, 2)
        self.class_box = QWidget()
        class_layout = QVBoxLayout(self.class_box)
        class_layout.setContentsMargins(0, 0, 0, 0)
        class_layout.addWidget(plain_label("Per class (macro averages last)", "sectionLabel"))
        class_layout.addWidget(self.class_view)
        self.tier_box = QWidget()
        tier_layout = QVBoxLayout(self.tier_box)
        tier_layout.setContentsMargins(0, 0, 0, 0)
        tier_head = QHBoxLayout()
        tier_head.addWidget(plain_label("Tiers (expected ↓, predicted →)", "sectionLabel"))
        tier_head.addWidget(self.tier_summary, 1)
        tier_layout.addLayout(tier_head)
        tier_layout.addWidget(self.tier_view)
        tag_box = QWidget()
        tag_layout = QVBoxLayout(tag_box)
        tag_layout.setContentsMargins(0, 0, 0, 0)
        tag_layout.addWidget(plain_label("Agreement per tag", "sectionLabel"))
        tag_layout.addWidget(self.tag_view)
        chart_box = QWidget()
        chart_layout = QVBoxLayout(chart_box)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        chart_layout.addWidget(plain_label("Across policy versions", "sectionLabel"))
        chart_layout.addWidget(self.chart, 1)

        upper = QSplitter(Qt.Orientation.Horizontal)
        upper.addWidget(matrix_box)
        upper.addWidget(self.class_box)
        upper.addWidget(tag_box)
        upper.setChildrenCollapsible(False)
        for position in range(3):  # the tag table needs as much room as the matrix
            upper.setStretchFactor(position, 1)
        upper.setSizes([450, 300, 350])
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("metricsSplitter")
        self.splitter.addWidget(upper)
        self.splitter.addWidget(self.tier_box)  # full width: a tier matrix has many columns
        self.splitter.addWidget(chart_box)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addLayout(tiles)
        layout.addWidget(self.counts)
        layout.addWidget(self.splitter, 1)
        self.set_metrics(None)

    def metrics(self) -> Metrics | None:
        return self._metrics

    def set_metrics(
        self,
        metrics: Metrics | None,
        output: OutputFormat | None = None,
        title: str = "",
        previous: Metrics | None = None,
    ) -> None:
        """Show a run's metrics (None: the empty state); ``previous``: the metrics of the
        previous run of the same test set, for the change under each tile."""
        self._metrics = metrics
        self.title.setText(
            title
            or ("No run yet: run the test set to see metrics." if metrics is None else "Metrics")
        )
        for key, label in self.tiles.items():
            label.setText(format_ratio(metrics.value(key)) if metrics else "n/a")
            self.deltas[key].setText(delta_text(metrics, previous, key))
        self.counts.setText(counts_text(metrics) if metrics else "")
        self.confusion_view.set_matrix(metrics.confusion if metrics else None)
        violating = set(output.violating) if output else set()
        self.class_model.set_metrics(metrics, violating)
        labels = len(output.labels) if output else len(metrics.confusion.rows) if metrics else 0
        self.class_box.setVisible(labels > 2)
        self.tag_model.set_metrics(metrics)
        tiers = metrics.tiers if metrics else None
        self.tier_box.setVisible(tiers is not None)
        self.tier_summary.setText(tiers.summary() if tiers else "")
        self.tier_view.set_matrix(tiers.confusion if tiers else None)

    def set_history(self, history: list[VersionSummary]) -> None:
        """Chart the versions' latest-run metrics (versions never run are left out)."""
        points = [
            ChartPoint(s.label, chart_tooltip(s), chart_values(s))
            for s in history
            if s.metrics is not None
        ]
        self.chart.set_points(points)
