"""Edit ▸ Undo, Redo, Cut, Copy, Paste, Select all, routed to the widget that has focus.

A text field or editor with focus gets its own operation (the policy editor and the case
content keep their own undo history while one types); anywhere else Undo and Redo take
back the step done last, in the policy document (a restored version, an applied
suggestion) or in the open test set's ``QUndoStack`` (add, delete, duplicate, paste,
import, edits), whichever came later (``app.gui.shared.undo_order``),
and in the case table Copy copies the selected cases' content, Paste adds the clipboard's
lines as cases and Select all selects every case. Text widgets take Ctrl+Z and friends
before a window shortcut sees them, so each key has one owner at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from app.gui.shared.undo_order import UndoOrder

TEXT_WIDGETS = (QLineEdit, QPlainTextEdit, QTextEdit)


@dataclass
class EditTargets:
    """What the Edit actions act on when no text widget has focus."""

    undo_stack: QUndoStack
    table: QAbstractItemView  # the case table
    copy_cases: Callable[[], str]  # the selected cases' content
    paste_cases: Callable[[str], object]  # add cases from pasted text
    order: UndoOrder | None = None  # policy document and test set in one order


def _text_widget() -> QWidget | None:
    widget = QApplication.focusWidget()
    return widget if isinstance(widget, TEXT_WIDGETS) else None


def _route(targets: EditTargets, operation: str) -> None:
    widget = _text_widget()
    if widget is not None:
        getattr(widget, operation)()
        return
    if operation in ("undo", "redo") and targets.order is not None:
        targets.order.step(redo=operation == "redo")
    elif operation in ("undo", "redo"):
        getattr(targets.undo_stack, operation)()
    elif operation == "copy" and QApplication.focusWidget() is targets.table:
        QGuiApplication.clipboard().setText(targets.copy_cases())
    elif operation == "paste" and QApplication.focusWidget() is targets.table:
        text = QGuiApplication.clipboard().text()
        if text.strip():
            targets.paste_cases(text)
    elif operation == "selectAll" and QApplication.focusWidget() is targets.table:
        targets.table.selectAll()


def _next_step(targets: EditTargets, redo: bool) -> str | None:
    """What Undo (Redo) outside a text field would do; None when nothing."""
    if targets.order is not None:
        return targets.order.describe(redo) if targets.order.next_source(redo) else None
    stack = targets.undo_stack
    if not (stack.canRedo() if redo else stack.canUndo()):
        return None
    return stack.redoText() if redo else stack.undoText()


def add_edit_actions(menu: QMenu, parent: QWidget, targets: EditTargets) -> dict[str, QAction]:
    """Undo … Select all at the top of ``menu``; returns them by operation name."""
    keys = QKeySequence.StandardKey
    rows = (
        ("undo", "&Undo", keys.Undo),
        ("redo", "&Redo", keys.Redo),
        None,
        ("cut", "Cu&t", keys.Cut),
        ("copy", "&Copy", keys.Copy),
        ("paste", "&Paste", keys.Paste),
        ("selectAll", "Select &all", keys.SelectAll),
        None,
    )
    actions: dict[str, QAction] = {}
    for row in rows:
        if row is None:
            menu.addSeparator()
            continue
        name, text, key = row
        action = QAction(text, parent)
        action.setShortcuts(key)  # every platform binding (Redo: Ctrl+Shift+Z and Ctrl+Y)
        action.triggered.connect(lambda _=False, n=name: _route(targets, n))
        menu.addAction(action)
        actions[name] = action

    def describe() -> None:  # say what Undo would undo, like every editor does
        in_text = _text_widget() is not None
        for name, redo in (("undo", False), ("redo", True)):
            what = "" if in_text else _next_step(targets, redo)
            actions[name].setText(f"&{name.title()} {what or ''}".strip())  # never "Redo None"
            actions[name].setEnabled(in_text or what is not None)

    def enable() -> None:  # the keys work whatever the menu last showed
        for action in actions.values():
            action.setEnabled(True)

    menu.aboutToShow.connect(describe)
    menu.aboutToHide.connect(enable)
    return actions
