"""Copy result: a Markdown block with content, label, policy, model, settings, date and
reasoning, and a "Copied" word in the status bar."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402

from app.core.cases import TestCase  # noqa: E402
from app.gui.cases.case_menu import case_menu  # noqa: E402
from app.gui.shared.result_copy import ResultContext, result_markdown  # noqa: E402
from app.gui.shared.result_entry import ResultEntry  # noqa: E402
from app.reports.markup import md_block

TIMEOUT = 20000


@pytest.fixture
def window(workbench):
    return workbench


def test_copy_result_is_a_markdown_block_with_everything_a_ticket_needs(window, qtbot):
    panel = window.case_panel
    panel.select_case("c1")
    with qtbot.waitSignal(window.runner.runEnded, timeout=TIMEOUT):
        window.window_actions.run_case_action.trigger()
    menu = case_menu(panel)
    action = next(a for a in menu.actions() if a.text() == "Copy result")
    with qtbot.waitSignal(panel.message, timeout=2000) as said:
        action.trigger()
    assert said.args[0].startswith("Copied the result of case c1")
    text = QGuiApplication.clipboard().text()
    case = panel.model.case("c1")
    assert case.content in text
    assert "**Label:**" in text and "**Policy:** Spam test policy" in text
    assert "**Model:**" in text and "effort medium" in text and "**Date:**" in text
    assert "**Reasoning:**" in text


def test_fences_outlast_backticks_in_the_text():
    content = "see ```code``` and ````more````"
    block = md_block(content)
    assert block.startswith("`````text\n") and block.endswith("\n`````")
    entry = ResultEntry(state="done", final="1", analysis="It is ``` spam")
    text = result_markdown(TestCase("x", content, "1"), entry, ResultContext("P", "2", {}))
    assert "**Policy:** P (version 2)" in text and content in text
