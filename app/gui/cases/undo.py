"""Undoable edits of a test set: one ``QUndoStack`` per open test set holds them all.

Adding, pasting, importing and duplicating cases insert rows (``InsertCases``); deleting
removes them together with their results (``RemoveCases``, undone with the results back);
typing in the content, prompt or notes and choosing an expected label change one field
(``EditCase``; consecutive keystrokes in one field of one case merge into one step). Each
command works on the ``CaseTableModel`` and asks the panel to show the case it touched, so
an undo is always visible.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtGui import QUndoCommand

from app.core.cases import TestCase
from app.gui.cases.model import CaseTableModel

ShowCase = Callable[[str], None]  # select and show the case with this id ("": none)
EDIT_ID = 4107  # QUndoCommand.id() of field edits, so that typing merges


def _copy(case: TestCase) -> TestCase:
    return case.copy()


class InsertCases(QUndoCommand):
    """Insert cases at ``row`` (None: the end); ids are fixed by the first redo."""

    def __init__(
        self,
        model: CaseTableModel,
        show: ShowCase,
        cases: list[TestCase],
        row: int | None,
        text: str,
    ) -> None:
        super().__init__(text)
        self.model, self.show = model, show
        self.cases = [_copy(case) for case in cases]
        self.row = row
        self.ids: list[str] = []

    def redo(self) -> None:
        self.ids = self.model.add_cases([_copy(case) for case in self.cases], self.row)
        self.cases = [
            replace(case, id=case_id) for case, case_id in zip(self.cases, self.ids, strict=True)
        ]
        if self.ids:
            self.show(self.ids[0])

    def undo(self) -> None:
        row = self.model.row_of(self.ids[0]) if self.ids else -1
        for case_id in self.ids:
            self.model.remove_case(case_id)
        self.show(_neighbour(self.model, row))


class RemoveCases(QUndoCommand):
    """Delete cases; undo puts them back where they were, with their results."""

    def __init__(self, model: CaseTableModel, show: ShowCase, ids: list[str], text: str) -> None:
        super().__init__(text)
        self.model, self.show = model, show
        rows = sorted((model.row_of(case_id), case_id) for case_id in ids)
        self.removed = [
            (row, _copy(model.case_at(row)), model.entry(case_id)) for row, case_id in rows
        ]

    def redo(self) -> None:
        for _row, case, _entry in self.removed:
            self.model.remove_case(case.id)
        first = self.removed[0][0] if self.removed else -1
        self.show(_neighbour(self.model, first))

    def undo(self) -> None:
        for row, case, entry in self.removed:  # ascending rows: each lands where it was
            self.model.add_cases([_copy(case)], row)
            if entry is not None:
                self.model.put_entry(case.id, entry)
        if self.removed:
            self.show(self.removed[0][1].id)


class EditCase(QUndoCommand):
    """Change one field (content, prompt, expected or notes) of one case."""

    def __init__(
        self, model: CaseTableModel, show: ShowCase, case_id: str, field: str, new: str
    ) -> None:
        names = {
            "content": "content", "prompt": "prompt", "expected": "expected label", "notes": "notes"
        }  # fmt: skip
        super().__init__(f"Edit {names[field]}")
        self.model, self.show = model, show
        self.case_id, self.field, self.new = case_id, field, new
        case = model.case(case_id)
        self.old = str(getattr(case, field)) if case else ""

    def id(self) -> int:
        return EDIT_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, EditCase) or self.field == "expected":
            return False
        if (other.case_id, other.field) != (self.case_id, self.field):
            return False
        self.new = other.new
        self.setObsolete(self.new == self.old)  # typed back to the start: no step at all
        return True

    def redo(self) -> None:
        self._set(self.new)

    def undo(self) -> None:
        self._set(self.old)

    def _set(self, value: str) -> None:
        self.model.update_case(self.case_id, **{self.field: value})
        self.show(self.case_id)


def _neighbour(model: CaseTableModel, row: int) -> str:
    """The case now at ``row`` (or the last one), to show after rows went away."""
    if model.row_count() == 0 or row < 0:
        return ""
    return model.case_at(min(row, model.row_count() - 1)).id
