"""One case of the review queue, large: its content, the model's answer and its reasoning.

The reasoning's cited rules and quoted phrases are highlighted as in the Result tab (the
marks of :mod:`app.gui.shared.reasoning_marks`). :meth:`prepare` computes what a case shows
(the marks are the slow part) so the queue can prepare the next case before it is needed;
:meth:`show` only puts prepared text on screen. In blind mode the answer and the reasoning
stay hidden until the reviewer has chosen.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QPlainTextEdit, QVBoxLayout, QWidget

from app.core.records import StoredResult
from app.gui.shared.highlights import make_selections, quote_format, rule_format
from app.gui.shared.reasoning_marks import find_marks
from app.gui.shared.widgets import plain_label

HIDDEN = "(hidden in blind mode until you choose)"


@dataclass(frozen=True)
class Prepared:
    """What one case shows, computed ahead of time."""

    case_id: str
    content: str
    answer: str
    reasoning: str
    quotes: tuple[tuple[int, int], ...]
    rules: tuple[tuple[int, int], ...]


def prepare(result: StoredResult, model_label: str, policy_text: str) -> Prepared:
    """The text and the highlight spans of one case."""
    reasoning = result.analysis or "(no reasoning)"
    marks = find_marks(reasoning, result.content, policy_text)
    rules = ", ".join(result.rule_codes)
    answer = f"Model: {model_label or 'no verdict (' + result.status.replace('_', ' ') + ')'}"
    answer += f" · rules {rules}" if rules else ""
    answer += " · escalate" if result.escalate else ""
    if result.rationale:
        answer += f"\n{result.rationale}"
    return Prepared(
        result.case_id, result.content, answer, reasoning,
        tuple((m.start, m.end) for m in marks if m.kind == "quote"),
        tuple((m.start, m.end) for m in marks if m.kind == "rule"),
    )  # fmt: skip


def _reader(point_size: int) -> QPlainTextEdit:
    view = QPlainTextEdit()
    view.setReadOnly(True)
    view.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys go to the queue
    font = QFont(view.font())
    font.setPointSize(point_size)
    view.setFont(font)
    return view


class ReviewCaseView(QWidget):
    """Content, answer and reasoning of the case under review."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case_label = plain_label("", "reviewCaseId")
        self.content = _reader(15)
        self.content.setObjectName("reviewContent")
        self.answer = plain_label("", "reviewAnswer")
        self.answer.setWordWrap(True)
        font = QFont(self.answer.font())
        font.setPointSize(13)
        font.setBold(True)
        self.answer.setFont(font)
        self.reasoning = _reader(11)
        self.reasoning.setObjectName("reviewReasoning")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.case_label)
        layout.addWidget(self.content, 3)
        layout.addWidget(self.answer)  # its own height: never squeezed by the texts
        layout.addWidget(self.reasoning, 2)
        self.shown: Prepared | None = None
        self.blind_hidden = False
        self._formats = None  # (palette key, quote format, rule format), made once

    def show_case(self, prepared: Prepared, *, blind: bool) -> None:
        """Put a prepared case on screen (a gold item looks like any other); ``blind``
        hides the answer and the reasoning."""
        self.shown = prepared
        self.case_label.setText(f"Case {prepared.case_id}")
        self.content.setPlainText(prepared.content)
        self.blind_hidden = blind
        if blind:
            self.answer.setText("Model: " + HIDDEN)
            self.reasoning.setPlainText(HIDDEN)
            self.reasoning.setExtraSelections([])
            return
        self.reveal()

    def reveal(self) -> None:
        """Show the model's answer and its highlighted reasoning."""
        prepared = self.shown
        if prepared is None:
            return
        self.blind_hidden = False
        self.answer.setText(prepared.answer)
        view = self.reasoning
        view.setPlainText(prepared.reasoning)
        if self._formats is None or self._formats[0] != view.palette().cacheKey():
            palette = view.palette()
            self._formats = (palette.cacheKey(), quote_format(palette), rule_format(palette))
        _, quotes, rules = self._formats
        view.setExtraSelections(
            make_selections(view, prepared.reasoning, list(prepared.quotes), quotes)
            + make_selections(view, prepared.reasoning, list(prepared.rules), rules)
        )

    def clear(self, text: str) -> None:
        self.shown = None
        self.case_label.setText(text)
        self.content.setPlainText("")
        self.answer.setText("")
        self.reasoning.setPlainText("")
