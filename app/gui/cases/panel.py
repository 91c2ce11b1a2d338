"""The test-content side: the case table with its filter, and the current case's editor.

Owns the ``CaseTableModel`` (through a filter proxy, shown by the view
:func:`~app.gui.cases.table_view.case_table_view` builds), the ``CaseEditor`` below it and
the test set's ``QUndoStack``: add, duplicate, delete, paste many, import and every edit of
content, prompt, expected label or notes go through it, so Ctrl+Z undoes them and the set is
"modified" exactly while the stack is away from its saved state. The current case is the
table's current row (the selection model's current index mapped through the proxy); it
drives the editor, the result view and Run case. A right-click menu on cases offers Run,
Duplicate, Delete, Copy content and Copy result (``case_menu``).
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QSplitter, QToolButton, QVBoxLayout, QWidget

from app.core.cases import TestCase
from app.gui.cases.analysis_model import AnalysedCaseModel
from app.gui.cases.case_menu import install_case_menu
from app.gui.cases.editor import CaseEditor
from app.gui.cases.filter import CaseIdFilterProxy, focus_combo
from app.gui.cases.model import CaseRole
from app.gui.cases.paste_dialog import PasteCasesDialog
from app.gui.cases.table_view import case_table_view
from app.gui.cases.undo import EditCase, InsertCases, RemoveCases


class CasePanel(QWidget):
    """Table + filter + case editor + undo stack. Signals: selection and modification."""

    currentCaseChanged = Signal(str)  # case id, "" when nothing is selected
    modificationChanged = Signal(bool)
    caseContentEdited = Signal(str)  # case id
    runRequested = Signal()  # "Run" in the case menu: run the current case
    message = Signal(str)  # one sentence for the status bar

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = AnalysedCaseModel(self)  # cases, results, stability and triage
        self.proxy = CaseIdFilterProxy(self)  # text filter + confusion-cell id filter
        self.proxy.setSourceModel(self.model)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self._modified = False
        self._current_id = ""
        self._labels: list[str] = ["0", "1"]
        self._violating: set[str] = {"1"}
        self._build()

    # --- construction ---------------------------------------------------------------
    def _build(self) -> None:
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter cases…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMinimumWidth(self.fontMetrics().horizontalAdvance("Filter cases…") + 40)
        self.filter_edit.textChanged.connect(self.proxy.set_filter_text)
        self.add_button = self._tool("Add", "Add an empty case", self.add_case)
        self.duplicate_button = self._tool(
            "Duplicate", "Duplicate the selected case", self.duplicate_case
        )
        self.delete_button = self._tool(
            "Delete", "Delete the selected cases (Ctrl+Z brings them back)", self.delete_selected
        )
        self.paste_button = self._tool(
            "Paste many…", "Add many cases from pasted text", self.paste_many
        )
        self.filter_chip = self._tool("", "Show every case again", self.clear_case_filter)
        self.filter_chip.setObjectName("filterChip")
        self.filter_chip.setVisible(False)
        self._filter_note = ""
        self.proxy.caseFilterChanged.connect(self._show_chip)
        self.focus_combo = focus_combo(self.proxy)
        self.bar = QHBoxLayout()
        self.bar.setContentsMargins(0, 0, 0, 0)
        self.bar.addWidget(self.filter_edit, 1)
        self.bar.addWidget(self.focus_combo)
        for button in (
            self.add_button,
            self.duplicate_button,
            self.delete_button,
            self.paste_button,
        ):
            self.bar.addWidget(button)

        self.table = case_table_view(self.proxy, self.fontMetrics())
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.result_context = None  # the window's Callable[[], ResultContext] for Copy result
        install_case_menu(self)
        self.editor = CaseEditor()
        self.editor_box = self.editor  # enabled only while a case is shown
        self.content_edit = self.editor.content_edit
        self.expected_combo = self.editor.expected_combo
        self.notes_edit = self.editor.notes_edit
        self.editor.contentEdited.connect(lambda text: self._edit("content", text))
        self.editor.promptEdited.connect(lambda text: self._edit("prompt", text))
        self.editor.expectedChosen.connect(lambda label: self._edit("expected", label))
        self.editor.notesEdited.connect(lambda text: self._edit("notes", text))

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(self.bar)
        # the chip gets a row of its own while shown: beside the buttons it made the row so
        # wide that a 1024-pixel window squeezed the policy editor to a few characters
        top_layout.addWidget(self.filter_chip, 0, Qt.AlignmentFlag.AlignLeft)
        top_layout.addWidget(self.table, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("caseSplitter")
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.editor)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        QWidget.setTabOrder(self.table, self.editor.prompt_edit)  # hidden: on to the content
        QWidget.setTabOrder(self.editor.prompt_edit, self.content_edit)
        self.editor.set_labels(self._labels, self._violating)
        self.editor.show_case(None)

    def _tool(self, text: str, tip: str, slot) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(False)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    # --- the confusion-cell filter ------------------------------------------------------
    def describe_case_filter(self, note: str) -> None:
        """What the next id filter shows ("expected 1 · predicted 0"), for the chip."""
        self._filter_note = note

    def filter_cases(self, case_ids: list[str] | None) -> None:
        """Show only these cases (None: all of them)."""
        self.proxy.set_case_filter(case_ids)

    def clear_case_filter(self) -> None:
        self.proxy.set_case_filter(None)

    def _show_chip(self, active: bool) -> None:
        shown = len(self.proxy.case_filter() or ())
        note = self._filter_note or f"{shown} cases"
        self.filter_chip.setText(f"Filtered: {note} ✕")
        self.filter_chip.setToolTip(f"{shown} of {self.model.row_count()} cases shown; show all")
        self.filter_chip.setVisible(active)
        if not active:
            self._filter_note = ""

    # --- document state -------------------------------------------------------------
    def cases(self) -> list[TestCase]:
        return self.model.cases()

    def set_cases(self, cases: list[TestCase]) -> None:
        """Show another test set: a fresh undo history, nothing modified."""
        self.undo_stack.clear()
        self.model.set_cases(cases)
        self.set_modified(False)
        if cases:
            self.select_case(self.model.case_at(0).id)
        else:
            self._show("")

    def is_modified(self) -> bool:
        return self._modified

    def set_modified(self, modified: bool) -> None:
        if not modified and not self.undo_stack.isClean():
            self.undo_stack.setClean()  # saved: this is the state to come back to
        if modified != self._modified:
            self._modified = modified
            self.modificationChanged.emit(modified)

    def _on_clean_changed(self, clean: bool) -> None:
        if clean != (not self._modified):
            self._modified = not clean
            self.modificationChanged.emit(self._modified)

    def set_labels(self, labels: list[str], violating: set[str]) -> None:
        """The policy's labels for the expected-label combos."""
        if list(labels) == self._labels and set(violating) == self._violating:
            return
        self._labels, self._violating = list(labels), set(violating)
        self.editor.set_labels(self._labels, self._violating)
        self.editor.show_case(self.model.case(self._current_id))

    def labels(self) -> list[str]:
        return list(self._labels)

    # --- selection ------------------------------------------------------------------
    def current_case_id(self) -> str:
        """The case of the table's current row (the one highlighted and in the editor)."""
        index = self.table.selectionModel().currentIndex()
        return str(index.data(CaseRole.CASE_ID)) if index.isValid() else ""

    def select_case(self, case_id: str) -> bool:
        row = self.model.row_of(case_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():  # filtered out: clear the filters so it can be shown
            self.filter_edit.clear()
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            self.proxy.set_case_filter(None)
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.scrollTo(index)
        return True

    def selected_ids(self) -> list[str]:
        rows = self.table.selectionModel().selectedRows()
        ids = [str(index.data(CaseRole.CASE_ID)) for index in rows]
        current = self.current_case_id()
        return ids or ([current] if current else [])

    def selected_content(self) -> str:
        """The selected cases' content, one case after another (Copy in the table)."""
        return "\n\n".join(c.content for i in self.selected_ids() if (c := self.model.case(i)))

    def visible_case_ids(self) -> list[str]:
        """Case ids in the table's current (sorted, filtered) order."""
        return [
            str(self.proxy.index(row, 0).data(CaseRole.CASE_ID))
            for row in range(self.proxy.rowCount())
        ]

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        case_id = str(current.data(CaseRole.CASE_ID)) if current.isValid() else ""
        self._current_id = case_id
        self.editor.show_case(self.model.case(case_id))
        self.currentCaseChanged.emit(case_id)

    def _show(self, case_id: str) -> None:
        """Select ``case_id`` and refresh the editor (after an edit, undo or redo)."""
        if case_id and case_id != self._current_id:
            self.select_case(case_id)
        elif not case_id:
            self.table.selectionModel().clear()
            self._current_id = ""
            self.currentCaseChanged.emit("")
        self.editor.show_case(self.model.case(self._current_id))

    # --- editing (every change is an undo step) -------------------------------------
    def _edit(self, field: str, value: str) -> None:
        case_id = self._current_id
        if not case_id:
            return
        self.undo_stack.push(EditCase(self.model, self._show, case_id, field, value))
        if field in ("content", "prompt"):  # what the model sees changed
            self.caseContentEdited.emit(case_id)

    def add_cases(self, cases: list[TestCase], row: int | None = None, text: str = "") -> list[str]:
        """Insert cases (ids kept where free) as one undo step; the first is shown."""
        if not cases:
            return []
        what = text or (f"Add {len(cases)} cases" if len(cases) > 1 else "Add case")
        command = InsertCases(self.model, self._show, cases, row, what)
        self.undo_stack.push(command)
        return list(command.ids)

    def add_case(self, content: str = "", expected: str = "") -> str:
        case_id = self.add_cases([TestCase("", content or "", expected)])[0]
        self.content_edit.setFocus()
        return case_id

    def add_many(self, contents: list[str], expected: str = "") -> list[str]:
        return self.add_cases([TestCase("", text, expected) for text in contents])

    def duplicate_case(self) -> str:
        case = self.model.case(self._current_id)
        if case is None:
            return ""
        row = self.model.row_of(case.id) + 1
        copy = case.copy(id="")
        return self.add_cases([copy], row, "Duplicate case")[0]

    def delete_selected(self) -> None:
        ids = [case_id for case_id in self.selected_ids() if self.model.case(case_id)]
        if not ids:
            return
        what = f"Delete {len(ids)} cases" if len(ids) > 1 else "Delete case"
        self.undo_stack.push(RemoveCases(self.model, self._show, ids, what))
        back = "them" if len(ids) > 1 else "it"
        self.message.emit(f"{what.replace('Delete', 'Deleted')}; Ctrl+Z brings {back} back.")

    def paste_many(self, text: str | None = None) -> PasteCasesDialog:
        """Open the (window-modal, non-blocking) paste dialog; accepted text becomes cases."""
        dialog = PasteCasesDialog(self._labels, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if text:
            dialog.set_text(text)
        dialog.accepted.connect(lambda: self.add_many(dialog.contents(), dialog.expected()))
        dialog.open()
        return dialog

    # --- what other features change (the ports of app.gui.shared.ports) -----------------
    def expected_label(self, case_id: str) -> str:
        case = self.model.case(case_id)
        return case.expected if case is not None else ""

    def set_expected(self, case_id: str, label: str) -> None:
        """A label decided elsewhere (triage, review); a later save keeps it."""
        self.model.update_case(case_id, expected=label)

    def keep_cases(self, case_ids: list[str]) -> None:
        """Keep only these cases (a review kept its reviewed ones); the set is modified."""
        self.model.set_cases([c for c in self.cases() if c.id in set(case_ids)])
        self.set_modified(True)

    def show_analysis(self, stability: dict, triage: dict[str, str], failed: set[str]) -> None:
        self.model.set_analysis(stability, triage, failed)

    def has_result(self, case_id: str) -> bool:
        return self.model.entry(case_id) is not None

    def set_results(self, items: list) -> int:
        """Stored results into the table; how many it shows."""
        return self.model.set_results(items)

    def highlight_phrases(self, phrases: list[str]) -> None:
        """Highlight quoted phrases in the selected case's text (extra selections)."""
        self.editor.highlight_phrases(phrases)
