"""The import dialog on a policy pack's dataset: a disclaimer line above the header and two
content/label pairs (prompt and response), proposed from the header and added by hand."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from app.core.policy import load_policy  # noqa: E402
from app.gui.cases.import_dialog import ImportDialog  # noqa: E402


@pytest.fixture(autouse=True)
def _own_settings(tmp_path, monkeypatch) -> None:
    """The dialog remembers mappings in the settings: each test starts with none."""
    monkeypatch.setenv("SAFEGUARD_CONFIG_DIR", str(tmp_path / "config"))


ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "tests" / "core" / "samples" / "pack_pairs.csv"
TIERED = load_policy(ROOT / "tests" / "support" / "policies" / "pack_policy.md").output


def _open(qtbot, path: Path) -> ImportDialog:
    dialog = ImportDialog(TIERED)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    with qtbot.waitSignal(dialog.tasks.taskFinished, timeout=5000):
        dialog.open_path(path)
    return dialog


def _import(qtbot, dialog: ImportDialog) -> None:
    with qtbot.waitSignal(dialog.tasks.taskFinished, timeout=5000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)


def test_disclaimer_line_and_two_proposed_pairs(qtbot, tmp_path):
    dialog = _open(qtbot, SAMPLE)
    try:
        assert "Row 2 used as the header; 1 line above it" in dialog.info.text()
        assert dialog.header_row.value() == 2 and dialog.header_check.isChecked()
        model = dialog.preview_model
        assert [model.horizontalHeaderItem(i).text() for i in range(4)] == [
            "Example", "Classification", "Responses", "Response Label",
        ]  # fmt: skip
        assert dialog.combos["content"].currentText() == "Example"
        assert dialog.combos["expected"].currentText() == "Classification"
        assert dialog.extra_pairs.pairs() == [(2, 3)]
        qtbot.waitUntil(lambda: dialog.extra_pairs._rows[0][0].isVisible(), timeout=2000)
        if os.environ.get("IMPORT_SHOT"):  # the docs screenshot: IMPORT_SHOT=docs/screenshots/...
            dialog.grab().save(os.environ["IMPORT_SHOT"])
        _import(qtbot, dialog)
        cases = dialog.cases()
        assert [(c.id, c.expected) for c in cases][:4] == [
            ("row-3-Example", "DC0"), ("row-3-Responses", "DC0"),
            ("row-4-Example", "DC2"), ("row-4-Responses", "VALID"),
        ]  # fmt: skip
        assert len(cases) == 7
        assert "**Open a dispute**" in cases[1].content and "😕" in cases[1].content
        report = dialog.skipped_model
        assert [report.item(0, c).text() for c in range(3)] == ["5", "Responses", "empty content"]
    finally:
        dialog.tasks.shutdown()


def test_add_and_remove_a_pair_by_hand_and_set_the_header_row(qtbot, tmp_path):
    path = tmp_path / "gen.csv"
    path.write_text(
        "Evaluation set v2,,,\nprompt,verdict,generation,score\n"
        "Tell me a joke,0,Why did the chicken cross the road?,0\nInsult them,DC1,No.,\n",
        encoding="utf-8",
    )
    dialog = _open(qtbot, path)
    try:
        assert dialog.extra_pairs.count() == 0  # "score" is no label word: nothing proposed
        dialog.set_column("content", 0)
        dialog.set_column("expected", 1)
        qtbot.mouseClick(dialog.extra_pairs.add_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(dialog.extra_pairs.add_button, Qt.MouseButton.LeftButton)
        assert dialog.extra_pairs.count() == 2
        dialog.extra_pairs.remove_pair(1)
        content, label, _ = dialog.extra_pairs._rows[0]
        content.setCurrentIndex(content.findData(2))
        label.setCurrentIndex(label.findData(3))
        assert dialog.mapping().extra_pairs == [(2, 3)]
        _import(qtbot, dialog)
        assert [(c.id, c.expected, c.tags) for c in dialog.cases()] == [
            ("row-3-prompt", "VALID", ["prompt"]),
            ("row-3-generation", "VALID", ["response"]),
            ("row-4-prompt", "DC1", ["prompt"]),
        ]
        assert dialog.cases()[1].prompt == "Tell me a joke"  # linked by default
        assert "row 2 used as the header" in dialog.report.notes.text().lower()
        # Back on the mapping page, the header row is set by hand: row 1 names the columns.
        qtbot.mouseClick(dialog.back_button, Qt.MouseButton.LeftButton)
        with qtbot.waitSignal(dialog.tasks.taskFinished, timeout=5000):
            dialog.header_row.setValue(1)
            dialog.header_row.editingFinished.emit()
        assert dialog.preview_model.horizontalHeaderItem(0).text() == "Evaluation set v2"
        assert dialog.mapping().header_row == 1
    finally:
        dialog.tasks.shutdown()
