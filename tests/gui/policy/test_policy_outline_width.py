"""The outline beside the policy is read at 1024×700: at 106 px every entry was cut
(issue 21.10, "DC0 …"); then each title wrapped into a tall narrow column of three-line
entries. Now each entry is one line, as in an editor's outline, the splitter gives the pane
two fifths beside the editor, and a title wider than its row ends in "…" after its rule code
and first words, with the full text in the tooltip, also after the pane is dragged to its
narrowest."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics

from app.gui.policy.outline import MIN_CHARS, PolicyOutline
from tests.support.fake_engine import FakeEngineFactory, FakeScript
from tests.support.gui_window import open_workbench, shut, write_policy

POLICIES = Path(__file__).parents[2] / "support" / "policies"


def _items(outline: PolicyOutline) -> list:
    items, stack = [], [outline.topLevelItem(i) for i in range(outline.topLevelItemCount())]
    while stack:
        item = stack.pop(0)
        items.append(item)
        stack[:0] = [item.child(i) for i in range(item.childCount())]
    return items


def _code_and_a_word(shown: str, code: str | None) -> bool:
    """An elided entry still shows its rule code (if any) and a word after it."""
    words = shown.rstrip("…").split()
    return (not code or words[:1] == [code]) and len(words) >= 1 + bool(code)


def _unreadable(outline: PolicyOutline) -> list[str]:
    """The entries taller than one line, whose rule code and first word do not show, or
    whose tooltip lacks the full text."""
    bad = []
    for item in _items(outline):
        rect, metrics = outline.visualItemRect(item), QFontMetrics(item.font(0))
        text, code = item.text(0), item.data(0, Qt.ItemDataRole.UserRole + 1)
        room = (
            rect.width() - (outline.iconSize().width() + 4 if not item.icon(0).isNull() else 0) - 8
        )
        shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
        if rect.height() >= 2 * metrics.height():
            bad.append(f"taller than a line: {text}")
        elif shown != text and not _code_and_a_word(shown, code):
            bad.append(f"shows only {shown!r}: {text}")
        elif not item.toolTip(0).splitlines()[0].endswith(text):
            bad.append(f"no tooltip: {text}")
    return bad


def test_outline_entries_are_readable_at_1024_by_700(qtbot, tmp_path, monkeypatch) -> None:
    write_policy(tmp_path, "pack.md", text=(POLICIES / "pack_policy.md").read_text("utf-8"))
    window = open_workbench(qtbot, tmp_path, monkeypatch, FakeEngineFactory(FakeScript()))
    try:
        window.resize(1024, 700)
        window.document.open(tmp_path / "pack.md", ask_save=False)
        outline = window.policy_panel.outline
        qtbot.waitUntil(lambda: outline.topLevelItemCount() > 0)
        qtbot.wait(50)
        splitter = window.policy_panel.top_splitter
        total = sum(splitter.sizes())
        assert outline.width() >= total * 0.38  # two fifths, not its narrowest
        assert outline.width() >= outline.fontMetrics().averageCharWidth() * MIN_CHARS
        assert any(item.text(0).startswith("DC0") for item in _items(outline))
        assert _unreadable(outline) == []
        splitter.setSizes([total - outline.minimumSizeHint().width(), 1])  # dragged narrow
        qtbot.wait(50)
        assert outline.width() == outline.minimumSizeHint().width()
        assert _unreadable(outline) == []
    finally:
        shut(window)
