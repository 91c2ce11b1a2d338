"""The case table keeps room for the content: analysis columns appear only with data."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.core.cases import TestCase  # noqa: E402
from app.gui.cases.analysis_model import AnalysisColumn  # noqa: E402
from app.gui.cases.panel import CasePanel  # noqa: E402
from app.scoring.stability import CaseStability  # noqa: E402


def test_stability_and_triage_columns_show_only_once_a_run_filled_them(qtbot) -> None:
    panel = CasePanel()
    qtbot.addWidget(panel)
    panel.set_cases([TestCase("a", "some content", "1")])
    table = panel.table
    assert table.isColumnHidden(AnalysisColumn.STABILITY)
    assert table.isColumnHidden(AnalysisColumn.TRIAGE)
    stability = CaseStability("a", ("1", "1", "0"), "1", 0, 2 / 3, True)
    panel.model.set_analysis({"a": stability}, {}, set())
    assert not table.isColumnHidden(AnalysisColumn.STABILITY)
    assert table.isColumnHidden(AnalysisColumn.TRIAGE)
    panel.model.set_analysis({"a": stability}, {"a": "gold"}, {"a"})
    assert not table.isColumnHidden(AnalysisColumn.TRIAGE)
    panel.model.set_analysis({}, {}, set())  # another policy opened: columns go again
    assert table.isColumnHidden(AnalysisColumn.STABILITY)


def test_the_result_badge_says_the_same_status_word_as_the_case_table(qtbot) -> None:
    from app.core.records import StoredResult
    from app.gui.running.result_view import ResultView
    from app.gui.shared.result_entry import ResultEntry, predicted_text

    view = ResultView()
    qtbot.addWidget(view)
    for status, word in (("unparsable", "UNPARSABLE"), ("no_verdict", "NO VERDICT")):
        result = StoredResult("run", "a", "key", status, final="garbled").as_classify_result()
        entry = ResultEntry(state="done", result=result)
        view.show_entry("a", entry)
        assert view.badge.text() == word
        assert predicted_text(entry).upper() == word  # the table says the same
    view.show_entry("a", ResultEntry(state="done", result=result, stale=True))
    assert view.badge.text() == "NO VERDICT (STALE)"


def test_a_long_status_keeps_its_end_in_sight(qtbot) -> None:
    """The status "waiting for the server · 40 s" was cut to "waiting for the …" in the
    fixed-width Status column (the walkthrough's screenshot): the seconds never showed."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QStyleOptionViewItem

    from app.gui.cases.model import Column

    panel = CasePanel()
    qtbot.addWidget(panel)
    panel.set_cases([TestCase("a", "some content", "1")])
    table = panel.table
    index = table.model().index(0, Column.STATUS)
    option = QStyleOptionViewItem()
    table.itemDelegateForColumn(Column.STATUS).initStyleOption(option, index)
    assert option.textElideMode == Qt.TextElideMode.ElideMiddle
    shown = option.fontMetrics.elidedText(
        "waiting for the server · 40 s", option.textElideMode, table.columnWidth(Column.STATUS)
    )
    assert shown.endswith("40 s") and shown.startswith("wait")
