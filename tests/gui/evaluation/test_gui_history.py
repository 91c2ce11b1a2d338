"""Version history dialog: versions with metrics, side-by-side diff, restore (pytest-qt)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt  # noqa: E402

from app.core.records import StoredResult  # noqa: E402
from app.gui.evaluation.data import version_history  # noqa: E402
from app.gui.evaluation.diff_view import ADDED, CHANGED, FILLER, REMOVED, SAME, DiffView, align  # noqa: E402
from app.gui.evaluation.history_dialog import CURRENT, HistoryDialog, VersionColumn  # noqa: E402
from app.store import Store  # noqa: E402

OLD = "---\nformat: binary\n---\n# Spam\nSP1 Bulk promotion.\nSP2 Fraud.\nEnd.\n"
NEW = "---\nformat: binary\n---\n# Spam\nSP1 Bulk or unsolicited promotion.\nSP2 Fraud.\nSP3 Fake engagement.\nEnd.\n"


def test_align_pairs_and_pads():
    aligned = align("a\nb\nc\n", "a\nB\nc\nd\n")
    assert aligned.left == ["a", "b", "c", ""]
    assert aligned.right == ["a", "B", "c", "d"]
    assert aligned.left_kinds == [SAME, CHANGED, SAME, FILLER]
    assert aligned.right_kinds == [SAME, CHANGED, SAME, ADDED]
    gone = align("a\nx\n", "a\n")
    assert gone.left_kinds == [SAME, REMOVED] and gone.right_kinds == [SAME, FILLER]


def test_diff_view_highlights_changed_lines(qtbot):
    view = DiffView()
    qtbot.addWidget(view)
    view.set_texts(OLD, NEW, "v1", "v2")
    assert view.highlighted_lines("left") == ["SP1 Bulk promotion."]
    assert view.highlighted_lines("right") == [
        "SP1 Bulk or unsolicited promotion.",
        "SP3 Fake engagement.",
    ]
    assert view.left_edit.document().blockCount() == view.right_edit.document().blockCount()
    view.set_texts("<b>bold</b>", "<b>bold</b>")
    assert view.left_edit.toPlainText() == "<b>bold</b>"  # shown literally
    assert "identical" in view.summary.text()


@pytest.fixture
def history(tmp_path):
    store = Store(tmp_path / "results.sqlite3")
    old_hash = store.add_policy_version(OLD, "first draft", "p.md")
    run = store.create_run(old_hash, total=2)
    store.add_results(
        [
            StoredResult(run, "a", "k1", "ok", expected="1", label="1"),
            StoredResult(run, "b", "k2", "ok", expected="0", label="1"),
        ]
    )
    store.set_run_status(run, "finished")
    store.add_policy_version(NEW, "wider SP1", "p.md")
    summaries = version_history(store, "p.md")
    yield summaries
    store.close()


def test_history_lists_versions_diffs_and_restores(qtbot, history):
    assert [s.label for s in history] == ["v1", "v2"]
    assert history[0].metrics.accuracy == 0.5 and history[1].metrics is None
    dialog = HistoryDialog(history, current_text=NEW + "draft line\n")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    model = dialog.model
    assert model.index(0, VersionColumn.VERSION).data() == "v2"  # newest first
    assert model.index(1, VersionColumn.ACCURACY).data() == "0.500"
    assert model.index(0, VersionColumn.ACCURACY).data() == "—"
    assert model.index(1, VersionColumn.NOTE).data() == "first draft"

    # the newest row is selected and compared with the editor text
    assert dialog.left_combo.currentData() == history[1].version.hash
    assert dialog.right_combo.currentData() == CURRENT
    assert dialog.diff.highlighted_lines("right") == ["draft line"]

    # select both rows: older on the left
    dialog.table.selectAll()
    assert dialog.left_combo.currentData() == history[0].version.hash
    assert dialog.right_combo.currentData() == history[1].version.hash
    assert "SP1 Bulk promotion." in dialog.diff.highlighted_lines("left")
    assert not dialog.restore_button.isEnabled()

    dialog.table.selectRow(1)
    assert dialog.restore_button.isEnabled()
    with qtbot.waitSignal(dialog.restoreRequested, timeout=2000) as blocker:
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [OLD]


def test_history_without_versions(qtbot):
    dialog = HistoryDialog([])
    qtbot.addWidget(dialog)
    assert not dialog.restore_button.isEnabled()
    assert "No versions" in dialog.diff.summary.text()
