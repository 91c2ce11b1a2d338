"""What is exported is what is shown (issue 19.8): after a restart the Metrics tab shows the
last test-set run (not a later single *Run case*, not a held-out check of a discarded draft),
its tiles show the change since the previous run, and *Export run report* / *Export results
CSV* write that run."""

from __future__ import annotations

import csv
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QFileDialog  # noqa: E402

from app.core.records import StoredResult  # noqa: E402
from tests.gui.window.test_gui_window_testsets import (  # noqa: E402,F401
    CASES,
    TIMEOUT,
    close_window,
    env,
    factory,
    open_window,
    run_all,
    stored_runs,
)


def _add_heldout_check(win, cases_path: str) -> str:
    """A later test-set run of a draft, as a suggestion's held-out check leaves one."""
    store = win.store
    draft = store.add_policy_version("# Untitled draft\n", "suggestion check", "")
    run = store.create_run(draft, model="m.gguf", cases_path=cases_path, total=1, kind="suggestion")
    store.add_result(StoredResult(run, "c1", "k-draft", "ok", expected="1", label="0"))
    store.set_run_status(run, "finished")
    return run


def _save_as(monkeypatch, path) -> None:
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), ""))
    )


def test_restart_shows_the_last_suite_run_and_exports_exactly_it(
    qtbot,
    env,  # noqa: F811
    factory,  # noqa: F811
    tmp_path,
    monkeypatch,
):
    win = open_window(qtbot, env, factory)
    assert run_all(qtbot, win) == "finished"
    win.policy_panel.editor.setFocus()
    qtbot.keyClicks(win.policy_panel.editor, "Weather talk is spam. ")
    factory.script.violating_words = ("fee", "password", "weather")  # c4 now right
    with qtbot.waitSignal(win.evaluation.runMetricsReady, timeout=TIMEOUT):
        assert run_all(qtbot, win) == "finished"
    panel = win.metrics_panel
    qtbot.waitUntil(lambda: panel.deltas["accuracy"].text() != "", timeout=TIMEOUT)
    assert panel.deltas["accuracy"].text() == "▲ +0.250 since the previous run"
    first, last = [r.id for r in stored_runs(win)]
    win.case_panel.select_case("c1")
    with qtbot.waitSignal(win.runner.runEnded, timeout=TIMEOUT):
        win.window_actions.run_case_action.trigger()  # a single case, after the suite
    check = _add_heldout_check(win, stored_runs(win)[-1].cases_path)
    win.policy_panel.editor.document().setModified(False)
    close_window(win)

    win = open_window(qtbot, env, factory)
    panel = win.metrics_panel
    qtbot.waitUntil(lambda: panel.metrics() is not None, timeout=TIMEOUT)
    assert win.evaluation_actions.shown_run_id == last
    assert panel.metrics().scored == len(CASES) and panel.metrics().accuracy == 1.0
    assert panel.title.text().startswith("Run v2 · ")
    assert panel.deltas["accuracy"].text() == "▲ +0.250 since the previous run"

    report = tmp_path / "shown.html"
    _save_as(monkeypatch, report)
    win.window_actions.report_action.trigger()
    qtbot.waitUntil(report.exists, timeout=TIMEOUT)
    win.evaluation.wait()
    text = report.read_text(encoding="utf-8")
    assert f"run id {last}" in text and check not in text
    assert f"Compared with run {first}" in text  # the run before it, as a section
    assert "Weather talk is spam." in text  # the policy text of the version shown

    table = tmp_path / "shown"
    _save_as(monkeypatch, table)
    win.window_actions.results_csv_action.trigger()
    written = tmp_path / "shown.csv"
    qtbot.waitUntil(written.exists, timeout=TIMEOUT)
    win.evaluation.wait()
    rows = list(csv.DictReader(written.open(encoding="utf-8", newline="")))
    assert sorted(r["case_id"] for r in rows) == sorted(c.id for c in CASES)
    assert [r["correct"] for r in rows] == ["1"] * len(CASES)
    # the notice comes back through the GUI thread's event queue after the file is written
    qtbot.waitUntil(lambda: "Results CSV saved to" in win.status.currentMessage(), timeout=TIMEOUT)
    assert "Results CSV saved to" in win.status.currentMessage()
    close_window(win)
