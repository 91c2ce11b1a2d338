"""The test-content side: the case table with its filter, and the selected case's editor.

Owns the ``CaseTableModel`` (through a filter proxy, shown by the view
:func:`~app.gui.cases.table_view.case_table_view` builds) and the add / duplicate / delete /
paste-many actions. The editor below the table shows the full text (plain text only), the
expected label (a combo of the policy's labels) and notes. Quoted phrases from the model's
reasoning can be highlighted in the case text with :meth:`highlight_phrases`.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.cases import TestCase
from app.gui.cases.filter import CaseIdFilterProxy
from app.gui.cases.model import CaseRole, CaseTableModel
from app.gui.cases.paste_dialog import PasteCasesDialog
from app.gui.cases.table_view import case_table_view
from app.gui.shared.highlights import make_selections, quote_format
from app.gui.shared.reasoning_marks import phrase_spans


class CasePanel(QWidget):
    """Table + filter + case editor. Signals: selection and modification events."""

    currentCaseChanged = Signal(str)  # case id, "" when nothing is selected
    modificationChanged = Signal(bool)
    caseContentEdited = Signal(str)  # case id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = CaseTableModel(self)
        self.proxy = CaseIdFilterProxy(self)  # text filter + confusion-cell id filter
        self.proxy.setSourceModel(self.model)
        self._modified = False
        self._current_id = ""
        self._labels: list[str] = ["0", "1"]
        self._violating: set[str] = {"1"}
        self._loading = False
        self._build()

    # --- construction ---------------------------------------------------------------
    def _build(self) -> None:
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter cases…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.proxy.set_filter_text)
        self.add_button = self._tool(
            "Add", "Add an empty case (Ctrl+N in the table)", self.add_case
        )
        self.duplicate_button = self._tool(
            "Duplicate", "Duplicate the selected case", self.duplicate_case
        )
        self.delete_button = self._tool("Delete", "Delete the selected cases", self.delete_selected)
        self.paste_button = self._tool(
            "Paste many…", "Add many cases from pasted text", self.paste_many
        )
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.filter_edit, 1)
        for button in (
            self.add_button,
            self.duplicate_button,
            self.delete_button,
            self.paste_button,
        ):
            bar.addWidget(button)

        self.table = case_table_view(self.proxy, self.fontMetrics())
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)

        self.content_edit = QPlainTextEdit()
        self.content_edit.setPlaceholderText("Case content (plain text)")
        self.content_edit.setTabChangesFocus(True)  # Tab moves on to Expected and Notes
        self.content_edit.textChanged.connect(self._on_content_edited)
        self.expected_combo = QComboBox()
        self.expected_combo.setMinimumContentsLength(14)
        self.expected_combo.currentIndexChanged.connect(self._on_expected_changed)
        self.notes_edit = QLineEdit()
        self.notes_edit.setPlaceholderText("Notes")
        self.notes_edit.textEdited.connect(self._on_notes_edited)
        meta = QHBoxLayout()
        meta.setContentsMargins(0, 0, 0, 0)
        meta.addWidget(QLabel("Expected:"))
        meta.addWidget(self.expected_combo)
        meta.addWidget(self.notes_edit, 1)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(bar)
        top_layout.addWidget(self.table, 1)
        self.editor_box = QWidget()
        editor_layout = QVBoxLayout(self.editor_box)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.addWidget(self.content_edit, 1)
        editor_layout.addLayout(meta)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("caseSplitter")
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.editor_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        for first, second in (
            (self.table, self.content_edit),
            (self.content_edit, self.expected_combo),
            (self.expected_combo, self.notes_edit),
        ):
            QWidget.setTabOrder(first, second)
        self._set_labels_combo()
        self._show_case(None)

    def _tool(self, text: str, tip: str, slot) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(False)
        button.clicked.connect(slot)
        return button

    # --- document state -------------------------------------------------------------
    def cases(self) -> list[TestCase]:
        return self.model.cases()

    def set_cases(self, cases: list[TestCase]) -> None:
        self.model.set_cases(cases)
        self.set_modified(False)
        if cases:
            self.select_case(self.model.case_at(0).id)
        else:
            self._show_case(None)

    def is_modified(self) -> bool:
        return self._modified

    def set_modified(self, modified: bool) -> None:
        if modified != self._modified:
            self._modified = modified
            self.modificationChanged.emit(modified)

    def set_labels(self, labels: list[str], violating: set[str]) -> None:
        """The policy's labels for the expected-label combos."""
        if list(labels) == self._labels and set(violating) == self._violating:
            return
        self._labels, self._violating = list(labels), set(violating)
        self._set_labels_combo()
        self._show_case(self.model.case(self._current_id))

    def labels(self) -> list[str]:
        return list(self._labels)

    def _set_labels_combo(self) -> None:
        self._loading = True
        self.expected_combo.clear()
        self.expected_combo.addItem("(not set)", "")
        for label in self._labels:
            meaning = "violates" if label in self._violating else "does not violate"
            self.expected_combo.addItem(f"{label} — {meaning}", label)
        self._loading = False

    # --- selection ------------------------------------------------------------------
    def current_case_id(self) -> str:
        return self._current_id

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
        return ids or ([self._current_id] if self._current_id else [])

    def visible_case_ids(self) -> list[str]:
        """Case ids in the table's current (sorted, filtered) order."""
        return [
            str(self.proxy.index(row, 0).data(CaseRole.CASE_ID))
            for row in range(self.proxy.rowCount())
        ]

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        case_id = str(current.data(CaseRole.CASE_ID)) if current.isValid() else ""
        self._current_id = case_id
        self._show_case(self.model.case(case_id))
        self.currentCaseChanged.emit(case_id)

    def _show_case(self, case: TestCase | None) -> None:
        self._loading = True
        self.editor_box.setEnabled(case is not None)
        self.content_edit.setPlainText(case.content if case else "")
        self.content_edit.setExtraSelections([])
        self.notes_edit.setText(case.notes if case else "")
        position = self.expected_combo.findData(case.expected if case else "")
        if position < 0 and case is not None and case.expected:
            self.expected_combo.addItem(f"{case.expected} — not a policy label", case.expected)
            position = self.expected_combo.count() - 1
        self.expected_combo.setCurrentIndex(max(0, position))
        self._loading = False

    # --- editing --------------------------------------------------------------------
    def _on_content_edited(self) -> None:
        if self._loading or not self._current_id:
            return
        self.model.update_case(self._current_id, content=self.content_edit.toPlainText())
        self.content_edit.setExtraSelections([])
        self.set_modified(True)
        self.caseContentEdited.emit(self._current_id)

    def _on_expected_changed(self) -> None:
        if self._loading or not self._current_id:
            return
        self.model.update_case(
            self._current_id, expected=str(self.expected_combo.currentData() or "")
        )
        self.set_modified(True)

    def _on_notes_edited(self, text: str) -> None:
        if self._current_id:
            self.model.update_case(self._current_id, notes=text)
            self.set_modified(True)

    def add_case(self, content: str = "", expected: str = "") -> str:
        case_id = self.model.add_cases([TestCase("", content or "", expected)])[0]
        self.set_modified(True)
        self.select_case(case_id)
        self.content_edit.setFocus()
        return case_id

    def add_many(self, contents: list[str], expected: str = "") -> list[str]:
        ids = self.model.add_cases([TestCase("", text, expected) for text in contents])
        if ids:
            self.set_modified(True)
            self.select_case(ids[0])
        return ids

    def duplicate_case(self) -> str:
        case = self.model.case(self._current_id)
        if case is None:
            return ""
        row = self.model.row_of(case.id) + 1
        copy = TestCase("", case.content, case.expected, case.notes, list(case.tags))
        case_id = self.model.add_cases([copy], row)[0]
        self.set_modified(True)
        self.select_case(case_id)
        return case_id

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        for case_id in ids:
            self.model.remove_case(case_id)
        if ids:
            self.set_modified(True)
            current = self.table.currentIndex()
            if not current.isValid():
                self._current_id = ""
                self._show_case(None)
                self.currentCaseChanged.emit("")

    def paste_many(self, text: str | None = None) -> PasteCasesDialog:
        """Open the (window-modal, non-blocking) paste dialog; accepted text becomes cases."""
        dialog = PasteCasesDialog(self._labels, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if text:
            dialog.set_text(text)
        dialog.accepted.connect(lambda: self.add_many(dialog.contents(), dialog.expected()))
        dialog.open()
        return dialog

    def highlight_phrases(self, phrases: list[str]) -> None:
        """Highlight quoted phrases in the selected case's text (extra selections)."""
        text = self.content_edit.toPlainText()
        spans = phrase_spans(text, phrases)
        fmt = quote_format(self.content_edit.palette())
        self.content_edit.setExtraSelections(make_selections(self.content_edit, text, spans, fmt))
