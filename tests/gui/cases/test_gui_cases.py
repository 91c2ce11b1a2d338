"""GUI tests for the case table: add, edit, duplicate, delete, paste many, filter, sort."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from app.core.cases import TestCase, cases_path_for, load_cases  # noqa: E402
from app.gui.cases.filter import CaseFilterProxy  # noqa: E402
from app.gui.cases.model import CaseTableModel, Column  # noqa: E402
from app.gui.cases.panel import CasePanel  # noqa: E402
from app.gui.cases.paste_dialog import guess_mode, split_cases  # noqa: E402


def test_split_cases_by_line_and_by_block():
    assert split_cases("one\n\n  two  \r\nthree\n") == ["one", "two", "three"]
    text = "Dear customer,\nverify now.\n\nHello team,\nlunch at 12.\n  \nlast"
    assert split_cases(text, "blocks") == [
        "Dear customer,\nverify now.",
        "Hello team,\nlunch at 12.",
        "last",
    ]
    assert guess_mode(text) == "blocks"
    assert guess_mode("a\nb\nc") == "lines"


def test_model_inserts_rows_and_keeps_ids_unique(qtbot):
    model = CaseTableModel()
    inserted = []
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    ids = model.add_cases([TestCase("x", "first"), TestCase("x", "second"), TestCase("", "third")])
    assert inserted == [(0, 2)]
    assert len(set(ids)) == 3 and ids[0] == "x"
    assert model.index(1, Column.PREVIEW).data() == "second"
    model.remove_case(ids[1])
    assert [c.content for c in model.cases()] == ["first", "third"]


def test_proxy_filters_on_every_word_and_sorts(qtbot):
    model = CaseTableModel()
    model.add_cases(
        [
            TestCase("a", "Cheap watches here", "1"),
            TestCase("b", "Nice cake", "0"),
            TestCase("c", "cheap cake deal", "1"),
        ]
    )
    proxy = CaseFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_filter_text("CHEAP")
    assert proxy.rowCount() == 2
    proxy.set_filter_text("cheap cake")
    assert proxy.rowCount() == 1
    proxy.set_filter_text("")
    proxy.sort(Column.PREVIEW, Qt.SortOrder.AscendingOrder)
    assert [proxy.index(r, 0).data() for r in range(3)] == [
        "cheap cake deal",
        "Cheap watches here",
        "Nice cake",
    ]


@pytest.fixture
def panel(qtbot):
    widget = CasePanel()
    qtbot.addWidget(widget)
    widget.set_labels(["0", "1"], {"1"})
    widget.show()
    return widget


def test_add_edit_duplicate_delete(panel, qtbot):
    case_id = panel.add_case()
    assert panel.is_modified() and panel.current_case_id() == case_id
    qtbot.keyClicks(panel.content_edit, "Send me your password")
    panel.expected_combo.setCurrentIndex(panel.expected_combo.findData("1"))
    qtbot.keyClicks(panel.notes_edit, "credential phishing")
    case = panel.model.case(case_id)
    assert (case.content, case.expected, case.notes) == (
        "Send me your password",
        "1",
        "credential phishing",
    )
    copy_id = panel.duplicate_case()
    assert copy_id != case_id and panel.model.case(copy_id).content == case.content
    assert panel.current_case_id() == copy_id
    panel.delete_selected()
    assert [c.id for c in panel.cases()] == [case_id]


def test_paste_many_through_the_dialog(panel, qtbot):
    dialog = panel.paste_many()
    assert dialog.isVisible() and dialog.isModal()
    dialog.set_text("first <b>case</b>\nsecond case\n\nthird case\n")
    dialog.expected_combo.setCurrentIndex(dialog.expected_combo.findData("0"))
    assert "3 cases" in dialog.count_label.text()
    dialog.accept()
    cases = panel.cases()
    assert [c.content for c in cases] == ["first <b>case</b>", "second case", "third case"]
    assert all(c.expected == "0" for c in cases)
    assert panel.content_edit.toPlainText() == "first <b>case</b>"  # shown literally


def test_paste_many_blocks_keep_multiline_content(panel, qtbot):
    dialog = panel.paste_many("Dear user,\nverify your account.\n\nHi,\nsee you at 5.")
    assert dialog.mode() == "blocks"
    dialog.accept()
    assert [c.content for c in panel.cases()] == [
        "Dear user,\nverify your account.",
        "Hi,\nsee you at 5.",
    ]


def test_cancelled_paste_adds_nothing(panel, qtbot):
    dialog = panel.paste_many("one\ntwo")
    dialog.reject()
    assert panel.cases() == []


def test_cases_are_saved_beside_the_policy_and_reopened(qtbot, tmp_path, monkeypatch):
    from app.gui.app import create_main_window
    from app.gui.shared.settings_store import open_settings
    from tests.support.fake_engine import SAMPLE_POLICY, FakeEngineFactory, isolate_gui_env

    isolate_gui_env(monkeypatch, tmp_path)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    policy = tmp_path / "policy.md"
    policy.write_text(SAMPLE_POLICY, encoding="utf-8")
    win = create_main_window(FakeEngineFactory(), settings=open_settings(), policy_path=policy)
    qtbot.addWidget(win)
    win.case_panel.add_many(["alpha", "beta\nwith two lines"], "1")
    assert win.isWindowModified()
    assert win.document.save()
    assert cases_path_for(policy) == tmp_path / "cases.jsonl"
    assert [c.content for c in load_cases(tmp_path / "cases.jsonl")] == [
        "alpha",
        "beta\nwith two lines",
    ]
    assert win.document.open(policy)
    assert [c.content for c in win.case_panel.cases()] == ["alpha", "beta\nwith two lines"]
    win.shutdown()
