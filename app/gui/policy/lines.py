"""Plain-text helpers for the policy highlighter: lines, front matter and code fences.

The highlighter lexes Python strings but Qt hands it a document: :func:`document_text` gives
the text with one ``\\n`` per block, :func:`line_starts` where each line begins,
:func:`front_matter_lines` how many lines the ``---`` front matter takes (the outline uses it
too), and :func:`touches_fence` whether an edit may open or close a code fence (which can
change the lexer state far away, so the whole text is lexed again).
"""

from __future__ import annotations

import re

from PySide6.QtGui import QTextDocument

_FENCE_CHANGE_RE = re.compile(r"```")
_CLOSING_FM_RE = re.compile(r"^---[ \t]*$", re.MULTILINE)


def front_matter_lines(text: str) -> int:
    """Number of lines (0 if none) taken by a ``---`` front-matter block at the top."""
    first_end = text.find("\n")
    if first_end < 0 or text[:first_end].strip() != "---":
        return 0
    closing = _CLOSING_FM_RE.search(text, first_end + 1)
    if closing is None:
        return 0
    return text.count("\n", 0, closing.start()) + 1


def document_text(doc: QTextDocument | None) -> str:
    """Text with one ``\\n`` per block boundary and nothing else changed (same length)."""
    return doc.toRawText().replace("\u2029", "\n") if doc is not None else ""


def line_starts(text: str) -> list[int]:
    """The index where each line of text starts (the first is 0)."""
    return [0] + [m.end() for m in re.finditer("\n", text)]


def touches_fence(text: str, start: int, end: int) -> bool:
    """True if the lines spanning [start, end) hold a ``` that may open or close a fence."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return (
        _FENCE_CHANGE_RE.search(text, line_start, len(text) if line_end < 0 else line_end)
        is not None
    )
