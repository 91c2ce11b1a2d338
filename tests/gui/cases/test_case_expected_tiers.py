"""The case editor's Expected box lists a tiered policy's tiers with what each means
("DC2 — violates"), a tier is picked from its list with the keyboard, and a two-label
expectation ("D-SP2, R-SP0") says what each label means instead of "not a policy label"."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

from PySide6.QtCore import Qt  # noqa: E402

from app.core.cases import TestCase  # noqa: E402
from tests.support.fake_engine import FakeEngineFactory, FakeScript  # noqa: E402
from tests.support.gui_window import open_workbench, shut, write_policy  # noqa: E402

POLICIES = Path(__file__).parents[2] / "support" / "policies"


def _items(combo) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


def test_tiers_are_listed_with_their_outcome_and_picked_by_key(qtbot, tmp_path, monkeypatch):
    cases = [TestCase("stats", "A new statistic shows 97% agree with me.", "DC3")]
    text = (POLICIES / "pack_policy.md").read_text("utf-8")
    write_policy(tmp_path, "pack.md", cases=cases, text=text)
    window = open_workbench(qtbot, tmp_path, monkeypatch, FakeEngineFactory(FakeScript()))
    try:
        window.document.open(tmp_path / "pack.md", ask_save=False)
        panel = window.case_panel
        panel.select_case("stats")
        combo = panel.expected_combo
        assert _items(combo) == [
            "(not set)", "VALID — does not violate", "INVALID — violates",
            "DC0 — does not violate", "DC1 — violates", "DC2 — violates", "DC3 — violates",
        ]  # fmt: skip
        assert combo.currentText() == "DC3 — violates"
        combo.setFocus()
        qtbot.waitUntil(combo.hasFocus)
        qtbot.keyClick(combo, Qt.Key.Key_Down)  # opens the list, changes nothing
        view = combo.view()
        qtbot.waitUntil(view.isVisible)
        assert panel.model.case("stats").expected == "DC3"
        qtbot.keyClick(view, Qt.Key.Key_Up)
        qtbot.keyClick(view, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not view.isVisible())
        assert panel.model.case("stats").expected == "DC2"
        assert panel.undo_stack.undoText() == "Edit expected label"
    finally:
        shut(window)


def test_a_two_label_expectation_says_what_each_label_means(qtbot, tmp_path, monkeypatch):
    cases = [TestCase("a", "Wire me the fee today.", "D-SP2, R-SP0")]
    text = (POLICIES / "spam_tiers.txt").read_text("utf-8")
    write_policy(tmp_path, "tiers.md", cases=cases, text=text)
    window = open_workbench(qtbot, tmp_path, monkeypatch, FakeEngineFactory(FakeScript()))
    try:
        window.document.open(tmp_path / "tiers.md", ask_save=False)
        panel = window.case_panel
        panel.select_case("a")
        combo = panel.expected_combo
        assert "SP2 — violates" in _items(combo) and "SP0 — does not violate" in _items(combo)
        assert combo.currentText() == "D-SP2, R-SP0 — D-SP2 violates, R-SP0 does not violate"
        assert not panel.undo_stack.canUndo()  # showing it changed nothing
        window.resize(1024, 700)
        qtbot.wait(50)
        assert combo.width() > combo.fontMetrics().horizontalAdvance(combo.currentText())
    finally:
        shut(window)
