"""Exporting a run report through the file dialog, written off the GUI thread."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from html.parser import HTMLParser  # noqa: E402

import pytest
from PySide6.QtWidgets import QFileDialog  # noqa: E402

from app.core.records import StoredResult  # noqa: E402
from app.gui.evaluation.report_actions import MARKDOWN_FILTER, export_run_report, report_path  # noqa: E402
from app.gui.shared.tasks import TaskRunner  # noqa: E402
from app.store import Store  # noqa: E402
from tests.support.fake_engine import SAMPLE_POLICY  # noqa: E402


def test_report_path_suffix():
    assert report_path("/x/r", MARKDOWN_FILTER).name == "r.md"
    assert report_path("/x/r", "").name == "r.html"
    assert report_path("/x/r.md", "").name == "r.md"


@pytest.mark.parametrize("chosen", ["report", "report.md"])
def test_export_writes_report(qtbot, tmp_path, monkeypatch, chosen):
    store = Store(tmp_path / "results.sqlite3")
    run = store.create_run(store.add_policy_version(SAMPLE_POLICY), total=1)
    store.add_result(StoredResult(run, "a", "k", "ok", expected="1", label="1",
                                  content="<script>x</script>"))  # fmt: skip
    store.set_run_status(run, "finished")
    target = tmp_path / chosen
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        staticmethod(lambda *a, **k: (str(target), "HTML report (*.html)")),
    )
    tasks = TaskRunner()
    messages = []
    with qtbot.waitSignal(tasks.taskFinished, timeout=5000):
        assert export_run_report(None, store, run, tasks, messages.append) is not None
    written = tmp_path / ("report.html" if chosen == "report" else "report.md")
    text = written.read_text(encoding="utf-8")
    if written.suffix == ".html":
        assert "<script>" not in text and "&lt;script&gt;" in text
        HTMLParser().feed(text)
    else:
        assert text.startswith("# Spam test policy v1 · ")  # policy, version, model, time
    assert messages == [f"Report saved to {written}."]
    tasks.shutdown()
    store.close()
