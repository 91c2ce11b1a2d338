"""The window with test sets, metrics, history, models and backends wired in (pytest-qt).

Runs go through the scripted fake engine; the store, settings and models folder live in
tmp_path. Covers: Run all stores every result and a second Run all is all cached without
calling the engine; Resume after a cancel runs only the rest; reopening the policy shows
the stored results (stale after an edit on disk); one engine shared by Run case and Run
all; the metrics tab and its confusion-cell filter; History restore as an undoable edit;
the flip report of two runs; Import; Models ▸ Use feeding the engine; a remote backend.
"""

from __future__ import annotations

import os
import socket

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from app.core.cases import cases_path_for, save_cases  # noqa: E402
from app.gui.app import create_main_window  # noqa: E402
from app.gui.cases.model import CaseRole, Column  # noqa: E402
from app.gui.shared.settings_store import open_settings  # noqa: E402
from app.store import Store  # noqa: E402
from tests.support.fake_engine import (  # noqa: E402
    SAMPLE_CASES,
    SAMPLE_POLICY,
    FakeEngineFactory,
    FakeScript,
    configure_model,
    isolate_gui_env,
)

CASES = SAMPLE_CASES
TIMEOUT = 15000


@pytest.fixture
def env(tmp_path, monkeypatch):
    model = isolate_gui_env(monkeypatch, tmp_path)
    monkeypatch.setenv("SAFEGUARD_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Ok)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    policy = tmp_path / "spam.md"
    policy.write_text(SAMPLE_POLICY, encoding="utf-8")
    save_cases(cases_path_for(policy), CASES)
    return policy, model


@pytest.fixture
def factory() -> FakeEngineFactory:
    return FakeEngineFactory(FakeScript(delay=0.002, rule_code="SP2.a"))


def open_window(qtbot, env, factory):
    policy, model = env
    settings = open_settings()
    configure_model(settings, model)
    win = create_main_window(factory, settings=settings, policy_path=policy)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def close_window(win) -> None:
    win.policy_panel.set_modified(False)
    win.case_panel.set_modified(False)
    win.shutdown()
    assert not win.controller.thread_running()

    assert not win.models_controller.threads_running()
    win.close()


@pytest.fixture
def window(qtbot, env, factory):
    win = open_window(qtbot, env, factory)
    yield win
    close_window(win)


def run_all(qtbot, win, kind: str = "all") -> str:
    with qtbot.waitSignal(win.runner.runEnded, timeout=TIMEOUT) as blocker:
        assert win.runner.run_suite(kind)
    return blocker.args[0].status


def status(win, case_id: str) -> str:
    model = win.case_panel.model
    return str(model.index(model.row_of(case_id), Column.STATUS).data())


def stored_runs(win) -> list:
    return [r for r in win.store.list_runs() if r.cases_path.endswith("spam.cases.jsonl")]


def test_run_all_stores_results_and_reruns_from_the_cache(qtbot, window, factory):
    progress = []
    window.runner.progressChanged.connect(lambda d, t, _e: progress.append((d, t)))
    assert run_all(qtbot, window) == "finished"
    assert progress[0] == (0, 4) and progress[-1] == (4, 4)
    runs = window.store.list_runs()
    assert len(runs) == 1 and runs[0].status == "finished"
    assert runs[0].cases_path == str(cases_path_for(window.document.path))
    stored = window.store.results(runs[0].id)
    assert sorted(r.case_id for r in stored) == ["c1", "c2", "c3", "c4"]
    assert all(not r.cached for r in stored)
    calls = factory.engines[0].calls
    assert calls == 4

    assert run_all(qtbot, window) == "finished"
    assert factory.engines[0].calls == calls  # nothing reached the engine
    assert len(factory.engines) == 1
    second = window.store.results(window.store.list_runs()[-1].id)
    assert len(second) == 4 and all(r.cached for r in second)
    assert [status(window, c.id) for c in CASES] == [
        "violates (cached)",
        "does not violate (cached)",
        "violates (cached)",
        "does not violate (cached)",
    ]
    assert "cached" not in window.case_panel.model.index(0, Column.AGREEMENT).data()


def test_one_engine_serves_run_case_and_run_all(qtbot, window, factory):
    window.case_panel.select_case("c1")
    with qtbot.waitSignal(window.runner.runEnded, timeout=TIMEOUT):
        window.window_actions.run_case_action.trigger()
    assert run_all(qtbot, window) == "finished"
    assert len(factory.engines) == 1  # loaded once for both kinds of run
    assert window.controller.service.builds == 1
    assert window.engine_badge.text().startswith("CPU")
    assert "tok/s" in window.engine_badge.text()


def test_run_is_refused_while_a_suite_runs(qtbot, window, factory):
    factory.script.delay = 0.02
    with qtbot.waitSignal(window.runner.runEnded, timeout=TIMEOUT):
        assert window.runner.run_all()
        assert not window.window_actions.run_case_action.isEnabled()
        assert not window.window_actions.resume_action.isEnabled()
        assert not window.runner.run_current()  # never both at once
        window.runner.cancel()


def test_resume_after_cancel_runs_only_the_rest(qtbot, window, factory):
    factory.script.delay = 0.02
    with qtbot.waitSignal(window.runner.runEnded, timeout=TIMEOUT) as blocker:
        window.runner.run_all()
        qtbot.waitUntil(lambda: window.case_panel.model.entry("c2") is not None, timeout=TIMEOUT)
        qtbot.mouseClick(window.status.cancel_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0].status == "cancelled"
    assert window.case_panel.model.entry("c2").state == "cancelled"
    run = stored_runs(window)[-1]
    assert run.status == "cancelled"
    assert [r.case_id for r in window.store.results(run.id)] == ["c1"]
    factory.script.delay = 0.002
    assert run_all(qtbot, window, "resume") == "finished"
    assert factory.engines[0].calls == 2 + 3  # c2 again, then c3 and c4; never c1
    assert len(stored_runs(window)) == 1  # the same run, continued
    resumed = window.store.results(run.id)
    assert sorted(r.case_id for r in resumed) == ["c1", "c2", "c3", "c4"]
    assert window.store.get_run(run.id).status == "finished"
    assert all(window.case_panel.model.entry(c.id).state == "done" for c in CASES)
    assert run_all(qtbot, window, "resume") == "finished"  # nothing left: says so
    assert factory.engines[0].calls == 5


def test_crash_in_a_suite_restarts_the_engine_and_the_run_goes_on(qtbot, window, factory):
    factory.script.crash_on_call = 2  # the engine process dies in the middle of c2
    assert run_all(qtbot, window) == "finished"
    results = window.store.results(stored_runs(window)[-1].id)
    assert [r.case_id for r in results] == ["c1", "c2", "c3", "c4"]
    assert all(r.status == "ok" for r in results)  # c2 ran again on the fresh process
    assert len(factory.engines) == 1 and factory.engines[0].restarts == 1
    assert window.status.engine_state() == "ready"


def test_run_failed_and_run_selected(qtbot, window, factory):
    assert run_all(qtbot, window) == "finished"  # c4 is wrong (expected 1, fake says 0)
    started = []
    window.runner.caseStarted.connect(started.append)
    window.case_panel.model.update_case("c4", content="Pay a fee for lovely weather.")
    assert run_all(qtbot, window, "failed") == "finished"
    assert started == ["c4"]
    assert window.case_panel.model.index(3, Column.AGREEMENT).data() == "✓"
    assert window.runner.run_suite("failed") is False  # nothing failed now
    window.case_panel.select_case("c2")
    window.case_panel.model.update_case("c2", content="Cakes, message me today.")
    assert run_all(qtbot, window, "selected") == "finished"
    assert started == ["c4", "c2"]


def test_reopening_the_policy_shows_stored_results(qtbot, env, factory):
    win = open_window(qtbot, env, factory)
    assert run_all(qtbot, win) == "finished"
    close_window(win)

    win = open_window(qtbot, env, factory)
    model = win.case_panel.model
    qtbot.waitUntil(lambda: all(model.entry(c.id) for c in CASES), timeout=TIMEOUT)
    assert [model.entry(c.id).label for c in CASES] == ["1", "0", "1", "0"]
    assert not any(model.entry(c.id).stale for c in CASES)
    assert model.index(3, Column.AGREEMENT).data() == "✗"
    qtbot.waitUntil(lambda: win.result_view.badge_kind() == "violates", timeout=TIMEOUT)
    assert win.result_view.case_id() == "c1"  # the selected case shows its stored result
    assert len(factory.engines) == 1  # nothing was run to show them
    close_window(win)

    policy, _model = env
    policy.write_text(SAMPLE_POLICY + "\nOne more line.\n", encoding="utf-8")
    win = open_window(qtbot, env, factory)
    model = win.case_panel.model
    qtbot.waitUntil(lambda: all(model.entry(c.id) for c in CASES), timeout=TIMEOUT)
    assert all(model.entry(c.id).stale for c in CASES)
    index = model.index(0, Column.STATUS)
    assert index.data(CaseRole.STALE) and str(index.data()).endswith("(stale)")
    close_window(win)


def test_metrics_tab_updates_and_a_confusion_cell_filters_cases(qtbot, window):
    panel = window.metrics_panel
    assert window.right_tabs.tabText(1) == "Metrics"
    with qtbot.waitSignal(window.evaluation.runMetricsReady, timeout=TIMEOUT):
        run_all(qtbot, window)
    metrics = panel.metrics()
    assert metrics is not None and metrics.total == 4
    assert panel.title.text().startswith("Run ")
    window.window_actions.show_metrics_action.trigger()
    assert window.right_tabs.currentIndex() == 1 and panel.isVisible()  # (in a scroll area)
    qtbot.wait(50)

    view = panel.confusion_view
    rows, columns = metrics.confusion.rows, metrics.confusion.columns
    cell = view.confusion_model.index(rows.index("1"), columns.index("0"))
    assert view.case_ids_at(cell.row(), cell.column()) == ["c4"]
    with qtbot.waitSignal(panel.cellActivated, timeout=2000):
        qtbot.mouseClick(
            view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(cell).center()
        )
    assert window.case_panel.visible_case_ids() == ["c4"]
    window.case_panel.select_case("c1")  # a case outside the filter clears it
    assert len(window.case_panel.visible_case_ids()) == 4


def test_history_restore_puts_an_old_version_in_the_editor_undoably(qtbot, window):
    assert run_all(qtbot, window) == "finished"
    editor = window.policy_panel.editor
    editor.setFocus()
    qtbot.keyClicks(editor, "Draft words. ")
    edited = window.policy_panel.text()
    assert edited != SAMPLE_POLICY
    window.window_actions.history_action.trigger()
    dialog = window.evaluation_actions.history_dialog
    qtbot.waitUntil(lambda: not dialog.loading, timeout=TIMEOUT)
    assert dialog.isVisible() and dialog.model.rowCount() == 1
    dialog.table.selectRow(0)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert window.policy_panel.text() == SAMPLE_POLICY
    assert window.policy_panel.is_modified()
    editor.undo()
    assert window.policy_panel.text() == edited
    dialog.close()


def test_compare_runs_opens_on_the_last_two_runs_with_their_flips(qtbot, window, factory):
    assert run_all(qtbot, window) == "finished"
    window.policy_panel.editor.setFocus()
    qtbot.keyClicks(window.policy_panel.editor, "Weather talk is spam. ")
    factory.script.violating_words = ("fee", "password", "weather")  # c4 now right
    assert run_all(qtbot, window) == "finished"
    history = next(a.menu() for a in window.menuBar().actions() if a.text() == "&History")
    compares = [a.text() for a in history.actions() if "Compare" in a.text()]
    assert compares == ["&Compare runs…"]  # one History item compares two runs
    with qtbot.waitSignal(window.evaluation.comparisonReady, timeout=TIMEOUT):
        window.window_actions.compare_action.trigger()
    dialog = window.evaluation_actions.compare_dialog
    assert dialog.isVisible() and dialog.tabs.tabText(0) == "Fixed and broken"
    view = dialog.flips
    report = view.report()
    assert [flip.case_id for flip in report.flips] == ["c4"]
    assert (dialog.comparison.a_only_right, dialog.comparison.b_only_right) == (0, 1)
    assert view.shown_ids() == ["c4"]
    view.table.selectRow(0)
    assert window.case_panel.current_case_id() == "c4"
    dialog.close()


def test_import_adds_cases(qtbot, window, tmp_path):
    path = tmp_path / "more.csv"
    path.write_text("id,text,label\nn1,Buy followers now,1\nn2,Nice picnic,0\n", encoding="utf-8")
    window.window_actions.import_action.trigger()
    dialog = window.case_files.import_dialog
    assert dialog is not None and dialog.isVisible()
    with qtbot.waitSignal(dialog.tasks.taskFinished, timeout=5000):
        dialog.open_path(path)
    dialog.set_column("content", 1)
    dialog.set_column("expected", 2)
    dialog.set_column("id", 0)
    with qtbot.waitSignal(dialog.tasks.taskFinished, timeout=5000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    ids = [c.id for c in window.case_panel.cases()]
    assert ids == ["c1", "c2", "c3", "c4", "n1", "n2"]
    assert window.case_panel.is_modified()
    assert window.case_panel.current_case_id() == "n1"
    window.case_panel.undo_stack.undo()  # the import is one undo step
    assert [c.id for c in window.case_panel.cases()] == ["c1", "c2", "c3", "c4"]
    assert not window.case_panel.is_modified()


def test_models_use_changes_the_model_the_engine_loads(qtbot, window, factory, tmp_path):
    import shutil

    from app.gui.models import controller as models_controller
    from app.library import catalog
    from app.library.hardware import Hardware
    from tests.support.synthetic_gguf import cached_model

    hw = Hardware("CPU", False, "", 16 * 1024**3, 8 * 1024**3, None, None)
    models_controller.detect_hardware, original = (lambda: hw), models_controller.detect_hardware
    try:
        target = catalog.models_dir() / "chosen.gguf"
        shutil.copy(cached_model("tiny"), target)
        with qtbot.waitSignal(window.models_controller.modelsListed, timeout=TIMEOUT):
            window.window_actions.models_action.trigger()
        dialog = window.models_dialog
        assert dialog.select_name("chosen")
        with qtbot.waitSignal(window.models_controller.activeModelChanged, timeout=TIMEOUT):
            dialog.use_button.click()
        dialog.close()
        window.case_panel.select_case("c1")
        with qtbot.waitSignal(window.runner.runEnded, timeout=TIMEOUT):
            window.runner.run_current()
        assert factory.engines[-1].loaded.model_path == str(target.resolve())
        assert window.settings.value("engine/backend") == "local"
    finally:
        models_controller.detect_hardware = original


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_remote_backend_from_settings_builds_a_remote_engine(qtbot, env):
    policy, _model = env
    settings = open_settings()
    url = f"http://127.0.0.1:{_closed_port()}"
    settings.setValue("engine/backend", "remote")
    settings.setValue("remote/base_url", url)
    settings.setValue("engine/model_path", "")  # a server needs no model file
    win = create_main_window(None, settings=settings, policy_path=policy)  # settings decide
    qtbot.addWidget(win)
    win.show()
    assert url.split("//")[1] in win.status.engine_label.text()
    win.case_panel.select_case("c1")
    with qtbot.waitSignal(win.runner.runEnded, timeout=30000) as blocker:
        assert win.runner.run_current()
    assert blocker.args[0].status == "failed"
    assert win.status.engine_state() == "error"
    tip = win.status.engine_label.toolTip()
    assert tip.startswith(f"Cannot reach the server at {url}")
    assert win.controller.service.builds == 1
    win.engine_message_box.close()
    close_window(win)


def test_settings_dialog_embeds_the_backend_page(qtbot, window):
    from app.gui.settings.dialog import SettingsDialog

    dialog = SettingsDialog(window.settings, window)
    qtbot.addWidget(dialog)
    page = dialog.backend_page
    assert page.values()["model_path"] == window.settings.value("engine/model_path")
    values = dict(page.values(), backend="remote", base_url="http://10.0.0.5:8000")
    page.set_values(values)
    dialog.accept()
    assert window.settings.value("engine/backend") == "remote"
    assert window.settings.value("remote/base_url") == "http://10.0.0.5:8000"
    assert not page.controller.thread_running()


def test_store_is_isolated_per_test(window):
    assert str(window.store.path).startswith(os.environ["SAFEGUARD_DATA_DIR"])
    assert isinstance(window.store, Store)
