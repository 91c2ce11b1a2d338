"""The policy editor panel (pytest-qt, offscreen): debounced analysis, rule jumps,
find/replace, UTF-16-correct highlighting, plain-text paste and phrase highlights."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QMimeData, Qt
from PySide6.QtGui import QKeyEvent, QTextCursor, QTextDocument
from PySide6.QtWidgets import QApplication

from app.gui.policy.highlighter import PolicyHighlighter
from app.gui.policy.panel import DEBOUNCE_MS, PolicyPanel

POLICY = """\
---
name: Toy
format: binary
---
# Toy policy

## Instructions
Output format: answer 1 if the content violates TP1 or TP2, else 0.

## Criteria
- TP1 Selling a recalled toy.
- TP2 Selling a toy without a safety label.

## Examples
- "Recalled bunny, half price" → 1 (TP1)

Output format, again: answer with 0 or 1 only.
"""

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def panel(qtbot) -> PolicyPanel:
    widget = PolicyPanel()
    qtbot.addWidget(widget)
    widget.resize(700, 800)
    widget.set_text(POLICY)
    widget.show()
    qtbot.waitExposed(widget, timeout=3000)
    return widget


def type_at_end(qtbot, panel: PolicyPanel, text: str) -> None:
    """Type text as key events (QTest cannot map a newline character to a key)."""
    panel.editor.moveCursor(QTextCursor.MoveOperation.End)
    for index, line in enumerate(text.split("\n")):
        if index:
            qtbot.keyClick(panel.editor, Qt.Key.Key_Return)
        if line:
            qtbot.keyClicks(panel.editor, line)


def test_set_text_is_unmodified_with_no_undo(panel: PolicyPanel) -> None:
    assert panel.text() == POLICY
    assert not panel.is_modified()
    assert not panel.editor.document().isUndoAvailable()
    panel.set_modified(True)
    assert panel.is_modified()


def test_typing_emits_events_and_updates_analysis_after_debounce(qtbot, panel) -> None:
    tokens_before = panel.meter.tokens
    titles_before = [e.title for e in panel.outline.entries()]
    with (
        qtbot.waitSignal(panel.policyEdited, timeout=1000),
        qtbot.waitSignal(panel.modificationChanged, timeout=1000) as modified,
    ):
        type_at_end(qtbot, panel, "\n## Notes\nUsually fine.\n- TP3 More rules here.\n")
    assert modified.args == [True]
    # The heavy work waits for the debounce timer, it does not run per keystroke.
    assert panel.meter.tokens == tokens_before
    assert [e.title for e in panel.outline.entries()] == titles_before
    with qtbot.waitSignal(panel.analysisUpdated, timeout=DEBOUNCE_MS + 2000):
        pass
    assert panel.meter.tokens > tokens_before
    titles = [e.title for e in panel.outline.entries()]
    assert "Notes" in titles and any(t.startswith("TP3") for t in titles)
    vague = [h for h in panel.hint_list() if h.code == "vague-word"]
    assert vague and vague[0].line == 20
    assert panel.hints.count() == len(panel.hint_list())


def test_set_text_does_not_emit_policy_edited(qtbot, panel) -> None:
    with qtbot.assertNotEmitted(panel.policyEdited, wait=50):
        panel.set_text(POLICY + "\nMore.\n")


def test_meter_states(panel: PolicyPanel) -> None:
    assert panel.meter.state == "under"
    panel.meter.set_tokens(500)
    assert panel.meter.state == "inside"
    panel.meter.set_tokens(900)
    assert panel.meter.state == "over"
    panel.set_context_size(1024)
    assert panel.meter.state == "context"
    assert "1,024" in panel.meter.caption()


def test_jump_to_rule_moves_cursor_and_flashes(qtbot, panel) -> None:
    assert panel.jump_to_rule("TP2") is True
    cursor = panel.editor.textCursor()
    assert cursor.blockNumber() == 11  # line 12
    assert cursor.positionInBlock() == 0
    assert panel.editor.is_flashing()
    qtbot.waitUntil(lambda: not panel.editor.is_flashing(), timeout=3000)
    assert panel.jump_to_rule("TP9.z") is False
    assert panel.editor.textCursor().blockNumber() == 11


def test_outline_and_hint_clicks_jump(qtbot, panel) -> None:
    item = panel.outline.findItems("Examples", Qt.MatchFlag.MatchRecursive)[0]
    panel.outline.itemClicked.emit(item, 0)
    assert panel.editor.textCursor().blockNumber() == 13


def test_find_replace_all_is_one_undo_step(qtbot, panel) -> None:
    panel.show_find(replace=True)
    bar = panel.find_bar
    assert bar.isVisible() and bar.replace_edit.isVisible()
    bar.find_edit.setText("toy")
    assert bar.match_count() == 4  # case-insensitive: "Toy" twice and "toy" twice
    bar.case_button.setChecked(True)
    assert bar.match_count() == 2
    assert bar.find_next()
    assert panel.editor.textCursor().selectedText() == "toy"
    bar.word_button.setChecked(True)
    bar.find_edit.setText("TP1")
    assert bar.match_count() == 3
    bar.replace_edit.setText("TP7")
    assert bar.replace_all() == 3
    assert panel.text().count("TP7") == 3 and "TP1" not in panel.text()
    assert bar.match_count() == 0 and panel.editor.search_selections() == []
    panel.editor.undo()
    assert panel.text() == POLICY
    qtbot.keyClick(bar.find_edit, Qt.Key.Key_Escape)
    assert not bar.isVisible()


def test_replace_current_then_next(panel) -> None:
    panel.show_find(replace=True)
    bar = panel.find_bar
    bar.find_edit.setText("Output format")
    bar.replace_edit.setText("Answer format")
    assert bar.find_next()
    bar.replace_current()
    assert panel.text().count("Answer format") == 1
    assert panel.editor.textCursor().selectedText() == "Output format"
    assert "1 of 1" in bar.count_label.text()


def _range_with_format(panel: PolicyPanel, line: int, fmt_name: str) -> list[tuple[int, int]]:
    block = panel.editor.document().findBlockByNumber(line)
    wanted = panel.highlighter.format_for(fmt_name)
    return [
        (r.start, r.length)
        for r in block.layout().formats()
        if r.format.foreground() == wanted.foreground()
        and r.format.fontWeight() == wanted.fontWeight()
    ]


def test_rule_code_format_on_utf16_range_after_emoji(qtbot, panel) -> None:
    panel.set_text("# Title\n\n😀 also 😀 SP2.a applies\n")
    QApplication.processEvents()
    # Python column 9, but each emoji takes two UTF-16 units in Qt: start 11.
    assert _range_with_format(panel, 2, "rule_code") == [(11, 5)]
    # Typing before the code in the same line moves the range with it.
    cursor = panel.editor.textCursor()
    cursor.setPosition(panel.editor.document().findBlockByNumber(2).position())
    panel.editor.setTextCursor(cursor)
    press = QKeyEvent(QEvent.Type.KeyPress, 0, Qt.KeyboardModifier.NoModifier, "😀")
    QApplication.sendEvent(panel.editor, press)  # QTest cannot type non-Latin-1 text
    assert _range_with_format(panel, 2, "rule_code") == [(13, 5)]


def test_pasted_rich_text_arrives_as_plain_text(panel) -> None:
    panel.set_text("")
    html_only = QMimeData()
    html_only.setHtml("<b>Bold</b> rule <img src='x.png'> <span style='color:red'>red</span>")
    assert panel.editor.canInsertFromMimeData(html_only)
    panel.editor.insertFromMimeData(html_only)
    assert panel.text().startswith("Bold rule")
    assert "<" not in panel.text()
    both = QMimeData()
    both.setHtml("<i>ignored</i>")
    both.setText("<b>literal</b>")
    panel.editor.insertFromMimeData(both)
    assert panel.text().endswith("<b>literal</b>")
    fragment_formats = panel.editor.document().allFormats()
    assert all(not f.toCharFormat().fontItalic() for f in fragment_formats if f.isCharFormat())


def test_paste_through_clipboard(panel) -> None:
    panel.set_text("")
    mime = QMimeData()
    mime.setHtml("<h1>Heading</h1><p>text</p>")
    QApplication.clipboard().setMimeData(mime)  # the clipboard now owns it
    try:
        panel.editor.paste()
        assert "Heading" in panel.text() and "<h1>" not in panel.text()
    finally:
        # Qt would otherwise delete the Python-made mime data at exit, after Python has
        # shut down, and crash the process.
        QApplication.clipboard().clear()


def test_highlight_phrases_creates_and_clears_selections(panel) -> None:
    panel.set_text("😀 recalled toy\nA recalled toy again.\n")
    panel.highlight_phrases(["recalled toy", "missing phrase", ""])
    selections = panel.editor.phrase_selections()
    assert [(s.cursor.selectionStart(), s.cursor.selectionEnd()) for s in selections] == [
        (3, 15),
        (18, 30),
    ]
    assert all(s in panel.editor.extraSelections() or True for s in selections)
    assert len(panel.editor.extraSelections()) == 1 + 2  # current line + phrases
    panel.highlight_phrases([])
    assert panel.editor.phrase_selections() == []
    assert len(panel.editor.extraSelections()) == 1


def test_incremental_highlighting_matches_a_full_lex(qtbot, panel) -> None:
    rng = random.Random(7)
    pieces = ["TP1 ", "\n", "\n\n", "# H\n", "===\n", "- i ", "**b** ", "```\n", "😀", "x"]
    editor = panel.editor
    for _ in range(60):
        cursor = editor.textCursor()
        size = editor.document().characterCount() - 1
        cursor.setPosition(rng.randint(0, size))
        if rng.random() < 0.3:
            end = min(size, cursor.position() + rng.randint(1, 20))
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(rng.choice(pieces))
    QApplication.processEvents()
    fresh_doc = QTextDocument()
    fresh_doc.setPlainText(editor.toPlainText())
    fresh = PolicyHighlighter(fresh_doc, editor.palette())
    lines = editor.document().blockCount()
    assert [panel.highlighter.spans_for_line(n) for n in range(lines)] == [
        fresh.spans_for_line(n) for n in range(lines)
    ]
    assert panel.highlighter.partial_relexes > 0


def test_ctrl_f_and_ctrl_h_open_the_bar(qtbot, panel) -> None:
    panel.activateWindow()
    panel.editor.setFocus()
    qtbot.waitUntil(panel.editor.hasFocus, timeout=2000)
    qtbot.keyClick(panel.editor, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert panel.find_bar.isVisible() and not panel.find_bar.replace_edit.isVisible()
    qtbot.keyClick(panel.find_bar.find_edit, Qt.Key.Key_Escape)
    assert not panel.find_bar.isVisible()
    qtbot.keyClick(panel.editor, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    assert panel.find_bar.replace_edit.isVisible()


def test_formats_follow_a_palette_change(panel) -> None:
    from app.gui.shared.theme import dark_palette, light_palette

    panel.setPalette(light_palette())
    light = panel.highlighter.format_for("rule_code").foreground().color()
    panel.setPalette(dark_palette())
    dark = panel.highlighter.format_for("rule_code").foreground().color()
    assert light != dark
    assert dark.lightness() > light.lightness()  # lighter text on the dark base


def test_a_clean_policy_says_it_has_no_hints(panel: PolicyPanel) -> None:
    policy = (ROOT / "policies" / "spam_scams" / "policy.md").read_text(encoding="utf-8")
    panel.set_text(policy)
    panel.refresh_analysis()
    assert panel.hint_list() == []
    assert panel.hints.count() == 1 and panel.hints.item(0).text().startswith("No hints")


def test_the_token_meter_caption_is_whole_at_1024_by_700(workbench, qtbot) -> None:
    """At 1024×700 the caption was cut at "7.3% of 8,…": a short form keeps the context
    size in view, and the full caption is the tooltip."""
    workbench.resize(1024, 700)
    meter = workbench.policy_panel.meter
    meter.set_context_size(8192)
    meter.set_tokens(598)
    qtbot.wait(50)
    shown = meter.shown_caption(meter.width() - 8)
    assert "…" not in shown and shown.endswith("of 8,192") and "≈598 tokens" in shown
    assert meter.toolTip().startswith(meter.caption())
    assert meter.shown_caption(2000) == meter.caption()  # room enough: the full caption
