"""The walkthrough's own checks (scripts/walkthrough_journeys.py) pass on the window as it
is and fail loudly when a key changes data or a window leaves the screen."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from scripts.walkthrough_journeys import WalkthroughError, check_fits, tab_tour  # noqa: E402
from tests.support.fake_engine import FakeEngineFactory, FakeScript  # noqa: E402
from tests.support.gui_window import open_workbench, shut  # noqa: E402


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    win = open_workbench(qtbot, tmp_path, monkeypatch, FakeEngineFactory(FakeScript(delay=0)))
    yield win
    win.policy_panel.set_modified(False)
    win.case_panel.set_modified(False)
    shut(win)


def test_the_tab_tour_goes_around_and_changes_nothing(window) -> None:
    shots: list[str] = []
    tab_tour(window, shots.append)
    assert shots == ["tab-case-table", "tab-expected", "shift-tab-outline"]


def test_the_tab_tour_fails_when_a_key_changes_a_case(window) -> None:
    from PySide6.QtGui import QUndoCommand

    notes = window.case_panel.editor

    def scribble(_old, new) -> None:  # a focus change that leaves an undo step
        if new is not None and new is notes.expected_combo:
            window.case_panel.undo_stack.push(QUndoCommand("scribble"))

    app = QApplication.instance()
    app.focusChanged.connect(scribble)
    try:
        with pytest.raises(WalkthroughError, match="case undo stack"):
            tab_tour(window, lambda _step: None)
    finally:
        app.focusChanged.disconnect(scribble)


def test_a_window_past_the_screen_fails(qtbot) -> None:
    screen = QApplication.primaryScreen().availableGeometry()
    big = QWidget()
    qtbot.addWidget(big)
    big.setGeometry(screen.x(), screen.y(), screen.width() + 40, screen.height())
    big.show()
    with pytest.raises(WalkthroughError, match="is not within the screen"):
        check_fits(big, "a test")
    big.setGeometry(screen.x() + 20, screen.y() + 20, screen.width() // 2, screen.height() // 2)
    check_fits(big, "a test")


def test_a_squeezed_button_fails_the_label_check(qtbot) -> None:
    from PySide6.QtWidgets import QPushButton, QVBoxLayout

    from scripts.walkthrough_journeys import check_labels

    box = QWidget()
    qtbot.addWidget(box)
    button = QPushButton("Gold label wrong")
    QVBoxLayout(box).addWidget(button)
    box.resize(300, 80)
    box.show()
    qtbot.waitExposed(box)
    check_labels(box, "a test")
    button.setGeometry(0, 0, button.minimumSizeHint().width(), 9)  # squeezed in height
    with pytest.raises(WalkthroughError, match="text cut off in QPushButton"):
        check_labels(box, "a test")
    button.setGeometry(0, 0, 40, button.minimumSizeHint().height())  # and in width
    with pytest.raises(WalkthroughError, match="40×"):
        check_labels(box, "a test")


def test_a_page_wider_than_its_tab_fails_the_sideways_check(qtbot) -> None:
    from PySide6.QtWidgets import QScrollArea, QVBoxLayout

    from scripts.walkthrough_journeys import check_no_sideways

    holder = QWidget()
    qtbot.addWidget(holder)
    area = QScrollArea()
    area.setWidgetResizable(True)
    page = QWidget()
    area.setWidget(page)
    QVBoxLayout(holder).addWidget(area)
    holder.resize(300, 200)
    holder.show()
    qtbot.waitExposed(holder)
    check_no_sideways(holder, "a test")
    page.setMinimumWidth(900)
    qtbot.wait(20)
    with pytest.raises(WalkthroughError, match="scrolls sideways"):
        check_no_sideways(holder, "a test")
