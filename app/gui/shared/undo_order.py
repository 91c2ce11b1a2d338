"""Which history Edit ▸ Undo steps back through when no text field has the focus.

The window has two undo histories: the policy editor's document and the open test set's
``QUndoStack``. Typing in a field undoes that field; anywhere else, Undo must take back
what was done *last*, whichever history holds it: after *Apply as new draft* (a policy
edit made from the Suggestion tab, focus elsewhere) Undo takes the draft back, not the
import made an hour before. ``UndoOrder`` records, in order, which history each new step
went to; undo takes the newest step whose history can still undo, redo the newest undone.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QTextDocument, QUndoStack
from shiboken6 import isValid

POLICY, CASES = "policy", "cases"


class UndoOrder(QObject):
    """The order of undoable steps across the policy document and the test-set stack."""

    def __init__(self, document: QTextDocument, stack: QUndoStack, parent=None) -> None:
        super().__init__(parent)
        self.document, self.stack = document, stack
        self._done: list[str] = []  # sources of the steps that can be undone, oldest first
        self._undone: list[str] = []  # sources of undone steps, most recent last
        self._count = stack.count()
        self._stepping = False
        document.undoCommandAdded.connect(lambda: self._added(POLICY))
        stack.indexChanged.connect(self._on_stack_index)

    def _added(self, source: str) -> None:
        if not self._stepping:
            self._done.append(source)
            self._undone.clear()

    def _on_stack_index(self, _index: int) -> None:
        if not isValid(self.stack):  # the stack clears itself while it is destroyed
            return
        # a push adds a command (count grows) or replaces the undone ones (index == count)
        pushed = self.stack.count() > self._count or (
            self.stack.index() == self.stack.count() and not self._stepping
        )
        self._count = self.stack.count()
        if pushed and not self._stepping:
            self._added(CASES)

    def _can(self, source: str, redo: bool) -> bool:
        if source == POLICY:
            doc = self.document
            return doc.isRedoAvailable() if redo else doc.isUndoAvailable()
        return self.stack.canRedo() if redo else self.stack.canUndo()

    def next_source(self, redo: bool = False) -> str | None:
        """The history the next undo (or redo) steps through; None when nothing is left."""
        order = self._undone if redo else self._done
        while order and not self._can(order[-1], redo):
            order.pop()  # stepped back already through the field itself
        if order:
            return order[-1]
        fallback = [s for s in (CASES, POLICY) if self._can(s, redo)]
        return fallback[0] if fallback else None

    def step(self, redo: bool = False) -> str | None:
        """Undo (or redo) the newest step; returns the history it went through."""
        source = self.next_source(redo)
        if source is None:
            return None
        (self._undone if redo else self._done)[-1:] = []
        (self._done if redo else self._undone).append(source)
        self._stepping = True
        try:
            target = self.document if source == POLICY else self.stack
            target.redo() if redo else target.undo()
        finally:
            self._stepping = False
            self._count = self.stack.count()
        return source

    def describe(self, redo: bool = False) -> str:
        """What the step would do, for the menu: "Undo policy edit", "Undo Import 82 cases"."""
        source = self.next_source(redo)
        if source == POLICY:
            return "policy edit"
        if source == CASES:
            return self.stack.redoText() if redo else self.stack.undoText()
        return ""
