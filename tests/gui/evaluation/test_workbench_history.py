"""History opens on the newest pair at the first change, wraps, and never stays empty;
runs are named "v2 · low · tiny.gguf · 30 Nov 16:47"; dialogs fit the screen."""

from __future__ import annotations

import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtWidgets import QApplication, QPlainTextEdit  # noqa: E402

from app.core.records import StoredResult  # noqa: E402
from app.gui.evaluation.data import load_run_metrics, version_history  # noqa: E402
from app.gui.evaluation.history_dialog import CURRENT, HistoryDialog  # noqa: E402
from app.reports.report import render_html, render_markdown  # noqa: E402
from app.runs.stored.labels import run_label, when_label  # noqa: E402
from app.runs.stored.report import build_run_report  # noqa: E402
from app.store import Store  # noqa: E402

HEAD = "---\nformat: binary\n---\n# Spam\n" + "".join(f"Line {n} stays.\n" for n in range(60))
LONG = "SP1 " + "very long rule text " * 30 + "\n"
OLD = HEAD + "SP1 Bulk promotion.\n"
NEW = HEAD + LONG


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "results.sqlite3")
    yield store
    store.close()


def record(store: Store, text: str, effort: str = "low") -> str:
    digest = store.add_policy_version(text, "", "p.md")
    run = store.create_run(digest, model="/models/tiny.gguf", settings={"effort": effort}, total=1)
    store.add_results([StoredResult(run, "a", "k", "ok", expected="1", label="1")])
    store.set_run_status(run, "finished")
    return run


def open_dialog(qtbot, history, current=None) -> HistoryDialog:
    dialog = HistoryDialog(history, current)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def shows_line(pane: QPlainTextEdit, number: int) -> bool:
    """Whether line ``number`` of the pane is inside its viewport."""
    block = pane.document().findBlockByNumber(number)
    top = pane.blockBoundingGeometry(block).translated(pane.contentOffset()).top()
    return 0 <= top < pane.viewport().height()


def test_history_shows_a_loading_state_that_ends(qtbot, store):
    record(store, OLD)
    record(store, NEW)
    dialog = open_dialog(qtbot, None, NEW)
    assert dialog.loading and "Reading" in dialog.diff.summary.text()
    dialog.set_history(version_history(store, "p.md"))
    assert not dialog.loading and "Reading" not in dialog.diff.summary.text()
    assert dialog.model.rowCount() == 2


def test_history_opens_on_the_newest_pair_at_the_first_change(qtbot, store):
    record(store, OLD)
    record(store, NEW)
    history = version_history(store, "p.md")
    dialog = open_dialog(qtbot, history, NEW)  # the editor holds the newest version
    assert dialog.left_combo.currentData() == history[0].version.hash
    assert dialog.right_combo.currentData() == history[1].version.hash
    first = dialog.diff.first_change()
    assert first == 64
    for pane in (dialog.diff.left_edit, dialog.diff.right_edit):
        qtbot.waitUntil(lambda p=pane: shows_line(p, first), timeout=3000)
        assert pane.firstVisibleBlock().blockNumber() > 20  # scrolled, not at the top
        assert pane.lineWrapMode() == QPlainTextEdit.LineWrapMode.WidgetWidth
        assert pane.horizontalScrollBar().maximum() == 0  # the long line wraps
    edited = open_dialog(qtbot, history, NEW + "draft\n")
    assert edited.right_combo.currentData() == CURRENT


def test_runs_are_named_for_people(store):
    run_id = record(store, OLD, "low")
    record(store, NEW, "high")
    later = store.list_runs()[-1]
    stamp = time.localtime(later.started)
    assert run_label(later, 2) == f"v2 · high · tiny.gguf · {when_label(later.started)}"
    assert when_label(later.started).startswith(f"{stamp.tm_mday} {time.strftime('%b', stamp)}")
    assert load_run_metrics(store, later.id).version_label.startswith("v2 · high · tiny.gguf")
    report = build_run_report(store, run_id)
    assert report.label.startswith("v1 · low · tiny.gguf")
    assert f"{report.policy_name} {report.label}" in render_html(report)
    assert f"{report.policy_name} {report.label}" in render_markdown(report)
    assert run_id in render_markdown(report)  # the id stays, for the CLI


def test_dialogs_fit_the_available_screen(qtbot, store):
    area = QApplication.primaryScreen().availableGeometry()
    dialog = open_dialog(qtbot, version_history(store, "p.md"))
    assert dialog.width() <= area.width() and dialog.height() <= area.height()
