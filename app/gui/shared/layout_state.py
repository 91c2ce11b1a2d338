"""Saving and restoring a window's geometry and splitter positions through the settings.

The geometry is restored only where it fits an available screen. A splitter is saved under
its object name; one with no saved state (or a state that does
not restore) gets its default sizes, or keeps the sizes its widget gave it (``None``).
"""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QSplitter, QWidget

from app.gui.shared import options
from app.gui.shared.screen_fit import restore_fitting


def restore_layout(
    settings: QSettings, window: QWidget, splitters: dict[QSplitter, list[int] | None]
) -> None:
    # a saved geometry only where it fits a screen now (monitors change); else 1280×800
    # or as much of the screen as there is
    restore_fitting(window, options.get(settings, options.GEOMETRY), 1280, 800)
    for splitter, default in splitters.items():
        state = options.get(settings, options.splitter_state(splitter.objectName()))
        if (state is None or not splitter.restoreState(state)) and default:
            splitter.setSizes(default)


def save_layout(settings: QSettings, window: QWidget, splitters: list[QSplitter]) -> None:
    options.put(settings, options.GEOMETRY, window.saveGeometry())
    for splitter in splitters:
        options.put(settings, options.splitter_state(splitter.objectName()), splitter.saveState())
