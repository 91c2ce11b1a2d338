"""Syntax highlighting for the policy editor: pygments Markdown plus rule codes.

The document is lexed by pygments' ``MarkdownLexer`` once per edit, in the slot for
``QTextDocument.contentsChange`` (connected before the highlighter attaches itself, so it
runs first). The result is cached per block as ``(start, length, style)`` triples in Qt's
UTF-16 units; ``highlightBlock`` only applies that cache and never lexes.

Lexing a 10,000-token policy from the top takes ~30 ms, twice a 60 Hz frame, so an edit
re-lexes from the last blank line before it and stops at the first blank line after it
where the new token stream is back in step with the old one (the Markdown lexer is always
in its root state at such a line). Edits that can change the lexer state far away — a code
fence or the front matter — fall back to lexing the whole text. Blocks outside the edited
ones whose formats changed are re-applied too: later ones through a block-state flip that
makes Qt continue, earlier ones on the next event-loop turn. The plain-text line, fence and
front-matter helpers this needs live in :mod:`app.gui.policy.lines`.
"""

from __future__ import annotations

from bisect import bisect_right

from pygments.lexers.markup import MarkdownLexer
from pygments.token import Generic, Keyword, Name, String, Token, _TokenType
from PySide6.QtCore import QTimer
from PySide6.QtGui import (
    QColor,
    QFont,
    QPalette,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)

from app.core.policy import RULE_CODE_RE
from app.gui.policy.lines import document_text, front_matter_lines, line_starts, touches_fence
from app.gui.shared.text_offsets import clamped_qt_to_py, has_astral, py_to_qt, qt_length
from app.gui.shared.theme import palette_is_dark

Span = tuple[int, int, str]  # (UTF-16 start, UTF-16 length, style name)

_STYLE_OF: dict[_TokenType, str] = {
    Generic.Heading: "heading",
    Generic.Subheading: "heading",
    Keyword: "marker",
    Generic.Emph: "emph",
    Generic.Strong: "strong",
    Generic.EmphStrong: "strong",
    Generic.Deleted: "deleted",
    String: "code",
    Name.Tag: "link",
    Name.Attribute: "url",
    Name.Label: "link",
}


def _style_for(ttype: _TokenType, cache: dict[_TokenType, str | None]) -> str | None:
    if ttype not in cache:
        found, probe = None, ttype
        while probe is not Token and found is None:
            found = _STYLE_OF.get(probe)
            probe = probe.parent
        cache[ttype] = found
    return cache[ttype]


