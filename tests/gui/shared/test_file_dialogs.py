"""File dialogs start in the folder last used for their kind of file, else the policy's
folder, else Documents or home, and never in the folder the app was started in (issue
21.10); the test-set export and import dialogs use them."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QFileDialog, QWidget  # noqa: E402

from app.core.cases import TestCase, load_cases  # noqa: E402
from app.core.policy import OutputFormat  # noqa: E402
from app.gui.cases.file_actions import CaseFileActions  # noqa: E402
from app.gui.cases.import_dialog import ImportDialog  # noqa: E402
from app.gui.cases.panel import CasePanel  # noqa: E402
from app.gui.shared import file_dialogs  # noqa: E402
from app.gui.shared.settings_store import open_settings  # noqa: E402
from app.gui.shared.tasks import TaskRunner  # noqa: E402


@pytest.fixture
def places(tmp_path, monkeypatch) -> dict[str, Path]:
    """A home with no Documents folder, a separate working folder, a policy folder and an
    isolated settings file."""
    paths = {name: tmp_path / name for name in ("home", "cwd", "policies", "exports", "config")}
    for path in paths.values():
        path.mkdir()
    monkeypatch.setenv("HOME", str(paths["home"]))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(paths["home"] / ".config"))
    monkeypatch.setenv("SAFEGUARD_CONFIG_DIR", str(paths["config"]))
    monkeypatch.chdir(paths["cwd"])  # where `make run` ran
    return paths


def _asked(monkeypatch, name: str, answer: str) -> list[str]:
    """Replace a static QFileDialog call; record the start path each call was given."""
    starts: list[str] = []

    def dialog(_parent, _title, start, _filter, *args, **kwargs):
        starts.append(start)
        return answer, ""

    monkeypatch.setattr(QFileDialog, name, dialog)
    return starts


def test_start_folder_order_never_the_working_folder(places) -> None:
    settings = QSettings(str(places["config"] / "s.ini"), QSettings.Format.IniFormat)
    start = file_dialogs.start_folder
    assert start("test_set", None, settings) == places["home"]  # no Documents folder
    assert start("test_set", "", settings) == places["home"]  # an untitled policy
    (places["home"] / "Documents").mkdir()
    assert start("test_set", None, settings) == places["home"] / "Documents"
    policy = places["policies"] / "spam.md"
    assert start("test_set", policy, settings) == places["policies"]
    file_dialogs.remember_folder("test_set", places["exports"] / "set.csv", settings)
    assert start("test_set", policy, settings) == places["exports"]
    assert start("report", policy, settings) == places["policies"]  # each kind its own
    (places["exports"]).rmdir()  # a remembered folder that went away is passed over
    assert start("test_set", policy, settings) == places["policies"]
    with pytest.raises(ValueError, match="Unknown kind of file dialog 'pictures'"):
        start("pictures", None, settings)


def test_a_garbled_folder_setting_is_passed_over(places) -> None:
    (places["config"] / "s.ini").write_text("[dialogs]\ntest_set_folder=relative/dir\n")
    settings = QSettings(str(places["config"] / "s.ini"), QSettings.Format.IniFormat)
    (places["cwd"] / "relative" / "dir").mkdir(parents=True)  # exists under the cwd only
    assert file_dialogs.start_folder("test_set", None, settings) == places["home"]


def test_export_starts_in_the_policy_folder_then_where_the_last_export_went(
    qtbot, places, monkeypatch
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    panel = CasePanel(parent)
    panel.set_cases([TestCase("a", "hello", "1")])
    messages: list[str] = []
    policy = str(places["policies"] / "spam.md")
    actions = CaseFileActions(
        parent, panel, OutputFormat, lambda: policy, TaskRunner(parent), messages.append
    )
    target = places["exports"] / "week-1.csv"
    starts = _asked(monkeypatch, "getSaveFileName", str(target))
    with qtbot.waitSignal(actions._tasks.taskFinished, timeout=5000):
        actions.export_cases("csv")
    assert starts == [str(places["policies"] / "spam.csv")]  # not the cwd, not home
    assert target.is_file()
    starts = _asked(monkeypatch, "getSaveFileName", str(places["exports"] / "week-1"))
    with qtbot.waitSignal(actions._tasks.taskFinished, timeout=5000):
        actions.export_cases("jsonl")
    assert starts == [str(places["exports"] / "spam.jsonl")]  # where the last one went
    assert [c.id for c in load_cases(places["exports"] / "week-1.jsonl")] == ["a"]
    # the import dialog's Choose… starts there too (no file imported yet)
    chosen = _asked(monkeypatch, "getOpenFileName", "")
    dialog = actions.import_cases()
    qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
    assert chosen == [str(places["exports"])]
    dialog.reject()
    actions.shutdown()
    assert open_settings().value("dialogs/test_set_folder") == str(places["exports"])


def test_import_choose_starts_at_the_last_file_read(qtbot, places, monkeypatch) -> None:
    source = places["exports"] / "sample.csv"
    source.write_text("text,label\nhello,1\n", encoding="utf-8")
    starts = _asked(monkeypatch, "getOpenFileName", str(source))
    dialog = ImportDialog(OutputFormat(), policy_path=places["policies"] / "spam.md")
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.tasks.taskFinished, timeout=5000):
        qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
    assert starts == [str(places["policies"])]  # nothing used yet: the policy's folder
    dialog.tasks.shutdown()
    again = ImportDialog(OutputFormat())
    qtbot.addWidget(again)
    starts.clear()
    with qtbot.waitSignal(again.tasks.taskFinished, timeout=5000):
        qtbot.mouseClick(again.browse_button, Qt.MouseButton.LeftButton)
    assert starts == [str(source)]  # the last file, preselected
    again.tasks.shutdown()


def test_save_gives_the_chosen_filter_and_adds_the_suffix(places, monkeypatch) -> None:
    settings = QSettings(str(places["config"] / "s.ini"), QSettings.Format.IniFormat)
    starts: list[str] = []

    def dialog(_parent, _title, start, _filter, *args, **kwargs):
        starts.append(start)
        return str(places["exports"] / "run-7"), "Markdown (*.md)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    path, chosen = file_dialogs.save_file_and_filter(
        None, "Export run report", "report", "run-7.html", "HTML (*.html);;Markdown (*.md)",
        suffix=".html", settings=settings,
    )  # fmt: skip
    assert (path, chosen) == (places["exports"] / "run-7.html", "Markdown (*.md)")
    assert starts == [str(places["home"] / "run-7.html")]
    assert file_dialogs.start_folder("report", None, settings) == places["exports"]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    assert file_dialogs.save_file(None, "t", "report", "x.md", "", settings=settings) is None
    assert file_dialogs.start_folder("report", None, settings) == places["exports"]
