"""GUI tests for the policy file: edit, save, unsaved prompt, recovery, persistence."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QTextCursor  # noqa: E402
from PySide6.QtWidgets import QFileDialog, QMessageBox  # noqa: E402

from app.core.cases import TestCase, cases_path_for, load_cases, save_cases  # noqa: E402
from app.gui.app import create_main_window  # noqa: E402
from app.gui.policy import documents  # noqa: E402
from app.gui.policy.templates import list_templates, recovery_path_for  # noqa: E402
from app.gui.shared.settings_store import open_settings  # noqa: E402
from tests.support.fake_engine import SAMPLE_POLICY, FakeEngineFactory, isolate_gui_env  # noqa: E402
from tests.support.gui_window import chord  # noqa: E402

Button = QMessageBox.StandardButton


@pytest.fixture
def answers(monkeypatch):
    """Scripted answers for QMessageBox.question (default Discard); warnings recorded."""
    state = {"answer": Button.Discard, "asked": [], "warned": []}

    def question(_parent, title, text, *args, **kwargs):
        state["asked"].append(title)
        return state["answer"]

    def warning(_parent, title, text, *args, **kwargs):
        state["warned"].append(text)
        return Button.Ok

    monkeypatch.setattr(QMessageBox, "question", question)
    monkeypatch.setattr(QMessageBox, "warning", warning)
    return state


@pytest.fixture
def policy_file(tmp_path, monkeypatch):
    isolate_gui_env(monkeypatch, tmp_path)
    path = tmp_path / "spam.md"
    path.write_text(SAMPLE_POLICY, encoding="utf-8")
    save_cases(cases_path_for(path), [TestCase("a", "Buy followers now", "1")])
    return path


@pytest.fixture
def make_window(qtbot):
    """Build windows on demand; each one's worker thread is stopped at teardown."""
    made = []

    def make(path=None):
        win = create_main_window(FakeEngineFactory(), settings=open_settings(), policy_path=path)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        made.append(win)
        return win

    yield make
    for win in made:
        win.shutdown()
        assert not win.controller.thread_running()


def type_at_end(qtbot, win, text: str) -> None:
    editor = win.policy_panel.editor
    editor.setFocus()
    editor.moveCursor(QTextCursor.MoveOperation.End)
    for number, line in enumerate(text.split("\n")):
        if number:
            qtbot.keyClick(editor, Qt.Key.Key_Return)
        qtbot.keyClicks(editor, line)


def test_edit_and_save_policy_with_its_cases(qtbot, make_window, policy_file, answers):
    win = make_window(policy_file)
    assert win.policy_panel.text() == SAMPLE_POLICY
    assert not win.isWindowModified()
    type_at_end(qtbot, win, "\nExtra rule line.")
    assert win.isWindowModified()
    win.case_panel.add_case("New case content", "0")
    win.window_actions.save_action.trigger()
    assert policy_file.read_text(encoding="utf-8") == SAMPLE_POLICY + "\nExtra rule line."
    saved = load_cases(cases_path_for(policy_file))
    assert [c.content for c in saved] == ["Buy followers now", "New case content"]
    assert saved[1].expected == "0"
    assert not win.isWindowModified()
    assert not recovery_path_for(policy_file).exists()
    assert answers["warned"] == []
    win.close()


def test_save_as_for_an_untitled_policy(qtbot, make_window, policy_file, monkeypatch, answers):
    win = make_window()
    win.document.new_blank()
    type_at_end(qtbot, win, "\nMine.")
    target = policy_file.parent / "mine"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    assert win.document.save()
    assert (policy_file.parent / "mine.md").read_text(encoding="utf-8").endswith("Mine.")
    assert (policy_file.parent / "mine.cases.jsonl").exists()
    assert win.document.recent()[0].endswith("mine.md")
    assert "mine.md" in win.windowTitle()


def test_unsaved_changes_prompt_on_close(qtbot, make_window, policy_file, answers):
    win = make_window(policy_file)
    type_at_end(qtbot, win, " changed")
    answers["answer"] = Button.Cancel
    assert not win.close()
    assert win.isVisible() and answers["asked"] == ["Unsaved changes"]
    answers["answer"] = Button.Save
    assert win.close()
    assert policy_file.read_text(encoding="utf-8").endswith(" changed")


def test_crash_recovery_of_unsaved_policy(qtbot, make_window, policy_file, monkeypatch, answers):
    monkeypatch.setattr(documents, "AUTOSAVE_MS", 50)
    first = make_window(policy_file)
    type_at_end(qtbot, first, "\nUnsaved idea.")
    recovery = recovery_path_for(policy_file)
    qtbot.waitUntil(recovery.exists, timeout=3000)
    assert recovery.read_text(encoding="utf-8").endswith("Unsaved idea.")
    # "crash": the window goes away without the unsaved-changes prompt
    first.document.maybe_save = lambda: True
    first.close()
    assert recovery.exists()
    os.utime(recovery, (recovery.stat().st_mtime + 5,) * 2)

    answers["answer"] = Button.Yes
    second = make_window(policy_file)
    assert answers["asked"] == ["Recover unsaved changes?"]
    assert second.policy_panel.text().endswith("Unsaved idea.")
    assert second.policy_panel.is_modified()
    assert policy_file.read_text(encoding="utf-8") == SAMPLE_POLICY  # file untouched
    second.window_actions.save_action.trigger()
    assert not recovery.exists()


