"""The outline beside the policy is read whole at 1024×700 (issue 21.10): it had 106 px and
every entry cut ("DC0 …", "Deceptive…"); now the splitter gives it room for a rule code and a
word or two, and a long title wraps onto the lines it needs (its full text in the tooltip),
also after the pane is dragged narrower or wider."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

from PySide6.QtGui import QFontMetrics, QTextLayout, QTextOption  # noqa: E402
from PySide6.QtWidgets import QStyle  # noqa: E402

from app.gui.policy.outline import MIN_CHARS, PolicyOutline  # noqa: E402
from tests.support.fake_engine import FakeEngineFactory, FakeScript  # noqa: E402
from tests.support.gui_window import open_workbench, shut, write_policy  # noqa: E402

POLICIES = Path(__file__).parents[1] / "support" / "policies"


def _items(outline: PolicyOutline) -> list:
    items, stack = [], [outline.topLevelItem(i) for i in range(outline.topLevelItemCount())]
    while stack:
        item = stack.pop(0)
        items.append(item)
        stack[:0] = [item.child(i) for i in range(item.childCount())]
    return items


def _lines(text: str, font, width: int) -> int:
    """Lines ``text`` takes wrapped at word boundaries in ``width`` px (as the style paints
    an item's text)."""
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout.setTextOption(option)
    layout.beginLayout()
    count = 0
    while (line := layout.createLine()).isValid():
        line.setLineWidth(width)
        count += 1
    layout.endLayout()
    return count


def _cut(outline: PolicyOutline) -> list[str]:
    """The entries whose row is too short for their text wrapped at the row's width, or
    whose tooltip lacks the full text."""
    margin = outline.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1
    cut = []
    for item in _items(outline):
        rect = outline.visualItemRect(item)
        font = item.font(0)
        lines = _lines(item.text(0), font, rect.width() - 2 * margin)
        if rect.height() < lines * QFontMetrics(font).height():
            cut.append(item.text(0))
        elif not item.toolTip(0).endswith(item.text(0)):
            cut.append(f"no tooltip: {item.text(0)}")
    return cut


def test_outline_entries_are_whole_at_1024_by_700(qtbot, tmp_path, monkeypatch) -> None:
    write_policy(tmp_path, "pack.md", text=(POLICIES / "pack_policy.md").read_text("utf-8"))
    window = open_workbench(qtbot, tmp_path, monkeypatch, FakeEngineFactory(FakeScript()))
    try:
        window.resize(1024, 700)
        window.document.open(tmp_path / "pack.md", ask_save=False)
        outline = window.policy_panel.outline
        qtbot.waitUntil(lambda: outline.topLevelItemCount() > 0)
        qtbot.wait(50)
        assert outline.width() >= outline.fontMetrics().averageCharWidth() * MIN_CHARS
        assert any(item.text(0).startswith("DC0") for item in _items(outline))
        assert _cut(outline) == []
        splitter = window.policy_panel.top_splitter
        total = sum(splitter.sizes())
        splitter.setSizes([total - outline.minimumSizeHint().width(), 1])  # dragged narrow
        qtbot.wait(50)
        assert outline.width() == outline.minimumSizeHint().width()
        assert _cut(outline) == []
        splitter.setSizes([total // 2, total - total // 2])  # and wider again
        qtbot.wait(50)
        assert _cut(outline) == []
    finally:
        shut(window)
