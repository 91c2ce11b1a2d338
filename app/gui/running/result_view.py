"""The result of one case: label badge, raw final answer, live reasoning, token counts.

Everything is plain text (model output is never interpreted as HTML). While a case runs,
reasoning deltas are appended as they arrive; highlights (rule codes the reasoning cites,
phrases it quotes from the case or the policy) are recomputed at most every 80 ms. Clicking
a highlighted rule code emits ``ruleCodeClicked``, a highlighted quote ``quoteClicked``
(phrase, where it was found: content, policy or both); the quoted phrases are announced with
``phrasesFound`` so the case editor and the policy editor can highlight them too.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QMouseEvent, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.core.verdict import status_word
from app.gui.running.reasoning_tools import install_reasoning_menu
from app.gui.shared.highlights import make_selections, quote_format, rule_format
from app.gui.shared.reasoning_marks import Mark, find_marks, mark_at
from app.gui.shared.result_entry import ResultEntry
from app.gui.shared.text_find import TextFindBar
from app.gui.shared.text_offsets import qt_to_py

BADGES = {
    "violates": ("VIOLATES", "#c62828"),
    "safe": ("DOES NOT VIOLATE", "#2e7d32"),
    "no_verdict": ("NO VERDICT", "#b26a00"),
    "error": ("ERROR", "#6d4c41"),
    "pending": ("RUNNING…", "#546e7a"),
    "none": ("NOT RUN", "#78909c"),
    "stale": ("STALE", "#78909c"),
}


class ReasoningView(QPlainTextEdit):
    """Read-only reasoning text whose rule-code highlights are clickable."""

    ruleCodeClicked = Signal(str)
    quoteClicked = Signal(str, str)  # phrase, source

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.viewport().setMouseTracking(True)
        self.marks: list[Mark] = []

    def rule_at(self, pos) -> Mark | None:
        return self.mark_at_pos(pos, "rule")

    def mark_at_pos(self, pos, kind: str | None = None) -> Mark | None:
        """The mark (of ``kind``, or any) under a viewport position."""
        cursor = self.cursorForPosition(pos)
        rect = self.cursorRect(cursor)
        if abs(rect.center().y() - pos.y()) > rect.height():
            return None  # below the last line
        text = self.toPlainText()
        offset = qt_to_py(text, cursor.position())
        # cursorForPosition rounds to the nearest gap: check the character on both sides
        return mark_at(self.marks, offset, kind) or mark_at(self.marks, offset - 1, kind)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        over = self.mark_at_pos(event.position().toPoint()) is not None
        shape = Qt.CursorShape.PointingHandCursor if over else Qt.CursorShape.IBeamCursor
        self.viewport().setCursor(shape)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() != Qt.MouseButton.LeftButton or self.textCursor().hasSelection():
            return
        pos = event.position().toPoint()
        mark = self.rule_at(pos) or self.mark_at_pos(pos, "quote")
        if mark is not None and mark.kind == "rule":
            self.ruleCodeClicked.emit(mark.value)
        elif mark is not None:
            self.quoteClicked.emit(mark.value, mark.source)


class ResultView(QWidget):
    """Badge + final answer + streamed reasoning + small statistics line."""

    ruleCodeClicked = Signal(str)
    quoteClicked = Signal(str, str)  # phrase, source (content, policy or both)
    phrasesFound = Signal(list)  # quoted phrases found in the shown reasoning

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._case_id = ""
        self._content = ""
        self._policy = ""
        self._defined: set[str] = set()
        self._last_phrases: list[str] = []
        self.badge = QLabel()
        self.badge.setTextFormat(Qt.TextFormat.PlainText)
        self.badge.setObjectName("verdictBadge")
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.badge.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        # A long message wraps instead of widening the whole right side of the window.
        self.title.setWordWrap(True)
        self.title.setMinimumWidth(1)
        self.final_view = QPlainTextEdit()
        self.final_view.setReadOnly(True)
        self.final_view.setObjectName("finalAnswer")
        self.final_view.setPlaceholderText("Final answer")
        line = self.fontMetrics().lineSpacing()
        self.final_view.setFixedHeight(line * 2 + 14)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.final_view.setFont(mono)
        self.reasoning = ReasoningView()
        self.reasoning.setPlaceholderText("The model's reasoning appears here as it runs.")
        self.reasoning.ruleCodeClicked.connect(self.ruleCodeClicked)
        self.reasoning.quoteClicked.connect(self.quoteClicked)
        self.stats = QLabel()
        self.stats.setTextFormat(Qt.TextFormat.PlainText)
        self.stats.setObjectName("resultStats")
        small = self.stats.font()
        small.setPointSizeF(max(7.0, small.pointSizeF() * 0.85))
        self.stats.setFont(small)
        self.stats.setWordWrap(True)

        head = QWidget()
        head_layout = QHBoxLayout(head)
        head_layout.setContentsMargins(0, 0, 0, 0)
        head_layout.addWidget(self.badge)
        head_layout.addWidget(self.title, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(head)
        layout.addWidget(self.final_view)
        reasoning_label = QLabel("Reasoning")
        reasoning_label.setObjectName("sectionLabel")
        layout.addWidget(reasoning_label)
        layout.addWidget(self.reasoning, 1)
        self.finder = TextFindBar(
            self.reasoning, placeholder="Find in reasoning"
        )  # Edit ▸ Find in reasoning
        install_reasoning_menu(self.reasoning, self.finder)
        layout.addWidget(self.finder)
        layout.addWidget(self.stats)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(80)
        self._timer.timeout.connect(self.refresh_highlights)
        self.show_entry("", None)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # theme switched: recolour marks
            QTimer.singleShot(0, self, self.refresh_highlights)  # children update after us

    # --- context --------------------------------------------------------------------
    def case_id(self) -> str:
        return self._case_id

    def set_context(self, content: str, policy: str, defined_codes: set[str]) -> None:
        """What quotes are matched against and which rule codes the policy defines."""
        self._content, self._policy, self._defined = content, policy, set(defined_codes)
        self._timer.start()

    # --- showing --------------------------------------------------------------------
    def show_entry(self, case_id: str, entry: ResultEntry | None) -> None:
        """Show a case's latest entry (or an empty 'not run' view)."""
        self._case_id = case_id
        if entry is None:
            self._set_badge("none", "")
            self.final_view.setPlainText("")
            self.reasoning.setPlainText("")
            self.stats.setText("")
        else:
            kind = entry.verdict_kind if entry.state in ("done", "failed") else "pending"
            if entry.state == "queued":
                kind = "none"
            if entry.state == "cancelled" and entry.result is None:
                kind = "none"
            word = None  # "unparsable" or "no verdict": the case table's own word
            if kind == "no_verdict" and entry.result is not None:
                word = status_word(entry.result.verdict.status).upper()
            self._set_badge(kind, self._title(entry), stale=entry.stale, word=word)
            if entry.result is not None and entry.result.verdict.escalate:
                self.badge.setText(self.badge.text() + " · ESCALATE")  # plain text
            final = entry.result.final if entry.result else entry.final
            self.final_view.setPlainText(final or (entry.error if entry.state == "failed" else ""))
            self.reasoning.setPlainText(entry.analysis)
            self.stats.setText(self._stats(entry))
        self.refresh_highlights()

    def append_delta(self, channel: str, text: str) -> None:
        """Append streamed text to the shown case's reasoning or final answer."""
        view = self.reasoning if channel == "analysis" else self.final_view
        if channel not in ("analysis", "final"):
            return
        at_end = view.verticalScrollBar().value() >= view.verticalScrollBar().maximum() - 4
        cursor = QTextCursor(view.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)
        if at_end:
            view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
        if channel == "analysis" and not self._timer.isActive():
            self._timer.start()

    def _title(self, entry: ResultEntry) -> str:
        if entry.waiting_text():
            return f"{self._case_id} · {entry.waiting_text()}"
        if entry.state == "running":
            return f"{self._case_id} · reasoning arrives as the model writes it"
        if entry.state == "cancelled":
            return f"{self._case_id} · cancelled"
        if entry.state == "failed":
            return entry.error
        verdict = entry.result.verdict if entry.result else None
        if verdict is None:
            return ""
        parts = [
            self._case_id,
            f"label {verdict.display_label()}" if verdict.label else verdict.message,
        ]
        if verdict.rule_codes:
            parts.append(", ".join(verdict.rule_codes))
        if entry.stale:
            parts.append("stale: the policy or the case changed since this run")
        return " · ".join(part for part in parts if part)

    def _stats(self, entry: ResultEntry) -> str:
        result = entry.result
        if result is None:
            return ""
        tokens, timings = result.tokens, result.timings
        rate = tokens.generated / (timings.generate_ms / 1000) if timings.generate_ms else 0.0
        return (
            f"prompt {tokens.prompt} tokens ({tokens.reused} reused, {tokens.evaluated} evaluated)"
            f" · generated {tokens.generated} · prompt {timings.prompt_ms:.0f} ms"
            f" · generation {timings.generate_ms:.0f} ms ({rate:.1f} tok/s)"
            f" · stop: {result.stop_reason}"
        )

    def _set_badge(
        self, kind: str, title: str, stale: bool = False, word: str | None = None
    ) -> None:
        text, colour = BADGES[kind]
        text = word or text
        if stale:
            text, colour = f"{text} (STALE)", BADGES["stale"][1]
        self.badge.setText(text)
        self.badge.setProperty("kind", "stale" if stale else kind)
        self.badge.setStyleSheet(
            f"QLabel#verdictBadge {{ background: {colour}; color: white; font-weight: 600;"
            " border-radius: 4px; padding: 3px 10px; }"
        )
        self.title.setText(title)
        self.title.setToolTip(title)

    def badge_kind(self) -> str:
        return str(self.badge.property("kind") or "")

    # --- highlights -----------------------------------------------------------------
    def refresh_highlights(self) -> None:
        """Recompute rule-code and quote highlights for the whole reasoning text."""
        text = self.reasoning.toPlainText()
        marks = find_marks(text, self._content, self._policy, self._defined or None)
        self.reasoning.marks = marks
        palette = self.reasoning.palette()
        quotes = [(m.start, m.end) for m in marks if m.kind == "quote"]
        defined = [(m.start, m.end) for m in marks if m.kind == "rule" and m.defined]
        undefined = [(m.start, m.end) for m in marks if m.kind == "rule" and not m.defined]
        selections = make_selections(self.reasoning, text, quotes, quote_format(palette))
        selections += make_selections(self.reasoning, text, defined, rule_format(palette))
        selections += make_selections(self.reasoning, text, undefined, rule_format(palette, False))
        self.reasoning.setExtraSelections(selections)
        phrases = list(dict.fromkeys(m.value for m in marks if m.kind == "quote"))
        if phrases != self._last_phrases:
            self._last_phrases = phrases
            self.phrasesFound.emit(phrases)

    def phrases(self) -> list[str]:
        return list(self._last_phrases)
