"""Saving and restoring a window's geometry and splitter positions through the settings.

A splitter is saved under its object name; one with no saved state (or a state that does
not restore) gets its default sizes, or keeps the sizes its widget gave it (``None``).
"""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QSplitter, QWidget

from app.gui.shared import options


def restore_layout(
    settings: QSettings, window: QWidget, splitters: dict[QSplitter, list[int] | None]
) -> None:
    geometry = options.get(settings, options.GEOMETRY)
    if geometry is not None:
        window.restoreGeometry(geometry)
    for splitter, default in splitters.items():
        state = options.get(settings, options.splitter_state(splitter.objectName()))
        if (state is None or not splitter.restoreState(state)) and default:
            splitter.setSizes(default)


def save_layout(settings: QSettings, window: QWidget, splitters: list[QSplitter]) -> None:
    options.put(settings, options.GEOMETRY, window.saveGeometry())
    for splitter in splitters:
        options.put(settings, options.splitter_state(splitter.objectName()), splitter.saveState())
