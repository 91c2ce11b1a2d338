"""Windows and dialogs that fit the screen they open on (down to a 1024×700 laptop).

``fit_to_screen`` gives a dialog its preferred size, shrunk to the available area of its
screen (minus a margin for the title bar and panels), so its buttons are never off-screen.
``restore_fitting`` restores a saved window geometry only where it fits an available screen;
otherwise the window gets a fitting size, centred on the primary screen. It also pins the
window's minimum size: without that, Qt raises a top-level window's minimum to its layout's
(the filter chip or a run's progress adding a row), and with no window manager to refuse,
the window grows past the bottom of a small screen, status bar and all.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRect
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

MARGIN = 0.94  # of the available area: room for the frame and the desktop's panels
MIN_WIDTH, MIN_HEIGHT = 640, 480  # the window's own minimum, never above the screen


def _screen(widget: QWidget) -> QScreen | None:
    parent = widget.parentWidget()
    screen = (parent.screen() if parent is not None else None) or widget.screen()
    return screen or QGuiApplication.primaryScreen()


def available_area(widget: QWidget) -> QRect:
    """The part of the widget's screen (its parent's, for a dialog) windows may use."""
    screen = _screen(widget)
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1024, 700)


def fit_to_screen(widget: QWidget, width: int, height: int) -> None:
    """Resize to (width, height) or the most of the available area that is smaller."""
    area = available_area(widget)
    widget.resize(min(width, int(area.width() * MARGIN)), min(height, int(area.height() * MARGIN)))


def fits_a_screen(rect: QRect) -> bool:
    """Whether ``rect`` lies inside the available area of one screen."""
    return any(
        screen.availableGeometry().contains(rect, False) for screen in QGuiApplication.screens()
    )


def pin_minimum(window: QWidget) -> None:
    """An explicit minimum size that fits the screen, so the layout's never overrides it."""
    area = available_area(window)
    window.setMinimumSize(
        min(MIN_WIDTH, int(area.width() * MARGIN)), min(MIN_HEIGHT, int(area.height() * MARGIN))
    )


def restore_fitting(window: QWidget, saved: QByteArray | bytes | None, width: int, height: int):
    """Restore ``saved`` geometry where it fits a screen; else a fitting, centred size."""
    pin_minimum(window)
    restored = saved is not None and window.restoreGeometry(QByteArray(saved))
    if restored and (fits_a_screen(window.frameGeometry()) or window.isMaximized()):
        return
    fit_to_screen(window, width, height)
    area = available_area(window)
    frame = window.frameGeometry()
    frame.moveCenter(area.center())
    window.move(max(area.left(), frame.left()), max(area.top(), frame.top()))