def test_declined_recovery_is_discarded(qtbot, make_window, policy_file, answers):
    recovery = recovery_path_for(policy_file)
    recovery.write_text(SAMPLE_POLICY + "old draft", encoding="utf-8")
    os.utime(recovery, (policy_file.stat().st_mtime + 5,) * 2)
    answers["answer"] = Button.No
    win = make_window(policy_file)
    assert win.policy_panel.text() == SAMPLE_POLICY
    assert not recovery.exists()


def test_untitled_recovery_is_offered_at_start(qtbot, make_window, policy_file, answers):
    recovery_path_for(None).write_text("# Draft never saved\n", encoding="utf-8")
    answers["answer"] = Button.Yes
    win = make_window()
    assert win.policy_panel.text() == "# Draft never saved\n"


def test_new_from_template_loads_policy_and_cases(qtbot, make_window, policy_file, answers):
    templates = list_templates()
    spam = next(t for t in templates if t.path.parent.name == "spam_scams")
    win = make_window()
    assert win.document.new_from_template(spam.path)
    assert "SP2" in win.policy_panel.text()
    assert len(win.case_panel.cases()) >= 5
    assert win.document.path is None and win.isWindowModified()
    assert win.case_panel.expected_combo.count() == 3  # (not set), 0, 1


def test_geometry_and_splitters_persist(qtbot, make_window, policy_file, answers):
    win = make_window(policy_file)
    win.main_splitter.setSizes([300, 900])
    first = win.main_splitter.sizes()
    win.close()
    again = make_window(policy_file)
    sizes = again.main_splitter.sizes()
    # the offscreen screen may clamp the restored window, so compare proportions
    assert abs(sizes[0] / sum(sizes) - first[0] / sum(first)) < 0.02
    assert sizes[0] / sum(sizes) < 0.3


def test_the_outline_width_persists_too(qtbot, make_window, policy_file, answers):
    win = make_window(policy_file)
    top = win.policy_panel.top_splitter
    top.setSizes([100, 400])
    share = top.sizes()[1] / sum(top.sizes())
    win.close()
    again = make_window(policy_file).policy_panel.top_splitter.sizes()
    assert abs(again[1] / sum(again) - share) < 0.05 and share > 0.6


def test_non_utf8_policy_gets_a_clear_message(qtbot, make_window, policy_file, answers):
    bad = policy_file.parent / "bad.md"
    bad.write_bytes(b"\xff\xfe\x00bad")
    win = make_window()
    assert not win.document.open(bad)
    assert "UTF-8" in answers["warned"][-1]


def test_malformed_test_set_opens_the_policy_and_leaves_the_file_alone(
    qtbot, make_window, policy_file, answers
):
    cases_file = cases_path_for(policy_file)
    broken = '{"id": "a", "content": "ok", "expected": "1"}\n{not json\n'
    cases_file.write_text(broken, encoding="utf-8")
    win = make_window()
    assert win.document.open(policy_file)
    assert "not valid JSON" in answers["warned"][-1] and "left untouched" in answers["warned"][-1]
    assert win.policy_panel.text() == SAMPLE_POLICY  # the policy is there to work on
    win.policy_panel.editor.insertPlainText("edit ")
    assert win.document.save()
    assert cases_file.read_text(encoding="utf-8") == broken  # not overwritten with nothing


def test_saving_keeps_the_files_modes(qtbot, make_window, policy_file, answers):
    """A shared team folder stays shared: Ctrl+S keeps -rw-r--r-- and -rw-rw-r--."""
    cases = cases_path_for(policy_file)
    os.chmod(policy_file, 0o644)
    os.chmod(cases, 0o664)
    win = make_window(policy_file)
    type_at_end(qtbot, win, "More words. ")
    win.case_panel.add_case("A new case")
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=3000)
    chord(qtbot, win.policy_panel.editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not win.document.is_modified(), timeout=3000)
    assert os.stat(policy_file).st_mode & 0o777 == 0o644
    assert os.stat(cases).st_mode & 0o777 == 0o664
    assert "More words." in policy_file.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('{"id": "b", "content": "x", "expected": "maybe"}', "the label 'maybe' is not one"),
        ('{"id": "b", "content": "x", "expected": true}', "the label true is not text"),
        ('{"id": "a", "content": "again", "expected": "0"}', "uses the id 'a' on lines 1, 2"),
    ],
)
def test_bad_labels_and_repeated_ids_are_refused_on_open_with_the_line(
    qtbot, make_window, policy_file, answers, line, says
):
    cases_file = cases_path_for(policy_file)
    text = '{"id": "a", "content": "ok", "expected": "1"}\n' + line + "\n"
    cases_file.write_text(text, encoding="utf-8")
    win = make_window()
    assert win.document.open(policy_file)
    assert says in answers["warned"][-1] and "left untouched" in answers["warned"][-1]
    assert cases_file.read_text(encoding="utf-8") == text
