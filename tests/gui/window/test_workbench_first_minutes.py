"""The first minutes: a start page, a model badge that leads somewhere, a window and
dialogs that fit the screen, plain-text outlines, emoji, and highlights after a theme switch."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QByteArray, QRect, Qt  # noqa: E402
from PySide6.QtGui import QFont, QFontInfo, QTextCharFormat  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.gui.cases.table_view import MIN_ROWS  # noqa: E402
from app.gui.policy.outline import outline_entries  # noqa: E402
from app.gui.shared import options  # noqa: E402
from app.gui.shared.fonts import emoji_family  # noqa: E402
from app.gui.shared.theme import apply_theme  # noqa: E402
from tests.support.fake_engine import FakeEngineFactory, FakeScript  # noqa: E402
from tests.support.gui_window import open_workbench, shut  # noqa: E402

PLAIN = (
    "Spam policy\n\nDEFINITIONS\nSpam: bulk.\n\nSP2 – Promotion\nAds.\n\nLABEL FORMAT\n0 or 1\n"
    "\nEXAMPLES\nContent: Buy now!!!\nAnswer:\nINVALID\n"  # an answer, not a section
)


@pytest.fixture
def empty_window(qtbot, tmp_path, monkeypatch):
    win = open_workbench(
        qtbot, tmp_path, monkeypatch, FakeEngineFactory(FakeScript()), with_model=False,
        policy=False,
    )  # fmt: skip
    yield win
    shut(win)


def test_the_empty_window_opens_on_a_start_page(empty_window, qtbot):
    win = empty_window
    page = win.start_page
    assert win.central.currentWidget() is page
    assert page.template_buttons and page.open_button.isVisible()
    assert page.models_button.isVisible() and page.server_button.isVisible()
    qtbot.mouseClick(page.template_buttons[0], Qt.MouseButton.LeftButton)
    assert win.central.currentWidget() is win.main_splitter
    assert win.policy_panel.text().strip() and win.case_panel.cases()


def test_start_page_and_badge_lead_to_models_and_the_server_settings(
    empty_window, qtbot, monkeypatch
):
    win = empty_window
    qtbot.mouseClick(win.start_page.models_button, Qt.MouseButton.LeftButton)
    assert win.models_dialog is not None and win.models_dialog.isVisible()
    win.models_dialog.close()
    qtbot.mouseClick(win.status.engine_label, Qt.MouseButton.LeftButton)
    assert win.models_dialog.isVisible()
    win.models_dialog.close()
    pages = []

    def exec_(dialog) -> int:
        pages.append(dialog.backend_page.backend_combo.currentData())
        return 0

    from app.gui.settings.dialog import SettingsDialog

    monkeypatch.setattr(SettingsDialog, "exec", exec_)
    qtbot.mouseClick(win.start_page.server_button, Qt.MouseButton.LeftButton)
    assert pages == ["remote"]


def test_window_and_case_list_fit_the_screen(empty_window, qtbot):
    win = empty_window
    area = QApplication.primaryScreen().availableGeometry()
    assert win.frameGeometry().width() <= area.width()
    assert win.frameGeometry().height() <= area.height()
    table = win.case_panel.table
    rows = table.verticalHeader().defaultSectionSize()
    assert table.minimumHeight() >= MIN_ROWS * rows
    # a saved geometry from a larger monitor is not restored off-screen
    far = QRect(area.right() + 400, 50, 1600, 1000)
    win.setGeometry(far)
    options.put(win.settings, options.GEOMETRY, QByteArray(win.saveGeometry()))
    from app.gui.shared.layout_state import restore_layout

    restore_layout(win.settings, win, {})
    assert area.contains(win.frameGeometry().topLeft())
    assert win.frameGeometry().width() <= area.width()


def test_confusion_headers_elide_with_tooltips(empty_window):
    view = empty_window.metrics_panel.confusion_view
    assert view.horizontalHeader().textElideMode() == Qt.TextElideMode.ElideRight
    assert view.verticalHeader().textElideMode() == Qt.TextElideMode.ElideRight


def test_plain_text_policies_get_an_outline_and_emoji_a_font(empty_window, qtbot):
    titles = [(e.kind, e.title) for e in outline_entries(PLAIN)]
    assert titles == [
        ("heading", "DEFINITIONS"),
        ("heading", "SP2 – Promotion"),  # a tier line is a section
        ("rule", "SP2  Promotion"),
        ("heading", "LABEL FORMAT"),
        ("heading", "EXAMPLES"),
    ]
    apply_theme(QApplication.instance(), "system")
    family = emoji_family()
    if family:  # fonts-noto-color-emoji (or another emoji font) is installed
        for font in (empty_window.policy_panel.editor.font(), QApplication.font()):
            substitutes = QFont.substitutes(QFontInfo(font).family())
            assert family.casefold() in [name.casefold() for name in substitutes]
        assert QFontInfo(QApplication.font()).family() != family  # letters keep theirs


def colours(editor) -> tuple[int, int]:
    """Lightness of the text and background of the case editor's first highlight."""
    selections = editor.content_edit.extraSelections()
    fmt = QTextCharFormat(selections[0].format)
    text, background = fmt.foreground().color(), fmt.background().color()
    return text.lightness(), background.lightness()


def test_switching_theme_recolours_the_quote_highlights(empty_window, qtbot):
    win = empty_window
    qtbot.mouseClick(win.start_page.blank_button, Qt.MouseButton.LeftButton)
    win.case_panel.add_case("Pay the fee now")
    editor = win.case_panel.editor
    app = QApplication.instance()
    try:
        apply_theme(app, "light")
        editor.highlight_phrases(["fee"])
        light = colours(editor)
        apply_theme(app, "dark")
        qtbot.waitUntil(lambda: colours(editor) != light, timeout=2000)
        text, background = colours(editor)
        assert text > background  # light text on the dark highlight, never white on pale
    finally:
        apply_theme(app, "system")
