"""The right-click menu of the case table: Run, Duplicate, Delete, Copy content, Copy result.

``case_menu`` builds the menu for the panel's current case (tests trigger its actions);
``install_case_menu`` shows it where the user right-clicks, after making the clicked row the
current one so the menu always acts on the case that is highlighted. Copy result puts the
result as a Markdown block on the clipboard (``result_copy``) and says "Copied".
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMenu

from app.core.cases import TestCase
from app.gui.cases.model import CaseRole
from app.gui.shared.result_copy import ResultContext, result_markdown
from app.gui.shared.result_entry import ResultEntry


def copy_result(panel, case: TestCase, entry: ResultEntry) -> None:
    """Put the case's result on the clipboard as Markdown and say so."""
    context = panel.result_context() if panel.result_context else ResultContext()
    QGuiApplication.clipboard().setText(result_markdown(case, entry, context))
    panel.message.emit(f"Copied the result of case {case.id} (Markdown).")


def case_menu(panel) -> QMenu:
    """The menu for the panel's current case (actions disabled where they cannot act)."""
    menu = QMenu(panel.table)
    case_id = panel.current_case_id()
    case = panel.model.case(case_id)
    entry = panel.model.entry(case_id)
    clipboard = QGuiApplication.clipboard()
    actions = (
        ("Run", panel.runRequested.emit, case is not None),
        ("Duplicate", panel.duplicate_case, case is not None),
        ("Delete", panel.delete_selected, case is not None),
        None,
        ("Copy content", lambda: clipboard.setText(case.content), case is not None),
        ("Copy result", lambda: copy_result(panel, case, entry), entry is not None),
    )
    for item in actions:
        if item is None:
            menu.addSeparator()
            continue
        text, slot, enabled = item
        action = menu.addAction(text)
        action.triggered.connect(lambda _checked=False, s=slot: s())
        action.setEnabled(enabled)
    return menu


def install_case_menu(panel) -> None:
    """Open ``case_menu`` on right-click in the panel's table."""
    table = panel.table
    table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def show(pos: QPoint) -> None:
        index = table.indexAt(pos)
        if index.isValid() and not table.selectionModel().isRowSelected(index.row()):
            panel.select_case(str(index.data(CaseRole.CASE_ID)))
        menu = case_menu(panel)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(table.viewport().mapToGlobal(pos))

    table.customContextMenuRequested.connect(show)
