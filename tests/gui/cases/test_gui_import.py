"""Import dialog on a messy CSV: preview, column mapping, skipped rows, returned cases."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from app.core.policy import OutputFormat  # noqa: E402
from app.gui.cases.import_dialog import ImportDialog  # noqa: E402
from app.importing.column_guess import guess_mapping  # noqa: E402

MESSY = (
    "\ufeffRef;Message text;Verdict;Reviewer comment;;\r\n"
    ";;;;;\r\n"
    "SECTION A: scams;;;;;\r\n"
    'r1;"Pay the $2 fee\nto release your parcel";violating;fee scam;;\r\n'
    "r2;Lovely weather today;0;;;\r\n"
    "r3;Buy followers now;INVALID;;;\r\n"
    "r4;Your account is locked;maybe;unclear;;\r\n"
    "r2;Duplicate of r2;1;;;\r\n"
    "r5;;1;no content;;\r\n"
    "r6;<b>Bold</b> offer;SP2;html in content;;\r\n"
)


@pytest.fixture(autouse=True)
def _own_settings(tmp_path, monkeypatch) -> None:
    """The dialog remembers mappings in the settings: each test starts with none."""
    monkeypatch.setenv("SAFEGUARD_CONFIG_DIR", str(tmp_path / "config"))


def test_guess_mapping_by_name_and_length():
    guess = guess_mapping(["ID", "Text", "Label"], [["1", "long content", "0"]], True)
    expected = {"content": 1, "expected": 2, "id": 0, "notes": None, "tags": None}
    assert guess == {**expected, "prompt": None}
    guess = guess_mapping(["Column 1", "Column 2"], [["x", "a much longer cell"]], False)
    assert guess["content"] == 1


def test_import_messy_csv_with_mapping(qtbot, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(MESSY.encode("utf-8"))
    dialog = ImportDialog(OutputFormat())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    with qtbot.waitSignal(dialog.tasks.taskFinished, timeout=5000):
        dialog.open_path(path)
    assert dialog.header_check.isChecked()
    assert "utf-8-sig" in dialog.info.text()
    model = dialog.preview_model
    assert [model.horizontalHeaderItem(i).text() for i in range(4)] == [
        "Ref", "Message text", "Verdict", "Reviewer comment",
    ]  # fmt: skip
    assert dialog.combos["content"].currentText() == "Message text"  # guessed by length
    # the user maps the rest
    dialog.set_column("expected", 2)
    dialog.set_column("id", 0)
    dialog.set_column("notes", 3)
    mapping = dialog.mapping()
    assert (mapping.content, mapping.expected, mapping.id, mapping.notes) == (1, 2, 0, 3)

    with qtbot.waitSignal(dialog.tasks.taskFinished, timeout=5000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == 1
    cases = {case.id: case for case in dialog.cases()}
    assert sorted(cases) == ["r1", "r2", "r2-2", "r3", "r6"]
    assert cases["r1"].content == "Pay the $2 fee\nto release your parcel"
    assert cases["r1"].expected == "1" and cases["r1"].notes == "fee scam"
    assert cases["r3"].expected == "1" and cases["r6"].expected == "1"
    skipped = {
        int(dialog.skipped_model.item(r, 0).text()): dialog.skipped_model.item(r, 2).text()
        for r in range(dialog.skipped_model.rowCount())
    }
    assert skipped == {
        2: "blank row",
        3: "section row",
        7: "unknown label",
        9: "empty content",
    }
    assert "5 cases ready" in dialog.result_summary.text()
    assert "Row 8 repeats the id 'r2' of row 5; imported as 'r2-2'." in dialog.report.notes.text()
    with qtbot.waitSignal(dialog.casesImported, timeout=2000) as blocker:
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert [c.id for c in blocker.args[0]] == ["r1", "r2", "r3", "r2-2", "r6"]
    dialog.tasks.shutdown()


def test_header_toggle_and_bad_file(qtbot, tmp_path):
    path = tmp_path / "plain.tsv"
    path.write_text("first text\t1\nsecond text\t0\n", encoding="utf-8")
    dialog = ImportDialog(OutputFormat())
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.tasks.taskFinished, timeout=5000):
        dialog.open_path(path)
    assert not dialog.header_check.isChecked()
    assert dialog.preview_model.rowCount() == 2
    dialog.header_check.setChecked(True)
    assert dialog.preview_model.rowCount() == 1
    assert dialog.preview_model.horizontalHeaderItem(0).text() == "first text"
    dialog.header_check.setChecked(False)
    assert dialog.preview_model.rowCount() == 2

    with qtbot.waitSignal(dialog.tasks.taskFailed, timeout=5000):
        dialog.open_path(tmp_path / "missing.csv")
    assert "does not exist" in dialog.status.text()
    dialog.tasks.shutdown()


def test_the_preview_gives_the_content_column_the_room(qtbot, tmp_path):
    """content,label: the content column stayed 140 px and the label took the rest
    (seen in the walkthrough's import dialog)."""
    path = tmp_path / "two.csv"
    long = "a long message about a parcel that waits for a customs fee " * 2
    path.write_text(f"content,label\n{long},1\nshort,0\n", encoding="utf-8")
    dialog = ImportDialog(OutputFormat())
    qtbot.addWidget(dialog)
    dialog.resize(900, 500)
    dialog.show()
    qtbot.waitExposed(dialog)
    with qtbot.waitSignal(dialog.tasks.taskFinished, timeout=5000):
        dialog.open_path(path)
    table = dialog.preview_table
    assert dialog.combos["content"].currentText() == "content"
    assert table.columnWidth(0) >= table.viewport().width() // 2 - 2
    assert table.columnWidth(0) > 140
    dialog.reject()


def test_the_column_choices_start_in_one_column(qtbot):
    """Content/Expected label and Id/Notes/… are two forms; their combos started at two
    different x (the longer "Prompt it answers:" label pushed the second form's)."""
    from PySide6.QtCore import QPoint

    dialog = ImportDialog(OutputFormat())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    lefts = {combo.mapTo(dialog, QPoint(0, 0)).x() for combo in dialog.combos.values()}
    assert len(lefts) == 1 and dialog.header_row.mapTo(dialog, QPoint(0, 0)).x() in lefts
