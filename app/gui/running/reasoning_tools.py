"""Find in the reasoning, and the reasoning's right-click menu (Copy, Find…).

The find bar under the reasoning is a ``TextFindBar`` (app.gui.shared.text_find). Edit ▸ Find in reasoning (Ctrl+Shift+F) and the menu's
Find… open it. The text stays plain: the match is the view's selection.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QMenu,
    QPlainTextEdit,
)

from app.gui.shared.text_find import TextFindBar


def install_reasoning_menu(view: QPlainTextEdit, finder: TextFindBar) -> None:
    """Right-click on the reasoning: Copy (the selection, or all of it) and Find…."""
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def show(pos: QPoint) -> None:
        menu = reasoning_menu(view, finder)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(view.viewport().mapToGlobal(pos))

    view.customContextMenuRequested.connect(show)


def reasoning_menu(view: QPlainTextEdit, finder: TextFindBar) -> QMenu:
    """Copy and Find… for the reasoning view."""
    menu = QMenu(view)
    copy = menu.addAction("Copy")
    copy.triggered.connect(
        lambda: QGuiApplication.clipboard().setText(
            view.textCursor().selectedText().replace("\u2029", "\n") or view.toPlainText()
        )
    )
    copy.setEnabled(bool(view.toPlainText()))
    menu.addAction("Find…").triggered.connect(finder.open_bar)
    return menu
