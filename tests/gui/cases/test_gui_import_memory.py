"""The import dialog remembers the column mapping per file shape (its header row): the next
file with the same columns gets the columns chosen last time, pairs and prompt included;
a file of another shape gets the usual guess (issue 21.10)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from app.core.policy import OutputFormat  # noqa: E402
from app.gui.cases import import_memory as memory  # noqa: E402
from app.gui.cases.import_dialog import ImportDialog  # noqa: E402
from app.gui.shared.settings_store import open_settings  # noqa: E402

HEADER = "Ref,Question,Answer,Answer label,Question label,Reviewer"


@pytest.fixture(autouse=True)
def _own_settings(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SAFEGUARD_CONFIG_DIR", str(tmp_path / "config"))


def _dialog(qtbot, path) -> ImportDialog:
    dialog = ImportDialog(OutputFormat())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    with qtbot.waitSignal(dialog.tasks.taskFinished, timeout=5000):
        dialog.open_path(path)
    return dialog


def _choices(dialog: ImportDialog) -> dict:
    chosen = {name: combo.currentText() for name, combo in dialog.combos.items()}
    chosen["pairs"] = dialog.extra_pairs.pairs()
    chosen["linked"] = dialog.extra_pairs.linked()
    chosen["keep"] = dialog.keep_unlabelled.isChecked()
    return chosen


def test_the_mapping_of_the_last_file_of_a_shape_is_chosen_again(qtbot, tmp_path) -> None:
    week1, week2 = tmp_path / "week1.csv", tmp_path / "week2.csv"
    week1.write_text(f"{HEADER}\nr1,hi?,hello,0,0,ann\nr2,fee?,pay the fee,1,,bo\n", "utf-8")
    week2.write_text(f"{HEADER.upper()}\nr7,rates?,2%,0,0,cy\n", "utf-8")  # same shape
    dialog = _dialog(qtbot, week1)
    guessed = _choices(dialog)
    # the analyst's own choice: the answer judged with its question, reviewer notes
    dialog.set_column("content", 2)
    dialog.set_column("expected", 3)
    dialog.set_column("prompt", 1)
    dialog.set_column("id", 0)
    dialog.set_column("notes", 5)
    dialog.extra_pairs.set_pairs([(1, 4)])
    qtbot.mouseClick(dialog.extra_pairs.link_check, Qt.MouseButton.LeftButton)  # unlinked
    qtbot.mouseClick(dialog.keep_unlabelled, Qt.MouseButton.LeftButton)
    chosen = _choices(dialog)
    assert chosen != guessed and chosen["linked"] is False and chosen["keep"] is True
    with qtbot.waitSignal(dialog.tasks.taskFinished, timeout=5000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert len(dialog.cases()) == 4
    dialog.tasks.shutdown()

    again = _dialog(qtbot, week2)
    assert _choices(again) == {**chosen, **{k: v.upper() for k, v in chosen.items()
                                            if isinstance(v, str) and v != "(none)"}}  # fmt: skip
    assert again.status.text().startswith("Columns chosen as for the last file with these")
    again.tasks.shutdown()

    other = tmp_path / "other.csv"
    other.write_text("Ref,Question,Answer\nr1,hi?,hello\n", "utf-8")  # another shape
    fresh = _dialog(qtbot, other)
    assert fresh.combos["prompt"].currentText() == "(none)"
    assert fresh.extra_pairs.count() == 0 and not fresh.keep_unlabelled.isChecked()
    assert fresh.status.text() == "Choose which column holds what, then Import."
    fresh.tasks.shutdown()


def test_a_remembered_mapping_never_points_past_the_file(tmp_path) -> None:
    settings = open_settings()
    key = memory.shape_key(["a", "b"], True)
    memory.remember_mapping(settings, key, {"content": 1, "expected": 7, "pairs": [[9, 0]]})
    recalled = memory.recalled_mapping(settings, key, 2)
    assert recalled is not None
    assert (recalled["content"], recalled["expected"], recalled["pairs"]) == (1, None, [])
    assert memory.recalled_mapping(settings, key, 1) is None  # the content column is gone
    settings.setValue("import/mappings", "{not json")  # hand-edited: forgotten, no crash
    assert memory.recalled_mapping(settings, key, 2) is None
    for n in range(memory.MAX_SHAPES + 5):
        memory.remember_mapping(settings, f"shape {n}", {"content": 0})
    assert memory.recalled_mapping(settings, "shape 0", 1) is None  # oldest forgotten
    assert memory.recalled_mapping(settings, f"shape {memory.MAX_SHAPES + 4}", 1) is not None
