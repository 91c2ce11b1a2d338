"""Metrics panel, confusion-matrix filter and the version chart (pytest-qt, offscreen)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt  # noqa: E402

from app.core.cases import TestCase  # noqa: E402
from app.core.policy import OutputFormat  # noqa: E402
from app.gui.cases.filter import CaseIdFilterProxy  # noqa: E402
from app.gui.cases.model import CaseRole, CaseTableModel  # noqa: E402
from app.gui.evaluation.confusion_view import ConfusionRole  # noqa: E402
from app.gui.evaluation.metrics_chart import SERIES, ChartPoint, MetricsChart  # noqa: E402
from app.gui.evaluation.metrics_panel import MetricsPanel  # noqa: E402
from app.gui.shared.theme import dark_palette, light_palette  # noqa: E402
from app.scoring.metrics import Outcome, compute_metrics  # noqa: E402

BINARY = OutputFormat()
MULTI = OutputFormat(kind="labels", labels=("HS0", "HS1", "HS2"), violating=("HS1", "HS2"))

OUTCOMES = [
    Outcome("a", "1", "ok", "1", ("fraud",)),
    Outcome("b", "1", "ok", "0", ("fraud",)),
    Outcome("c", "0", "ok", "0", ("ham",)),
    Outcome("d", "0", "ok", "1", ("ham",)),
    Outcome("e", "1", "ok", "1", ("fraud",)),
    Outcome("f", "1", "no_verdict", None, ("fraud",)),
    Outcome("g", "0", "unparsable", None),
    Outcome("h", "1", "error", None),
]


def _panel(qtbot, metrics, output=BINARY) -> MetricsPanel:
    panel = MetricsPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 600)
    panel.set_metrics(metrics, output, "Run 1")
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_panel_shows_metrics_and_counts_apart(qtbot):
    metrics = compute_metrics(OUTCOMES, BINARY)
    panel = _panel(qtbot, metrics)
    assert panel.tiles["accuracy"].text() == f"{3 / 8:.3f}"
    assert panel.tiles["recall"].text() == f"{2 / 5:.3f}"
    counts = panel.counts.text()
    assert "no verdict 1" in counts and "unparsable 1" in counts and "error 1" in counts
    assert panel.title.textFormat() == Qt.TextFormat.PlainText
    assert panel.class_box.isHidden()  # binary policy: no per-class table
    tags = [panel.tag_model.index(r, 0).data() for r in range(panel.tag_model.rowCount())]
    assert tags == ["fraud", "ham"]
    assert panel.tag_model.index(0, 4).data() == f"{2 / 4:.3f}"


def test_multiclass_shows_per_class_with_macro(qtbot):
    outcomes = [
        Outcome("a", "HS0", "ok", "HS0"),
        Outcome("b", "HS1", "ok", "HS2"),
        Outcome("c", "HS2", "ok", "HS2"),
    ]
    metrics = compute_metrics(outcomes, MULTI)
    panel = _panel(qtbot, metrics, MULTI)
    assert not panel.class_box.isHidden()
    model = panel.class_model
    assert model.rowCount() == 4
    assert model.index(3, 0).data() == "macro average"
    assert model.index(3, 5).data() == f"{metrics.macro_f1:.3f}"


def test_confusion_cell_click_filters_the_case_table(qtbot):
    metrics = compute_metrics(OUTCOMES, BINARY)
    panel = _panel(qtbot, metrics)
    view = panel.confusion_view
    model = view.confusion_model
    columns = metrics.confusion.columns
    row, column = metrics.confusion.rows.index("1"), columns.index("0")
    assert model.index(row, column).data() == "1"
    assert model.index(row, row).data(ConfusionRole.KIND) == "right"
    assert model.index(row, column).data(ConfusionRole.KIND) == "wrong"
    assert model.index(row, columns.index("<no verdict>")).data(ConfusionRole.KIND) == "missing"
    diagonal = model.index(row, row).data(Qt.ItemDataRole.BackgroundRole)
    off = model.index(row, column).data(Qt.ItemDataRole.BackgroundRole)
    assert diagonal != off

    cases = CaseTableModel()
    cases.add_cases([TestCase(o.case_id, f"content x{o.case_id}", o.expected) for o in OUTCOMES])
    proxy = CaseIdFilterProxy()
    proxy.setSourceModel(cases)
    panel.cellActivated.connect(proxy.set_case_filter)
    panel.caseFilterCleared.connect(lambda: proxy.set_case_filter(None))

    rect = view.visualRect(model.index(row, row))
    with qtbot.waitSignal(panel.cellActivated, timeout=2000) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert sorted(blocker.args[0]) == ["a", "e"]
    shown = sorted(proxy.index(r, 0).data(CaseRole.CASE_ID) for r in range(proxy.rowCount()))
    assert shown == ["a", "e"]

    proxy.set_filter_text("xe")  # the text filter still applies on top
    assert proxy.rowCount() == 1
    proxy.set_filter_text("")
    qtbot.mouseClick(panel.show_all_button, Qt.MouseButton.LeftButton)
    assert proxy.rowCount() == len(OUTCOMES)


def test_empty_panel(qtbot):
    panel = _panel(qtbot, None)
    assert panel.tiles["f1"].text() == "n/a"
    assert panel.confusion_view.confusion_model.rowCount() == 0


def _points(n: int) -> list[ChartPoint]:
    return [
        ChartPoint(
            f"v{i + 1}",
            f"2026-11-2{i} 10:00",
            {
                "accuracy": 0.5 + i / 20,
                "precision": None if i == 2 else 0.6,
                "recall": 0.4 + i / 10,
                "f1": 0.55,
            },
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("count", [0, 1, 5])
@pytest.mark.parametrize("palette", [light_palette, dark_palette])
def test_chart_paints_for_0_1_5_versions(qtbot, count, palette):
    chart = MetricsChart()
    qtbot.addWidget(chart)
    chart.setPalette(palette())
    chart.resize(480, 220)
    chart.set_points(_points(count))
    image = chart.grab().toImage()
    assert not image.isNull()
    blue = SERIES[0][2]
    found = any(
        image.pixelColor(x, y) == blue
        for x in range(0, image.width(), 2)
        for y in range(0, image.height(), 2)
    )
    assert found  # the legend swatch at least, in every state
    if count:
        assert chart.tooltip_at(chart.x_of(count - 1)).startswith(f"v{count}")
        assert "n/a" in chart.tooltip_at(chart.x_of(2)) if count == 5 else True
    else:
        assert chart.tooltip_at(10) == ""


def test_tiles_show_the_change_since_the_previous_run(qtbot):
    before = compute_metrics(OUTCOMES, BINARY)
    fixed = [Outcome("b", "1", "ok", "1", ("fraud",)), *OUTCOMES[:1], *OUTCOMES[2:]]
    now = compute_metrics(fixed, BINARY)
    panel = _panel(qtbot, now)
    assert all(label.text() == "" for label in panel.deltas.values())  # no previous run
    panel.set_metrics(now, BINARY, "Run 2", previous=before)
    assert panel.deltas["accuracy"].text() == "▲ +0.125 since the previous run"
    assert panel.deltas["coverage"].text() == "= previous run"
    panel.set_metrics(before, BINARY, "Run 1", previous=now)
    assert panel.deltas["accuracy"].text() == "▼ -0.125 since the previous run"
    panel.set_metrics(None)
    assert panel.deltas["accuracy"].text() == ""


def test_the_confusion_rows_show_their_expected_labels_whole(qtbot):
    """Down the side the header's own size hint gave 13 px, and "0" showed as "(". Each
    expected label now fits with the style's margins either side and room for the frame."""
    from PySide6.QtWidgets import QStyle

    from app.gui.evaluation.confusion_view import ROW_LABEL_MAX, ConfusionView
    from app.scoring.metrics import ConfusionMatrix

    view = ConfusionView()
    qtbot.addWidget(view)
    view.resize(300, 180)
    view.show()
    qtbot.waitExposed(view)
    header = view.verticalHeader()
    margin = view.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    for rows in (["0", "1"], ["D-SP0", "D-SP2", "R-SP0"], ["a" * 80]):
        view.set_matrix(ConfusionMatrix(rows=rows, columns=["0", "1"]))
        qtbot.wait(20)
        widest = max(header.fontMetrics().horizontalAdvance(row) for row in rows)
        assert header.width() >= min(ROW_LABEL_MAX, widest + 2 * margin + 4), rows
