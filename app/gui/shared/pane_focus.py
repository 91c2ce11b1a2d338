"""F6 and Shift+F6: move the keyboard between the window's panes.

The policy editor keeps Tab for itself and the case table has many stops, so walking
from the policy to the cases with Tab takes long or is impossible. F6 goes to the next
pane (policy editor, case table, case content, the open result tab) and Shift+F6 back,
as in most editors and browsers; the pane that has the focus, or holds it, is the start.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

Pane = QWidget | Callable[[], QWidget | None]  # a widget, or how to find it now


def _focusable(widget: QWidget | None) -> QWidget | None:
    """The widget, or for a page that takes no focus its first child that does."""
    if widget is None or not widget.isVisible() or not widget.isEnabled():
        return None
    if widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
        return widget
    for child in widget.findChildren(QWidget):
        if (
            child.isVisible()
            and child.isEnabled()
            and child.focusPolicy() & Qt.FocusPolicy.TabFocus
        ):
            return child
    return None


class PaneCycle:
    """Cycle the focus through panes in order, skipping hidden or disabled ones."""

    def __init__(self, panes: Sequence[Pane]) -> None:
        self._panes = list(panes)

    def _widgets(self) -> list[QWidget | None]:
        return [pane() if callable(pane) and not isinstance(pane, QWidget) else pane
                for pane in self._panes]  # fmt: skip

    def _current(self, widgets: list[QWidget | None]) -> int:
        focus = QApplication.focusWidget()
        for index, widget in enumerate(widgets):
            if (
                widget is not None
                and focus is not None
                and (focus is widget or widget.isAncestorOf(focus))
            ):
                return index
        return -1

    def _step(self, step: int) -> QWidget | None:
        widgets = self._widgets()
        start = self._current(widgets)
        for offset in range(1, len(widgets) + 1):
            widget = widgets[(start + step * offset) % len(widgets)]
            target = _focusable(widget)
            if target is not None:
                target.setFocus(Qt.FocusReason.ShortcutFocusReason)
                return target
        return None

    def next(self) -> QWidget | None:
        return self._step(1)

    def previous(self) -> QWidget | None:
        return self._step(-1)
