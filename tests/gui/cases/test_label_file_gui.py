"""*Test set ▸ Label a file…* in the window (pytest-qt, offscreen, fake engine): the chosen
file's rows run through the one pipeline on the engine's worker thread, the labelled file is
written beside it and one sentence says where; the content column is asked for when no
column is named for it; Cancel stops it with the answered rows written, and labelling the
same file again finishes the rest; the test set on screen is left alone."""

from __future__ import annotations

import csv
import io
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QFileDialog, QInputDialog, QPushButton  # noqa: E402

from app.gui.cases.label_file_run import LabelFileRun  # noqa: E402
from tests.support.fake_engine import FakeEngineFactory  # noqa: E402
from tests.support.gui_window import open_workbench, shut  # noqa: E402

TIMEOUT = 20000


def _rows(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _menu_action(window, text: str):
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "Test &set")
    return next(a for a in menu.actions() if a.text() == text)


def _choose(monkeypatch, path) -> None:
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), ""))
    )


def test_label_a_file_writes_it_beside_the_input(qtbot, tmp_path, monkeypatch):
    window = open_workbench(qtbot, tmp_path, monkeypatch, FakeEngineFactory())
    source = tmp_path / "inbox.csv"
    source.write_text("id,body\n1,pay the fee now\n2,hello there\n3,\n", encoding="utf-8")
    _choose(monkeypatch, source)
    before = [(c.id, c.expected) for c in window.case_panel.model.cases()]
    runner = window.findChild(LabelFileRun)
    with qtbot.waitSignal(runner.ended, timeout=TIMEOUT) as ended:
        _menu_action(window, "&Label a file…").trigger()
    out = tmp_path / "inbox.labelled.csv"
    assert ended.args == [f"2 of 3 rows labelled; written to {out}."]
    rows = _rows(out)
    assert [(r["id"], r["label"], r["status"]) for r in rows] == [
        ("1", "1", "ok"), ("2", "0", "ok"), ("3", "", "no content"),
    ]  # fmt: skip
    assert str(out) in window.statusBar().currentMessage()
    assert [(c.id, c.expected) for c in window.case_panel.model.cases()] == before
    shut(window)


def test_the_content_column_is_asked_for_and_cancel_keeps_the_answers(qtbot, tmp_path, monkeypatch):
    factory = FakeEngineFactory()
    window = open_workbench(qtbot, tmp_path, monkeypatch, factory)
    source = tmp_path / "posts.jsonl"
    lines = [f'{{"n": {i}, "post": "post number {i} about a fee"}}' for i in range(40)]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _choose(monkeypatch, source)
    asked: list[list[str]] = []

    def pick(_parent, _title, _label, items, *args, **kwargs):
        asked.append(list(items))
        return "post", True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(pick))
    factory.script.delay = 0.02  # slow enough to cancel in the middle
    runner = window.findChild(LabelFileRun)
    with qtbot.waitSignal(runner.ended, timeout=TIMEOUT) as ended:
        assert runner.start()
        qtbot.waitUntil(lambda: runner.progress_dialog.value() >= 2, timeout=TIMEOUT)
        runner.progress_dialog.findChild(QPushButton).click()  # its Cancel button
    assert asked == [["n", "post"]]
    assert ended.args[0].startswith("Labelling cancelled: ")
    assert "label the same file again to go on" in ended.args[0]
    out = tmp_path / "posts.labelled.jsonl"
    first = out.read_text(encoding="utf-8").splitlines()
    assert len(first) == 40 and '"status": "not run"' in first[-1]
    assert any('"status": "ok"' in line for line in first)
    factory.script.delay = 0.0
    with qtbot.waitSignal(runner.ended, timeout=TIMEOUT) as again:
        assert runner.start()
    assert again.args == [f"40 of 40 rows labelled; written to {out}."]
    shut(window)
