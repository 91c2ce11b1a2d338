"""The case table's Predicted column shows two-label answers whole at 1024 px wide
(``INVALID D-SP2 R-SP0`` was cut to ``VALID D-S…``), with the full answer as its tooltip."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

from PySide6.QtCore import Qt  # noqa: E402

from app.core.cases import TestCase  # noqa: E402
from app.gui.cases.model import Column  # noqa: E402
from tests.support.fake_engine import FakeEngineFactory, FakeScript  # noqa: E402
from tests.support.gui_window import open_workbench, shut, write_policy  # noqa: E402

POLICY = (Path(__file__).parents[2] / "support" / "policies" / "spam_tiers.txt").read_text("utf-8")
ANSWERS = (("wire", "D-SP2, R-SP0\nINVALID"), ("lunch", "D-SP0, R-SP0\nVALID"))
CASES = [
    TestCase("a", "Wire me the fee today and your parcel is released.", "D-SP2, R-SP0"),
    TestCase("b", "Lunch at noon in the small room?", "D-SP0, R-SP0"),
]


def _shown_whole(table, row: int, column: int) -> bool:
    index = table.model().index(row, column)
    text = str(index.data())
    room = table.visualRect(index).width() - 8  # the delegate's margins, both sides
    return table.fontMetrics().horizontalAdvance(text) <= room


def test_two_label_answers_fit_the_predicted_column_at_1024_px(qtbot, tmp_path, monkeypatch):
    factory = FakeEngineFactory(FakeScript(delay=0.0005, answers=ANSWERS))
    write_policy(tmp_path, "tiers.md", cases=CASES, text=POLICY)
    window = open_workbench(qtbot, tmp_path, monkeypatch, factory, cases=CASES)
    try:
        window.document.open(tmp_path / "tiers.md", ask_save=False)
        window.resize(1024, 700)
        qtbot.wait(50)
        with qtbot.waitSignal(window.runner.runEnded, timeout=15000):
            window.window_actions.run_all_action.trigger()
        table = window.case_panel.table
        qtbot.wait(50)
        texts = [table.model().index(r, Column.PREDICTED).data() for r in range(2)]
        assert sorted(texts) == ["INVALID D-SP2 R-SP0", "VALID D-SP0 R-SP0"]
        for row in range(2):
            assert _shown_whole(table, row, Column.PREDICTED), texts[row]
            assert _shown_whole(table, row, Column.EXPECTED)
            tip = table.model().index(row, Column.PREDICTED).data(Qt.ItemDataRole.ToolTipRole)
            assert tip == texts[row]  # the full answer, whatever the width
        assert table.columnWidth(Column.PREVIEW) >= 140  # the content keeps its room
        window.document.open(tmp_path / "spam.md", ask_save=False)  # one label: narrow again
        assert table.columnWidth(Column.PREDICTED) < table.fontMetrics().horizontalAdvance(
            "INVALID D-SP2 R-SP0"
        )
    finally:
        shut(window)
