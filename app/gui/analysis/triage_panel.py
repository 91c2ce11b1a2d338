"""The triage panel: the evidence on one failed or unstable case and one click to file it.

It shows what :func:`app.scoring.triage.gather_evidence` found (stability, a reasoning that
contradicts the answer, the cited against the tagged rule, earlier policy versions) and
three buttons: *Gold label wrong* (sets the expected label chosen beside it, undoable),
*Policy unclear* (a note on the chosen rule, listed in the outline) and *Model error*.
*Undo* takes the filing back. The panel asks the :class:`AnalysisController` for everything
and changes nothing itself.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.gui.analysis.controller import AnalysisController
from app.gui.shared.widgets import plain_label
from app.runs.stored.triage_book import KIND_NAMES
from app.scoring.triage import Evidence


class TriagePanel(QGroupBox):
    """Evidence and filing buttons for the selected case."""

    def __init__(self, controller: AnalysisController, parent: QWidget | None = None) -> None:
        super().__init__("Triage", parent)
        self.controller = controller
        self.case_id = ""
        self.title_label = plain_label("Select a wrong or unstable case.", "triageTitle")
        self.evidence = QPlainTextEdit()
        self.evidence.setReadOnly(True)
        self.evidence.setObjectName("triageEvidence")
        self.evidence.setMaximumHeight(130)
        self.filed_label = plain_label("", "triageFiled")
        self.label_combo = QComboBox()
        self.label_combo.setToolTip("The label this case should expect")
        self.rule_combo = QComboBox()
        self.rule_combo.setEditable(True)
        self.rule_combo.setToolTip("The rule the note is about")
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("What is unclear in the rule (optional)")
        self.gold_button = QPushButton("Gold label wrong")
        self.policy_button = QPushButton("Policy unclear")
        self.model_button = QPushButton("Model error")
        self.undo_button = QPushButton("Undo")
        self.gold_button.clicked.connect(self._file_gold)
        self.policy_button.clicked.connect(self._file_policy)
        self.model_button.clicked.connect(lambda: self._file("model"))
        self.undo_button.clicked.connect(self._undo)
        grid = QGridLayout()
        grid.addWidget(self.gold_button, 0, 0)
        grid.addWidget(plain_label("expect"), 0, 1)
        grid.addWidget(self.label_combo, 0, 2)
        grid.addWidget(self.policy_button, 1, 0)
        grid.addWidget(self.rule_combo, 1, 1, 1, 2)
        grid.addWidget(self.note_edit, 1, 3)
        grid.addWidget(self.model_button, 2, 0)
        grid.addWidget(self.undo_button, 2, 3, Qt.AlignmentFlag.AlignRight)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.evidence)
        layout.addLayout(grid)
        layout.addWidget(self.filed_label)
        controller.evidenceReady.connect(self.show_evidence)
        controller.triageChanged.connect(self._on_triage_changed)
        controller.analysisReady.connect(lambda _analysis: self._show_filing())
        self._set_enabled(False)

    def _set_enabled(self, on: bool) -> None:
        for widget in (self.gold_button, self.policy_button, self.model_button,
                       self.label_combo, self.rule_combo, self.note_edit):  # fmt: skip
            widget.setEnabled(on)
        self.undo_button.setEnabled(on and self._entry() is not None)

    def select_case(self, case_id: str) -> None:
        """Ask for the evidence on a case of the loaded run."""
        self.case_id = case_id
        self.title_label.setText(f"Case {case_id}: gathering evidence…")
        self.controller.request_evidence(case_id)

    def show_evidence(self, evidence: Evidence) -> None:
        self.case_id = evidence.case_id
        analysis = self.controller.analysis
        policy_hash = analysis.run.policy_hash if analysis else ""
        state = "wrong" if evidence.wrong else "right"
        if evidence.stability is not None and evidence.stability.unstable:
            state += ", unstable"
        self.title_label.setText(f"Case {evidence.case_id} ({state})")
        self.evidence.setPlainText("\n".join(evidence.lines(policy_hash)))
        labels = analysis.policy.output.expected_choices()[0] if analysis else []  # and tiers
        self.label_combo.clear()
        self.label_combo.addItems(labels)
        fix = evidence.gold_fix  # the model's answer, as a tier or pair where one is expected
        if fix and fix not in labels:
            self.label_combo.insertItem(0, fix)
        if fix:  # the model's answer is the usual gold fix
            self.label_combo.setCurrentText(fix)
        rules = list(dict.fromkeys(evidence.cited_rules + evidence.tagged_rules))
        self.rule_combo.clear()
        self.rule_combo.addItems(rules or [h.code for h in (analysis.heats if analysis else [])])
        self._set_enabled(True)
        self._show_filing()

    def _entry(self):
        analysis = self.controller.analysis
        return analysis.triage.get(self.case_id) if analysis and self.case_id else None

    def _show_filing(self) -> None:
        entry = self._entry()
        if entry is None:
            self.filed_label.setText("Not triaged under this policy version.")
        else:
            detail = ""
            if entry.kind == "gold":
                detail = f": expected {entry.old_label} → {entry.new_label}"
            elif entry.kind == "policy":
                detail = f": {entry.rule_code or 'no rule'} — {entry.note or 'no note'}"
            self.filed_label.setText(f"Filed as {KIND_NAMES[entry.kind]}{detail}.")
        self.undo_button.setEnabled(entry is not None)

    def _file(self, kind: str, **kwargs) -> None:
        if self.case_id:
            self.controller.file_triage(self.case_id, kind, **kwargs)

    def _file_gold(self) -> None:
        self._file("gold", new_label=self.label_combo.currentText())

    def _file_policy(self) -> None:
        self._file("policy", rule_code=self.rule_combo.currentText(), note=self.note_edit.text())

    def _undo(self) -> None:
        if self.case_id:
            self.controller.undo_triage(self.case_id)

    def _on_triage_changed(self, case_id: str) -> None:
        if case_id == self.case_id:
            self.note_edit.clear()
