"""Every file dialog of the window starts in the folder last used for its kind of file (else
the policy's folder, else Documents or home) and never in the process's working folder
(issue 21.10): open and save the policy (keys and the menu), export a report or results
CSV, Models ▸ Add file…, Settings ▸ Browse… for a model file."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QAction  # noqa: E402

from app.core.records import StoredResult  # noqa: E402
from app.gui.evaluation.report_actions import export_results_csv, export_run_report  # noqa: E402
from app.gui.settings.dialog import SettingsDialog  # noqa: E402
from app.gui.shared import file_dialogs  # noqa: E402
from app.gui.shared.settings_store import open_settings  # noqa: E402
from app.gui.shared.tasks import TaskRunner  # noqa: E402
from app.store import Store  # noqa: E402
from tests.gui.models.test_gui_models import controller, dialog, env  # noqa: E402, F401
from tests.gui.shared.test_file_dialogs import _asked, places  # noqa: E402, F401
from tests.support.fake_engine import SAMPLE_POLICY, FakeEngineFactory, FakeScript  # noqa: E402
from tests.support.gui_window import chord, open_workbench, shut  # noqa: E402

CTRL = Qt.KeyboardModifier.ControlModifier


def _action(window, text: str) -> QAction:
    return next(a for a in window.findChildren(QAction) if a.text() == text)


def test_policy_open_and_save_as(qtbot, places, monkeypatch):  # noqa: F811
    window = open_workbench(qtbot, places["policies"], monkeypatch, FakeEngineFactory(FakeScript()))
    file_dialogs.remember_folder("policy", places["exports"])
    starts = _asked(monkeypatch, "getOpenFileName", "")
    chord(qtbot, window, Qt.Key.Key_O, CTRL)
    assert starts == [str(places["exports"])]  # not the open policy's folder, not the cwd
    starts = _asked(monkeypatch, "getSaveFileName", str(places["exports"] / "copy"))
    _action(window, "Save &as…").trigger()
    assert starts == [str(places["exports"] / "spam.md")]
    assert (places["exports"] / "copy.md").is_file()  # the suffix added
    shut(window)


def test_open_with_no_policy_open(qtbot, places, monkeypatch):  # noqa: F811
    window = open_workbench(
        qtbot, places["policies"], monkeypatch, FakeEngineFactory(FakeScript()), policy=False
    )
    starts = _asked(monkeypatch, "getOpenFileName", "")
    chord(qtbot, window, Qt.Key.Key_O, CTRL)
    assert starts == [str(places["home"])]  # no Documents folder: home; it was "" (the cwd)
    shut(window)


def test_report_and_results_csv(qtbot, places, monkeypatch):  # noqa: F811
    store = Store(places["exports"] / "results.sqlite3")
    run = store.create_run(store.add_policy_version(SAMPLE_POLICY), total=1)
    store.add_result(StoredResult(run, "a", "k", "ok", expected="1", label="1"))
    store.set_run_status(run, "finished")
    tasks = TaskRunner()
    policy = str(places["policies"] / "spam.md")
    starts = _asked(monkeypatch, "getSaveFileName", "")
    assert export_run_report(None, store, run, tasks, None, policy) is None
    assert starts == [str(places["policies"] / f"run-{run}.html")]  # the policy's folder
    file_dialogs.remember_folder("report", places["exports"])
    starts = _asked(monkeypatch, "getSaveFileName", str(places["exports"] / "weekly"))
    with qtbot.waitSignal(tasks.taskFinished, timeout=5000):
        export_results_csv(None, store, run, tasks, None, policy)
    assert starts == [str(places["exports"] / f"run-{run}.csv")]  # where the last one went
    assert (places["exports"] / "weekly.csv").is_file()
    tasks.shutdown()
    store.close()


def test_models_add_file(qtbot, places, dialog, monkeypatch):  # noqa: F811
    file_dialogs.remember_folder("model", places["exports"])
    starts = _asked(monkeypatch, "getOpenFileName", "")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert starts == [str(places["exports"])]


def test_settings_browse_model(qtbot, places, monkeypatch):  # noqa: F811
    for name in ("CONFIG", "DATA", "CACHE", "LOG"):
        monkeypatch.setenv(f"SAFEGUARD_{name}_DIR", str(places["home"] / name.lower()))
    settings = SettingsDialog(open_settings())
    qtbot.addWidget(settings)
    settings.show_backend("local")
    page = settings.backend_page
    page.model_edit.setText("")
    starts = _asked(monkeypatch, "getOpenFileName", str(places["exports"] / "m.gguf"))
    qtbot.mouseClick(page.browse_button, Qt.MouseButton.LeftButton)
    assert starts == [str(places["home"])]  # nothing chosen yet: home, never the cwd
    assert page.model_edit.text() == str(places["exports"] / "m.gguf")
    model = places["exports"] / "m.gguf"
    model.write_bytes(b"GGUF")
    starts.clear()
    qtbot.mouseClick(page.browse_button, Qt.MouseButton.LeftButton)
    assert starts == [str(model)]  # the chosen file, preselected
    page.model_edit.setText("")
    starts.clear()
    qtbot.mouseClick(page.browse_button, Qt.MouseButton.LeftButton)
    assert starts == [str(places["exports"])]  # the folder a model came from last
    settings.reject()


def test_review_file_dialogs(qtbot, places, monkeypatch):  # noqa: F811
    """Review ▸ Export/Import review file start beside the test set, then where review files
    went last; Save reviewed as a new test set starts where test sets go."""
    window = open_workbench(qtbot, places["policies"], monkeypatch, FakeEngineFactory(FakeScript()))
    with qtbot.waitSignal(window.runner.runEnded, timeout=10000):
        assert window.runner.run_suite("all")
    run_id = window.store.list_runs()[-1].id
    starts = _asked(monkeypatch, "getSaveFileName", str(places["exports"] / "mine"))
    window.review.ask_export()
    assert starts == [str(places["policies"] / f"review-{run_id}.jsonl")]  # was the cwd
    assert (places["exports"] / "mine.jsonl").is_file()
    starts = _asked(monkeypatch, "getOpenFileName", "")
    window.review.ask_import()
    assert starts == [str(places["exports"])]
    file_dialogs.remember_folder("test_set", places["home"])
    review = window.review.open_review(run_id)
    starts = _asked(monkeypatch, "getSaveFileName", "")
    review.ask_save_reviewed()
    assert starts == [str(places["home"] / "reviewed.cases.jsonl")]
    review.close()
    shut(window)
