"""The policy panel's token meter: the body's token estimate against the recommended band.

``TokenMeter`` draws a thin bar with two ticks for the recommended 400–600 tokens and a
caption with the share of the model's context; it turns red ("context") when the policy
would leave too little of the context for the content and the answer.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QWidget

from app.core import setting_limits as limits
from app.core.policy import RECOMMENDED_TOKENS
from app.gui.shared.theme import palette_is_dark

CONTEXT_SHARE = 0.75  # above this share of the context, little room is left for content


class TokenMeter(QWidget):
    """A thin bar and a caption: the body's token estimate against 400–600 and the context.

    ``state`` is "under", "inside" or "over" the recommended band, or "context" when the
    policy would leave too little of the context for the content and the answer.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tokens = 0
        self.n_ctx = limits.N_CTX.default
        self.state = "under"
        self.setMinimumHeight(self.fontMetrics().height() + 14)
        self._update_state()

    def set_tokens(self, tokens: int) -> None:
        self.tokens = tokens
        self._update_state()

    def set_context_size(self, n_ctx: int) -> None:
        self.n_ctx = max(1, n_ctx)
        self._update_state()

    def caption(self, short: bool = False) -> str:
        """The caption; ``short`` drops "the recommended" and "context" for a narrow pane."""
        low, high = RECOMMENDED_TOKENS
        band = f"{low}–{high}" if short else f"the recommended {low}–{high}"
        where = {
            "under": f"under {band}",
            "inside": f"within {band}",
            "over": f"over {band}",
            "context": "little room left" if short else "leaves little room in the context",
        }[self.state]
        share = 100 * self.tokens / self.n_ctx
        tail = "" if short else " context"
        return f"≈{self.tokens:,} tokens, {where} · {share:.1f}% of {self.n_ctx:,}{tail}"

    def shown_caption(self, width: int) -> str:
        """What fits ``width`` px: the caption, else its short form, elided only when even
        that is too wide (the whole caption is in the tooltip)."""
        metrics = self.fontMetrics()
        caption = self.caption()
        if metrics.horizontalAdvance(caption) > width:
            caption = self.caption(short=True)
        return metrics.elidedText(caption, Qt.TextElideMode.ElideRight, width)

    def _update_state(self) -> None:
        low, high = RECOMMENDED_TOKENS
        if self.tokens > CONTEXT_SHARE * self.n_ctx:
            self.state = "context"
        else:
            self.state = (
                "under" if self.tokens < low else "inside" if self.tokens <= high else "over"
            )
        self.setToolTip(
            f"{self.caption()}\nEstimated tokens in the policy body (front matter is not sent)."
        )
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        palette = self.palette()
        dark = palette_is_dark(palette)
        state_color = QColor(
            {
                "under": "#58a6ff" if dark else "#0969da",
                "inside": "#3fb950" if dark else "#1a7f37",
                "over": "#d29922" if dark else "#9a6700",
                "context": "#f85149" if dark else "#cf222e",
            }[self.state]
        )
        text_color = palette.color(QPalette.ColorRole.WindowText)
        painter = QPainter(self)
        bar_h, left, width = 5, 4, self.width() - 8
        scale = max(1000.0, self.tokens * 1.15)
        top = self.height() - bar_h - 3
        track = QColor(text_color)
        track.setAlphaF(0.15)
        painter.fillRect(left, top, width, bar_h, track)
        painter.fillRect(
            left, top, int(width * min(self.tokens, scale) / scale), bar_h, state_color
        )
        tick = QColor(text_color)
        tick.setAlphaF(0.7)
        for mark in RECOMMENDED_TOKENS:  # the 400–600 band, drawn as two ticks
            painter.fillRect(left + int(width * mark / scale), top - 3, 2, bar_h + 5, tick)
        painter.setPen(text_color)
        text_rect = self.rect().adjusted(left, 0, -left, -bar_h - 5)
        caption = self.shown_caption(text_rect.width())
        painter.drawText(
            text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, caption
        )
        painter.end()
