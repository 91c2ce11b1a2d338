"""Convert between Python string indexes and Qt's UTF-16 positions.

Python counts code points; Qt (QString, QTextCursor, QSyntaxHighlighter.setFormat) counts
UTF-16 code units, so every character outside the Basic Multilingual Plane (most emoji,
some CJK extensions) takes two positions in Qt and one index in Python. Any offset found
with ``re`` or ``str.find`` must pass through :func:`py_to_qt` before it reaches Qt, and any
position read from Qt through :func:`qt_to_py` before it slices a Python string.

Both functions are exact for every index in ``0..len(text)`` and cost O(1) for text without
astral characters (the common case) after one C-speed scan.
"""

from __future__ import annotations

import re

# A character that UTF-16 stores as a surrogate pair (two QChar units).
_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")

__all__ = ["clamped_qt_to_py", "has_astral", "py_to_qt", "qt_to_py", "qt_length"]


def has_astral(text: str) -> bool:
    """True when text holds a character that takes two UTF-16 units."""
    return _ASTRAL_RE.search(text) is not None


def qt_length(text: str) -> int:
    """The length Qt reports for text (``QString.size()``)."""
    return len(text) + sum(1 for _ in _ASTRAL_RE.finditer(text))


def py_to_qt(text: str, index: int) -> int:
    """Qt position of the Python index ``index`` in text (clamped to ``0..len(text)``)."""
    index = max(0, min(index, len(text)))
    return index + sum(1 for _ in _ASTRAL_RE.finditer(text, 0, index))


def qt_to_py(text: str, pos: int) -> int:
    """Python index of the Qt position ``pos`` in text.

    A position that falls between the two halves of a surrogate pair maps to the index of
    that character (the start of the pair). Positions past the end clamp to ``len(text)``.
    """
    if pos <= 0:
        return 0
    shift = 0
    for match in _ASTRAL_RE.finditer(text):
        start = match.start()
        if start + shift >= pos:
            break
        if start + shift + 1 == pos:  # inside the pair
            return start
        shift += 1
    return min(pos - shift, len(text))


def clamped_qt_to_py(text: str, pos: int, astral: bool) -> int:
    """:func:`qt_to_py` for a position read from Qt; ``astral`` says whether text has an
    astral character (without one, positions and indexes agree and only clamping is left)."""
    pos = max(0, pos)
    return qt_to_py(text, pos) if astral else min(pos, len(text))
