"""The selected case's editor: full content (plain text), expected label and notes.

Shows one case at a time (:meth:`CaseEditor.show_case`) and announces only the user's own
edits (``contentEdited``, ``promptEdited``, ``expectedChosen``, ``notesEdited``), never the
changes it makes itself when a case is shown or an edit is undone. Tab moves from the
content to Expected and Notes; quoted phrases from the model's reasoning can be highlighted
in the content. A response case shows the prompt it answers above its content, editable
like the content (the model sees both, see :func:`app.core.cases.model_content`); the box
stays while its case is shown, even when the prompt is emptied, so typing can go on.
The Expected box lists the policy's labels, then its tiers, each with what it means
("DC2 — violates"); a two-label expectation says it of each ("D-SP2 violates, R-SP0 does
not violate"); a value that is neither is shown as "not a policy label".
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.cases import TestCase
from app.core.policy import split_pair
from app.gui.shared.highlights import make_selections, quote_format
from app.gui.shared.reasoning_marks import phrase_spans
from app.gui.shared.text_find import TextFindBar, claim_find_key
from app.gui.shared.widgets import GuardedComboBox


class CaseEditor(QWidget):
    """Content, Expected and Notes of one case; signals carry the user's edits."""

    contentEdited = Signal(str)
    promptEdited = Signal(str)
    expectedChosen = Signal(str)
    notesEdited = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self._phrases: list[str] = []
        self._labels: list[str] = []
        self._violating: set[str] = set()
        self._case_id: str | None = None  # the case shown (None: none)
        self.prompt_label = QLabel("Prompt this response answers (the model sees both):")
        self.prompt_edit = QPlainTextEdit()
        self.prompt_edit.setTabChangesFocus(True)
        self.prompt_edit.setMaximumHeight(self.fontMetrics().height() * 6)
        self.prompt_edit.setAccessibleName("Prompt of this response")
        self.prompt_edit.textChanged.connect(self._on_prompt)
        self.prompt_label.setBuddy(self.prompt_edit)
        self.content_edit = QPlainTextEdit()
        self.content_edit.setPlaceholderText("Case content (plain text)")
        self.content_edit.setTabChangesFocus(True)  # Tab moves on to Expected and Notes
        self.content_edit.textChanged.connect(self._on_content)
        self.expected_combo = GuardedComboBox()
        self.expected_combo.setMinimumContentsLength(14)
        self.expected_combo.setSizeAdjustPolicy(GuardedComboBox.SizeAdjustPolicy.AdjustToContents)
        self.expected_combo.currentIndexChanged.connect(self._on_expected)
        self.notes_edit = QLineEdit()
        self.notes_edit.setPlaceholderText("Notes")
        self.notes_edit.textEdited.connect(self.notesEdited)
        meta = QHBoxLayout()
        meta.setContentsMargins(0, 0, 0, 0)
        meta.addWidget(QLabel("Expected:"))
        meta.addWidget(self.expected_combo)
        meta.addWidget(self.notes_edit, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.prompt_label)
        layout.addWidget(self.prompt_edit)
        layout.addWidget(self.content_edit, 1)
        # Ctrl+F in the case text finds in it (it opened the policy's find bar)
        self.finder = TextFindBar(self.content_edit, placeholder="Find in this case")
        claim_find_key(self.content_edit, self.finder)
        layout.addWidget(self.finder)
        layout.addLayout(meta)
        QWidget.setTabOrder(self.prompt_edit, self.content_edit)
        QWidget.setTabOrder(self.content_edit, self.expected_combo)
        QWidget.setTabOrder(self.expected_combo, self.notes_edit)
        self.prompt_label.hide()  # shown for a response case only
        self.prompt_edit.hide()

    def set_labels(self, labels: list[str], violating: set[str]) -> None:
        """The policy's labels, offered in the Expected combo."""
        self._loading = True
        self._labels, self._violating = list(labels), set(violating)
        self.expected_combo.clear()
        self.expected_combo.addItem("(not set)", "")
        for label in labels:
            self.expected_combo.addItem(f"{label} — {self._meaning(label)}", label)
        self._loading = False

    def _meaning(self, label: str) -> str:
        return "violates" if label in self._violating else "does not violate"

    def _other_text(self, expected: str) -> str:
        """The Expected box's text for a value not in its list (see the module notes)."""
        pair = split_pair(expected)
        if pair is not None and all(tier in self._labels for tier in pair):
            depiction, request = pair
            return (
                f"{expected} — D-{depiction} {self._meaning(depiction)}, "
                f"R-{request} {self._meaning(request)}"
            )
        return f"{expected} — not a policy label"

    def show_case(self, case: TestCase | None) -> None:
        """Show ``case`` (None: an empty, disabled editor) without announcing edits."""
        self._loading = True
        self.setEnabled(case is not None)
        prompt = case.prompt if case else ""
        if self.prompt_edit.toPlainText() != prompt:
            self.prompt_edit.setPlainText(prompt)
        same = case is not None and case.id == self._case_id
        shown = bool(prompt) or (same and not self.prompt_edit.isHidden())
        self._case_id = case.id if case else None
        self.prompt_label.setVisible(shown)
        self.prompt_edit.setVisible(shown)
        if self.content_edit.toPlainText() != (case.content if case else ""):
            self.content_edit.setPlainText(case.content if case else "")
        self.content_edit.setExtraSelections([])
        if self.notes_edit.text() != (case.notes if case else ""):
            self.notes_edit.setText(case.notes if case else "")
        position = self.expected_combo.findData(case.expected if case else "")
        if position < 0 and case is not None and case.expected:
            self.expected_combo.addItem(self._other_text(case.expected), case.expected)
            position = self.expected_combo.count() - 1
        self.expected_combo.setCurrentIndex(max(0, position))
        self._loading = False

    def _on_content(self) -> None:
        if not self._loading:
            self.content_edit.setExtraSelections([])
            self.contentEdited.emit(self.content_edit.toPlainText())

    def _on_prompt(self) -> None:
        if not self._loading:
            self.promptEdited.emit(self.prompt_edit.toPlainText())

    def _on_expected(self) -> None:
        if not self._loading:
            self.expectedChosen.emit(str(self.expected_combo.currentData() or ""))

    def highlight_phrases(self, phrases: list[str]) -> None:
        """Highlight quoted phrases in the content (extra selections)."""
        self._phrases = list(phrases)
        text = self.content_edit.toPlainText()
        spans = phrase_spans(text, phrases)
        fmt = quote_format(self.content_edit.palette())
        self.content_edit.setExtraSelections(make_selections(self.content_edit, text, spans, fmt))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # theme switched: recolour
            QTimer.singleShot(0, self, self.refresh_highlights)  # children update after us

    def refresh_highlights(self) -> None:
        """Recolour the highlights for the current palette (after a theme change)."""
        if self.content_edit.extraSelections():
            self.highlight_phrases(self._phrases)
