"""A small dialog to correct a policy's output format.

Where the correction goes: into the policy as front matter (saved with it), or, for a policy
without front matter (a published ``.txt`` policy), by default into a sidecar file beside it
(``policy.format.json``, :mod:`app.core.policy.sidecar`) so the publisher's file is left as
it is; the "Write it into the policy file" check box chooses.
Starts from the format the app read (declared or inferred); the user edits the kind, the
labels, which labels violate, the tiers, which tiers are allowed, whether the model gives
two labels and which of them the metrics score. The values are checked with the same rules as front matter
(:func:`~app.core.policy.front_matter.output_format_from_meta`); a problem is shown in one sentence
under the fields and OK stays disabled until it is fixed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.policy import (
    FORMATS,
    PARTS,
    OutputFormat,
    PolicyError,
    output_format_from_meta,
)


class FormatDialog(QDialog):
    """Edit an OutputFormat; ``output()`` is the corrected format once accepted."""

    def __init__(
        self, output: OutputFormat, parent: QWidget | None = None, *, in_file: bool = True
    ) -> None:
        super().__init__(parent)
        self.setObjectName("policyFormatDialog")
        self.setWindowTitle("Correct the output format")
        self.kind = QComboBox()
        self.kind.addItems(FORMATS)
        self.kind.setCurrentText(output.kind)
        self.labels = QLineEdit(", ".join(output.labels))
        self.violating = QLineEdit(", ".join(output.violating))
        self.tiers = QLineEdit(", ".join(output.tiers))
        self.tiers.setPlaceholderText("e.g. SP0, SP2, SP3, SP4 (optional)")
        self.allowed = QLineEdit(", ".join(output.allowed_tiers))
        self.allowed.setPlaceholderText("tiers that do not violate (default: tier 0)")
        self.two_labels = QCheckBox("The model gives a depiction and a request label (D-…, R-…)")
        self.two_labels.setChecked(output.two_labels)
        self.score_on = QComboBox()
        self.score_on.addItems(PARTS)
        self.score_on.setCurrentText(output.score_on)
        self.score_on.setToolTip("Which of the two labels the metrics score")
        self._json_fields = ", ".join(output.json_fields)
        self.problem = QLabel()
        self.problem.setObjectName("policyFormatProblem")
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Format", self.kind)
        form.addRow("Labels", self.labels)
        form.addRow("Violating labels", self.violating)
        form.addRow("Tiers", self.tiers)
        form.addRow("Allowed tiers", self.allowed)
        form.addRow("", self.two_labels)
        form.addRow("Score", self.score_on)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.write_in = QCheckBox("Write it into the policy file as front matter")
        self.write_in.setObjectName("policyFormatWriteIn")
        self.write_in.setChecked(in_file)
        note = QLabel()
        note.setWordWrap(True)

        def say_where(into_file: bool) -> None:
            note.setText(
                "The format is written as front matter at the top of the policy when you save."
                if into_file
                else "The format is kept in a file beside the policy (name.format.json); "
                "the policy file itself is not changed."
            )

        self.write_in.toggled.connect(say_where)
        say_where(in_file)
        self.where_note = note
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.write_in)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        for edit in (self.labels, self.violating, self.tiers, self.allowed):
            edit.textChanged.connect(self._check)
        self.kind.currentTextChanged.connect(self._check)
        self.two_labels.toggled.connect(self._check)
        self.two_labels.toggled.connect(self.score_on.setEnabled)
        self.score_on.setEnabled(output.two_labels)
        self.score_on.currentTextChanged.connect(self._check)
        self._output: OutputFormat | None = None
        self._check()

    def meta(self) -> dict[str, str]:
        """The fields as front-matter values."""
        meta = {
            "format": self.kind.currentText(),
            "labels": self.labels.text(),
            "violating": self.violating.text(),
            "json_fields": self._json_fields,
            "two_labels": "yes" if self.two_labels.isChecked() else "no",
            "score_on": self.score_on.currentText(),
        }
        if self.tiers.text().strip():
            meta["tiers"] = self.tiers.text()
            if self.allowed.text().strip():
                meta["allowed_tiers"] = self.allowed.text()
        return meta

    def output(self) -> OutputFormat | None:
        """The corrected format, or None while the fields have a problem."""
        return self._output

    def _check(self) -> None:
        try:
            self._output = output_format_from_meta(self.meta())
            if len(self._output.labels) < 2:
                raise PolicyError("List at least two labels, separated by commas.")
            self.problem.clear()
        except PolicyError as exc:
            self._output = None
            self.problem.setText(str(exc))
        self.problem.setVisible(self._output is None)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self._output is not None)
