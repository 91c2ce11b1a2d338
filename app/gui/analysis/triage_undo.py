"""A gold label filed from Triage as a step on the test set's undo stack.

*Gold label wrong* rewrites the expected label in the test-set file at once (with the triage
record beside it). Edit ▸ Undo must take it back like any other case edit, so each filing
pushes a ``TriageGoldStep`` on the case table's ``QUndoStack``: its undo asks the analysis
controller to undo the triage (file and record), its redo files it again. The controller
answers asynchronously with ``goldChanged``; ``GoldSteps`` counts the answers its own steps
caused, so they are not taken for new filings.
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand, QUndoStack


class GoldSteps:
    """Pushes one undo step per gold filing; tells echoes of its own steps apart."""

    def __init__(self, controller, stack: QUndoStack, current_label) -> None:
        self.controller, self.stack = controller, stack
        self.current_label = current_label  # case id -> the expected label shown now
        self._echoes: dict[str, int] = {}

    def changed(self, case_id: str, label: str, undone: bool) -> None:
        """A gold label changed; a new filing (not an echo, not an undo) becomes a step."""
        if self._echoes.get(case_id):
            self._echoes[case_id] -= 1
            return
        if not undone:
            self.stack.push(TriageGoldStep(self, case_id, label))

    def expect_echo(self, case_id: str) -> None:
        self._echoes[case_id] = self._echoes.get(case_id, 0) + 1


class TriageGoldStep(QUndoCommand):
    """Undo: the triage is undone (file and record); redo: filed again."""

    def __init__(self, steps: GoldSteps, case_id: str, label: str) -> None:
        super().__init__(f"Gold label of {case_id} → {label}")
        self.steps, self.case_id, self.label = steps, case_id, label
        self._done_already = True  # pushed after the filing happened

    def redo(self) -> None:
        if self._done_already:
            self._done_already = False
            return
        self.steps.expect_echo(self.case_id)
        self.steps.controller.file_triage(self.case_id, "gold", new_label=self.label)

    def undo(self) -> None:
        if self.steps.current_label(self.case_id) != self.label:
            return  # already taken back (Triage's own Undo button)
        self.steps.expect_echo(self.case_id)
        self.steps.controller.undo_triage(self.case_id)
