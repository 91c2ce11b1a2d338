"""Help menu in the real window: About, the policy writing guide, data folder, problem report."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QObject, QUrl, Slot, qVersion  # noqa: E402
from PySide6.QtGui import QDesktopServices, QGuiApplication, QKeySequence  # noqa: E402

from app import __version__  # noqa: E402
from app.core.cases import cases_path_for, save_cases  # noqa: E402
from app.gui.help import HelpMenu  # noqa: E402
from app.gui.help import menu as menu_module  # noqa: E402
from app.gui.help.facts import MODEL_LICENCE, AppFacts, diagnostics_text  # noqa: E402
from app.gui.help.guide import GuideViewer  # noqa: E402
from app.gui.shared.settings_store import open_settings  # noqa: E402
from tests.support.fake_engine import (  # noqa: E402
    SAMPLE_CASES,
    SAMPLE_POLICY,
    FakeScript,
    configure_model,
    isolate_gui_env,
)
from tests.support.windows import shown_window  # noqa: E402

TIMEOUT = 15000


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    isolate_gui_env(monkeypatch, tmp_path)
    win = shown_window(qtbot)
    yield win
    win.shutdown()
    assert help_menu(win).tasks.pending() == 0


def help_menu(win) -> HelpMenu:
    found = win.findChild(HelpMenu)
    assert found is not None
    return found


def test_the_window_has_a_help_menu_with_its_four_actions(window) -> None:
    titles = [action.text() for action in window.menuBar().actions()]
    assert titles[-1] == "&Help"
    menu = window.menuBar().actions()[-1].menu()
    texts = [action.text() for action in menu.actions() if not action.isSeparator()]
    assert texts == [
        "Policy writing &guide",
        "Open &data folder",
        "&Report a problem…",
        "&About Safeguard Studio",
    ]


def test_about_shows_version_llama_build_qt_folders_and_model_licence(
    qtbot, window, tmp_path
) -> None:
    menu = help_menu(window)
    menu.about_action.trigger()
    dialog = menu.about_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.addWidget(dialog)
    # the facts come from a worker thread (the real llama.cpp build is inspected)
    qtbot.waitUntil(lambda: "backend" in dialog.values["llama.cpp"].text(), timeout=TIMEOUT)
    text = dialog.text()
    assert f"Version: {__version__}" in text
    assert "CPU backend" in text  # the test venv's llama.cpp is a CPU build
    assert f"Qt {qVersion()}" in text
    assert f"Data folder: {tmp_path / 'data'}" in text
    assert "Models folder: " in text
    assert MODEL_LICENCE in text and "usage policy" in MODEL_LICENCE
    menu.about_action.trigger()  # shown again, not rebuilt
    assert menu.about_dialog is dialog


def test_guide_viewer_shows_the_bundled_guide_read_only(qtbot, window) -> None:
    menu = help_menu(window)
    assert menu.guide_action.shortcut() == QKeySequence(QKeySequence.StandardKey.HelpContents)
    menu.guide_action.trigger()
    viewer = menu.guide_viewer
    assert viewer is not None and viewer.isVisible()
    text = viewer.browser.toPlainText()
    assert "Starter policies" in text and "Front matter" in text
    assert "# Starter" not in text  # rendered as Markdown, not shown raw
    assert viewer.browser.isReadOnly()
    assert viewer.browser.textCursor().position() == 0  # opens at the top
    # written for policy writers: no module paths or test files of the app's own code
    assert "app.core" not in text and "tests/" not in text
    area = viewer.screen().availableGeometry()
    assert viewer.frameGeometry().height() <= area.height()  # Close stays on screen


def test_guide_markup_stays_text_and_loads_nothing(qtbot, tmp_path) -> None:
    guide = tmp_path / "README.md"
    guide.write_text(
        "# Guide\n\n<b>not bold</b> <img src='http://127.0.0.1:9/x.png'>\n\n"
        "![remote](http://127.0.0.1:9/y.png) [link](http://127.0.0.1:9/)\n",
        encoding="utf-8",
    )
    viewer = GuideViewer(path=guide)
    qtbot.addWidget(viewer)
    asked: list[QUrl] = []
    original = viewer.browser.loadResource
    viewer.browser.loadResource = lambda kind, url: asked.append(url) or original(kind, url)
    viewer.show()
    qtbot.waitExposed(viewer)
    text = viewer.browser.toPlainText()
    assert "<b>not bold</b>" in text  # raw HTML is shown as the characters typed
    assert "<img src=" in text
    assert viewer.browser.document().toHtml().count("<b>") == 0
    assert viewer.browser.openLinks() is False and viewer.browser.openExternalLinks() is False
    assert original(0, QUrl("http://127.0.0.1:9/y.png")) is None


def test_a_missing_guide_says_what_to_do(qtbot, tmp_path) -> None:
    viewer = GuideViewer(path=tmp_path / "nowhere" / "README.md")
    qtbot.addWidget(viewer)
    text = viewer.browser.toPlainText()
    assert "is missing; reinstall the app." in text and text.count(".") >= 1


class _UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_open_data_folder_asks_the_desktop_for_the_data_folder(window, tmp_path) -> None:
    catcher = _UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    try:
        help_menu(window).open_data_action.trigger()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [Path(url.toLocalFile()) for url in catcher.urls] == [tmp_path / "data"]


def test_report_a_problem_copies_diagnostics_without_policy_or_case_text(
    qtbot, tmp_path, monkeypatch
) -> None:
    model = isolate_gui_env(monkeypatch, tmp_path)
    error = "The model file is not a gpt-oss model; choose another in Models."
    policy = tmp_path / "mine.md"
    policy.write_text(SAMPLE_POLICY + "\nSECRET-POLICY-RULE never share this\n", "utf-8")
    cases = [replace(SAMPLE_CASES[0], content="SECRET-CASE-CONTENT pay the fee")]
    save_cases(cases_path_for(policy), cases)
    settings = open_settings()
    configure_model(settings, model)
    win = shown_window(qtbot, FakeScript(delay=0.0, fail_load=error), policy, settings)
    try:
        with qtbot.waitSignal(win.runner.runEnded, timeout=TIMEOUT):  # a real failed load
            win.runner.run_current()
        QGuiApplication.clipboard().setText("")
        help_menu(win).report_action.trigger()
        clipboard = QGuiApplication.clipboard()
        qtbot.waitUntil(lambda: "diagnostics" in clipboard.text(), timeout=TIMEOUT)
        report = clipboard.text()
        assert f"version: {__version__}" in report
        assert "backend: CPU" in report and "gpu: " in report
        assert f"last engine error: {error}" in report
        assert "SECRET" not in report and "pay the fee" not in report
        assert "copied to the clipboard" in win.statusBar().currentMessage()
    finally:
        win.shutdown()


def test_when_facts_cannot_be_gathered_each_place_says_so(qtbot, window, monkeypatch) -> None:
    def broken():
        raise OSError("the llama.cpp library did not load")

    monkeypatch.setattr(menu_module, "gather_facts", broken)
    menu = help_menu(window)
    menu.report_action.trigger()
    status = window.statusBar()
    qtbot.waitUntil(lambda: "could not be gathered" in status.currentMessage(), timeout=TIMEOUT)
    assert "did not load" in status.currentMessage() and "try again" in status.currentMessage()
    menu.about_action.trigger()
    label = menu.about_dialog.values["llama.cpp"]
    qtbot.waitUntil(lambda: "did not load" in label.text(), timeout=TIMEOUT)
    assert label.text().startswith("unknown (")


def test_diagnostics_without_an_engine_error_say_none() -> None:
    facts = AppFacts(
        version="9.9", python="3.11", qt="6.11", pyside="6.11", llama_cpp_python="0.3",
        backend="Metal", gpu="Apple M3", system_info="METAL = 1", data_dir=Path("/d"),
        models_dir=Path("/m"), install="bundle at /opt/x", platform="Darwin 23 (arm64)",
    )  # fmt: skip
    text = diagnostics_text(facts)
    assert text.splitlines()[0] == "Safeguard Studio diagnostics"
    assert "backend: Metal" in text and "gpu: Apple M3" in text
    assert "last engine error: none" in text and text.endswith("\n")
