"""The Review window opens within the screen: it asked for 1100×760 whatever the screen,
past a 1024×700 laptop's edge (the Start review button off-screen). It now takes that size
or the most of a smaller screen, centred, and its setup bar still shows every label."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from app.gui.review.review_window import ReviewWindow
from scripts.walkthrough_journeys import cut_labels
from tests.support.review_data import stored_run


def test_the_review_window_fits_the_screen(tmp_path, qtbot) -> None:
    store, run_id, _cases = stored_run(tmp_path, 10, expected=True)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = ReviewWindow(store, settings, run_id)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    screen = QApplication.primaryScreen().availableGeometry()
    assert screen.width() < 1100 or screen.height() < 760  # the screen is the small one
    assert screen.contains(window.frameGeometry())
    window.resize(int(1024 * 0.94), int(700 * 0.94))  # what a 1024×700 screen gives it
    qtbot.wait(50)
    assert cut_labels(window) == []
    start = window.setup.start
    corner = start.mapTo(window, start.rect().topLeft())
    assert start.isVisible() and window.rect().contains(start.rect().translated(corner))
    store.close()