class PolicyHighlighter(QSyntaxHighlighter):
    """Markdown + rule-code highlighting with a per-block cache filled once per edit."""

    def __init__(self, document: QTextDocument, palette: QPalette) -> None:
        super().__init__(None)
        self._lexer = MarkdownLexer(handlecodeblocks=False)
        self._style_cache: dict[_TokenType, str | None] = {}
        self._formats: dict[str, QTextCharFormat] = {}
        self._text = ""
        self._spans: list[list[Span]] = [[]]
        self._safe: list[bool] = [True]  # line start where the lexer is in step (root state)
        self._fm_lines = 0
        self._force_until = -1
        self.full_relexes = 0  # counters for tests and the benchmark
        self.partial_relexes = 0
        self.set_palette(palette, rehighlight=False)
        self._relex_all(document_text(document))
        document.contentsChange.connect(self._on_contents_change)  # before Qt's own slot
        self.setDocument(document)
        self.setParent(document)

    # ----------------------------------------------------------------- public
    def set_palette(self, palette: QPalette, rehighlight: bool = True) -> None:
        """Build the formats from the palette (call again when it changes)."""
        dark = palette_is_dark(palette)
        text = palette.color(QPalette.ColorRole.Text)

        def fmt(color: str | QColor | None = None, bold: bool = False, italic: bool = False):
            f = QTextCharFormat()
            if color is not None:
                f.setForeground(QColor(color))
            if bold:
                f.setFontWeight(QFont.Weight.Bold)
            f.setFontItalic(italic)
            return f

        dim = QColor(text)
        dim.setAlphaF(0.6)
        self._formats = {
            "heading": fmt("#79c0ff" if dark else "#0550ae", bold=True),
            "marker": fmt("#ffa657" if dark else "#9a4700", bold=True),
            "emph": fmt(None, italic=True),
            "strong": fmt(None, bold=True),
            "deleted": fmt(dim),
            "code": fmt("#7ee787" if dark else "#116329"),
            "link": fmt(palette.color(QPalette.ColorRole.Link)),
            "url": fmt(dim),
            "front_matter": fmt(dim),
            "rule_code": fmt("#d2a8ff" if dark else "#8250df", bold=True),
        }
        self._formats["deleted"].setFontStrikeOut(True)
        if rehighlight:
            self.rehighlight()

    def format_for(self, style: str) -> QTextCharFormat:
        """The character format used for a style name (e.g. ``"rule_code"``)."""
        return self._formats[style]

    def spans_for_line(self, line: int) -> list[Span]:
        """Cached ``(start, length, style)`` spans of a 0-based line (UTF-16 units)."""
        return list(self._spans[line]) if 0 <= line < len(self._spans) else []

    def relex_all(self) -> None:
        """Lex the whole document again and re-apply every block (also a benchmark hook)."""
        doc = self.document()
        if doc is not None:
            self._relex_all(document_text(doc))
            self.rehighlight()

    # ----------------------------------------------------------------- Qt hook
    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt override)
        number = self.currentBlock().blockNumber()
        if 0 <= number < len(self._spans):
            formats = self._formats
            for start, length, style in self._spans[number]:
                self.setFormat(start, length, formats[style])
        if number < self._force_until - 1:
            # Flip the state so that Qt goes on to the next block, whose formats changed.
            self.setCurrentBlockState(0 if self.currentBlockState() != 0 else 1)
        elif number >= self._force_until - 1:
            self._force_until = -1

    # ----------------------------------------------------------------- lexing
    def _on_contents_change(self, position: int, removed: int, added: int) -> None:
        doc = self.document()
        new = document_text(doc)
        old = self._text
        if new == old:
            return  # a format-only change (Qt reports those too)
        astral = has_astral(new) or has_astral(old)
        start = clamped_qt_to_py(new, position, astral)
        old_end = clamped_qt_to_py(old, position + removed, astral)
        new_end = clamped_qt_to_py(new, position + added, astral)
        consistent = (
            old[:start] == new[:start] and old[old_end:] == new[new_end:] and old_end >= start
        )
        fm_lines = front_matter_lines(new)
        if (
            not consistent
            or fm_lines != self._fm_lines
            or (new_end - start) + (old_end - start) > len(new) // 2
            or touches_fence(old, start, old_end)
            or touches_fence(new, start, new_end)
        ):
            old_spans = self._spans
            self._relex_all(new)
            self._schedule(old_spans, 0, len(self._spans), new.count("\n", 0, start))
            return
        self._relex_partial(old, new, start, old_end, new_end)

    def _relex_all(self, text: str) -> None:
        self._text = text
        self._fm_lines = front_matter_lines(text)
        starts = line_starts(text)
        self._spans, self._safe, _ = self._lex_region(text, starts, 0, None)
        self.full_relexes += 1

    def _relex_partial(self, old: str, new: str, start: int, old_end: int, new_end: int) -> None:
        first_line = new.count("\n", 0, start)
        restart = first_line - 1
        while restart > 0 and not self._safe[restart]:
            restart -= 1
        restart = max(restart, 0)
        starts = line_starts(new)
        last_new = bisect_right(starts, new_end) - 1
        delta = (len(starts) - 1) - (len(self._spans) - 1)
        resync = (last_new + 1, delta, self._safe)
        spans, safe, stop = self._lex_region(new, starts, restart, resync)
        old_stop = stop - delta
        old_spans = self._spans
        self._spans = old_spans[:restart] + spans + old_spans[old_stop:]
        self._safe = self._safe[:restart] + safe + self._safe[old_stop:]
        self._text = new
        self.partial_relexes += 1
        self._schedule(old_spans, restart, stop, first_line)

    def _lex_region(
        self, text: str, starts: list[int], first: int, resync: tuple[int, int, list[bool]] | None
    ) -> tuple[list[list[Span]], list[bool], int]:
        """Lex from line ``first``; stop early at a resync line. Returns spans, safe, stop."""
        base = starts[first]
        n_lines = len(starts)
        raw: list[list[tuple[int, int, str]]] = [[] for _ in range(n_lines - first)]
        safe = [False] * (n_lines - first)
        stop = n_lines
        line = first
        in_fence = False
        cache = self._style_cache
        for offset, ttype, value in self._lexer.get_tokens_unprocessed(text[base:] + "\n"):
            pos = base + offset
            if pos >= len(text):
                break
            while line + 1 < n_lines and starts[line + 1] <= pos:
                line += 1
            if pos == starts[line] and not in_fence and text.startswith("\n", pos):
                safe[line - first] = True
                if resync is not None and line >= resync[0] and line > first:
                    old_line = line - resync[1]
                    if 0 <= old_line < len(resync[2]) and resync[2][old_line]:
                        stop = line
                        break
            if ttype is String.Backtick and value.strip() == "```":
                in_fence = not in_fence
            style = _style_for(ttype, cache)
            if style is None or not value:
                continue
            # A token may cover several lines (setext heading, fenced code).
            end, cur = pos + len(value), line
            while pos < end:
                line_end = starts[cur + 1] - 1 if cur + 1 < n_lines else len(text)
                piece_end = min(end, line_end)
                if piece_end > pos:
                    raw[cur - first].append((pos - starts[cur], piece_end - pos, style))
                pos, cur = line_end + 1, cur + 1
        return self._finish(text, starts, first, stop, raw), safe[: stop - first], stop

    def _finish(
        self, text: str, starts: list[int], first: int, stop: int, raw: list[list[Span]]
    ) -> list[list[Span]]:
        """Add rule codes and front matter; convert columns to UTF-16 where needed."""
        result: list[list[Span]] = []
        for line in range(first, stop):
            end = starts[line + 1] - 1 if line + 1 < len(starts) else len(text)
            line_text = text[starts[line] : end]
            if line < self._fm_lines:
                result.append([(0, qt_length(line_text), "front_matter")] if line_text else [])
                continue
            spans = raw[line - first]
            spans.extend(
                (m.start(), m.end() - m.start(), "rule_code")
                for m in RULE_CODE_RE.finditer(line_text)
            )
            if spans and has_astral(line_text):
                spans = [
                    (py_to_qt(line_text, s), py_to_qt(line_text, s + n) - py_to_qt(line_text, s), k)
                    for s, n, k in spans
                ]
            result.append(spans)
        return result

    def _schedule(self, old: list[list[Span]], lo: int, hi: int, edit_line: int) -> None:
        """Make Qt re-apply every block in [lo, hi) whose spans changed."""
        new = self._spans
        delta = len(new) - len(old)
        while lo < hi and lo < edit_line and lo < len(old) and old[lo] == new[lo]:
            lo += 1
        while hi > lo and hi - 1 > edit_line and 0 <= hi - 1 - delta < len(old):
            if old[hi - 1 - delta] != new[hi - 1]:
                break
            hi -= 1
        self._force_until = hi
        if lo < edit_line:
            stop = min(edit_line, hi)
            QTimer.singleShot(0, lambda: self._rehighlight_lines(lo, stop))

    def _rehighlight_lines(self, first: int, stop: int) -> None:
        doc = self.document()
        if doc is None:
            return
        block = doc.findBlockByNumber(first)
        while block.isValid() and block.blockNumber() < stop:
            self.rehighlightBlock(block)
            block = block.next()
