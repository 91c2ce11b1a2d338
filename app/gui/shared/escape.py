"""Esc for a bar inside the window: it closes the bar, never the window's Esc action.

The window's *Cancel run* is on Esc. A find bar that also wants Esc (to close itself) must
take the key before the window's shortcut sees it; two shortcuts on one key would make Qt
call neither (an "ambiguous" shortcut) or cancel a run the user meant to keep. Qt asks the
focused widget first with a ``ShortcutOverride`` event; accepting it for Esc turns the key
into a plain key press for that widget, which then closes the bar.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QWidget


class EscapeCloses(QObject):
    """Event filter: Esc pressed in any of the watched widgets calls ``close``."""

    def __init__(self, parent: QObject, close: Callable[[], None]) -> None:
        super().__init__(parent)
        self._close = close

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) and (
            isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
        ):
            event.accept()
            if kind == QEvent.Type.KeyPress:
                self._close()
            return True
        return super().eventFilter(watched, event)


def escape_closes(bar: QWidget, close: Callable[[], None]) -> EscapeCloses:
    """Make Esc in ``bar`` or any widget in it call ``close`` (and nothing else)."""
    claim = EscapeCloses(bar, close)
    for widget in (bar, *bar.findChildren(QWidget)):
        widget.installEventFilter(claim)
    return claim
