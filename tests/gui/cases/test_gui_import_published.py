"""The import dialog and the case view on test sets shaped like the published ones: a
headerless file with tier codes gets its columns guessed and, for a policy whose tiers are
not stated, a label mapping to choose; prompt/response pairs are linked by default and a
response case shows its prompt in the editor and the table."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from app.core.cases import TestCase  # noqa: E402
from app.core.policy import load_policy  # noqa: E402
from app.gui.cases.import_dialog import ImportDialog  # noqa: E402
from app.gui.cases.model import Column  # noqa: E402
from app.gui.cases.panel import CasePanel  # noqa: E402


@pytest.fixture(autouse=True)
def _own_settings(tmp_path, monkeypatch) -> None:
    """The dialog remembers mappings in the settings: each test starts with none."""
    monkeypatch.setenv("SAFEGUARD_CONFIG_DIR", str(tmp_path / "config"))


ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "support" / "datasets"
GOLDEN = DATA / "spam_shape_golden.csv"
TIERED = load_policy(ROOT / "tests" / "support" / "policies" / "spam_tiers.txt").output
UNTIERED = load_policy(DATA / "spam_no_tiers.txt").output
PACK = load_policy(ROOT / "tests" / "support" / "policies" / "pack_policy.md").output


def _open(qtbot, path: Path, output) -> ImportDialog:
    dialog = ImportDialog(output)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    with qtbot.waitSignal(dialog.tasks.taskFinished, timeout=5000):
        dialog.open_path(path)
    return dialog


def _click(qtbot, dialog: ImportDialog, button) -> None:
    with qtbot.waitSignal(dialog.tasks.taskFinished, timeout=5000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_headerless_tiered_file_is_guessed_and_keeps_its_tiers(qtbot):
    dialog = _open(qtbot, GOLDEN, TIERED)
    try:
        assert not dialog.header_check.isChecked()
        assert "No header row: row 3 holds data" in dialog.info.text()
        assert dialog.combos["content"].currentData() == 1
        assert dialog.combos["expected"].currentData() == 9  # guessed from its values
        _click(qtbot, dialog, dialog.import_button)
        assert [c.expected for c in dialog.cases()][:6] == ["SP0"] * 5 + ["SP2"]
        assert len(dialog.cases()) == 14
        assert "5 section rows, 4 summary rows, 2 blank rows" in dialog.result_summary.text()
        assert dialog.label_map.isHidden()  # nothing unknown: nothing to map
    finally:
        dialog.tasks.shutdown()


def test_unknown_labels_are_offered_a_mapping_instead_of_refusing_every_row(qtbot):
    dialog = _open(qtbot, GOLDEN, UNTIERED)
    try:
        _click(qtbot, dialog, dialog.import_button)
        assert dialog.cases() == [] and not dialog.label_map.isHidden()
        assert "choose what its labels mean below" in dialog.status.text()
        assert "14 rows have labels this policy does not know" in dialog.label_map.intro.text()
        chosen = {v: c.currentData() for v, c in dialog.label_map.combos.items()}
        assert chosen == {"SP0": "VALID", "SP2": "INVALID", "SP3": "INVALID", "SP4": "INVALID"}
        combo = dialog.label_map.combos["SP2"]  # the writer may change a suggestion
        combo.setCurrentIndex(combo.findData(""))  # (leave out)
        _click(qtbot, dialog, dialog.label_map.apply_button)
        got = [c.expected for c in dialog.cases()]
        assert got == ["VALID"] * 5 + ["INVALID"] * 6  # SP2 rows left out, as chosen
        assert list(dialog.label_map.combos) == ["SP2"]  # still offered
        assert dialog.add_button.isEnabled()
    finally:
        dialog.tasks.shutdown()


def test_pairs_are_linked_by_default_and_the_check_keeps_them_apart(qtbot):
    dialog = _open(qtbot, DATA / "prompt_response.csv", PACK)
    try:
        assert dialog.extra_pairs.count() == 1
        assert dialog.extra_pairs.link_check.isVisible()
        assert dialog.extra_pairs.link_check.isChecked()
        _click(qtbot, dialog, dialog.import_button)
        cases = dialog.cases()
        assert [c.tags for c in cases[:2]] == [["prompt"], ["response"]]
        assert cases[1].prompt == cases[0].content
        qtbot.mouseClick(dialog.back_button, Qt.MouseButton.LeftButton)
        dialog.extra_pairs.link_check.setChecked(False)
        _click(qtbot, dialog, dialog.import_button)
        assert [c.tags for c in dialog.cases()[:2]] == [["Prompt"], ["Response"]]
        assert all(not c.prompt for c in dialog.cases())
    finally:
        dialog.tasks.shutdown()


def test_a_response_case_shows_its_prompt_in_the_editor_and_the_table(qtbot):
    panel = CasePanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_cases([TestCase("plain", "just a message")])
    assert panel.table.isColumnHidden(Column.PROMPT)  # no prompts: no column
    panel.set_cases([
        TestCase("p", "How do I reset my router?", "DC0", tags=["prompt"]),
        TestCase("r", "Unplug it for ten seconds.", "DC0", tags=["response"],
                 prompt="How do I reset my router?"),
    ])  # fmt: skip
    assert not panel.table.isColumnHidden(Column.PROMPT)
    header = panel.table.horizontalHeader()
    assert header.visualIndex(Column.PROMPT) < header.visualIndex(Column.PREVIEW)
    model = panel.model
    assert model.data(model.index(1, Column.PROMPT)) == "How do I reset my router?"
    assert model.data(model.index(0, Column.PROMPT)) == ""
    assert panel.select_case("r")
    editor = panel.editor
    assert editor.prompt_edit.isVisible() and not editor.prompt_edit.isReadOnly()
    assert editor.prompt_edit.toPlainText() == "How do I reset my router?"
    assert editor.content_edit.toPlainText() == "Unplug it for ten seconds."
    assert panel.select_case("p")
    assert not editor.prompt_edit.isVisible()


def test_of_two_label_columns_the_filled_one_is_chosen(qtbot):
    dialog = _open(qtbot, DATA / "two_label_columns.csv", UNTIERED)
    try:
        assert dialog.combos["expected"].currentData() == 4  # column 3 is empty
        assert dialog.combos["content"].currentData() == 1
        _click(qtbot, dialog, dialog.import_button)
        assert [c.expected for c in dialog.cases()] == ["INVALID", "VALID", "INVALID"]
    finally:
        dialog.tasks.shutdown()


def test_a_prompt_column_is_guessed_as_the_prompt_of_each_response(qtbot):
    dialog = _open(qtbot, DATA / "responses_with_prompts.csv", PACK)
    try:
        assert dialog.combos["prompt"].currentData() == 0
        assert dialog.combos["content"].currentData() == 1
        assert dialog.extra_pairs.count() == 0
        _click(qtbot, dialog, dialog.import_button)
        assert [c.prompt for c in dialog.cases()][0] == "How do I remove a wine stain?"
    finally:
        dialog.tasks.shutdown()
    pairs = _open(qtbot, DATA / "prompt_response.csv", PACK)  # pairs: the prompt is content
    try:
        assert pairs.combos["prompt"].currentData() is None
    finally:
        pairs.tasks.shutdown()
