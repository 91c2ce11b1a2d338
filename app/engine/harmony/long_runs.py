"""People's text cut into pieces the tokenizer can take: no piece longer than ``MAX_PIECE``.

llama.cpp's pre-tokenizer for gpt-oss (the gpt-4o regex) runs on ``std::regex``, which
recurses once per character of a match: a run of some 27,000 characters without a space
(a long URL, a keyboard mash, ``!`` × 100,000) overflows its stack and kills the engine
process, every time the same text is tokenized. So people's text is tokenized in pieces of
at most ``MAX_PIECE`` characters.

Each cut is placed, where the window allows, at a point where the pre-tokenizer starts a
new match anyway, so the tokens are exactly those of the whole text: before a space or tab
that follows a non-space, after a line break before a non-space, or at a change from letters to digits, digits to letters, or
letters or digits to punctuation (not before an apostrophe, which can start ``'s``). Only
a run with no such point in ``MAX_PIECE`` characters (one letter, digit or punctuation run)
is cut at the limit, and its tokens differ at that cut alone.
"""

from __future__ import annotations

import functools
import unicodedata

MAX_PIECE = 4096  # characters per tokenizer call; far below the ~27,000 that crash it
_SPACES = " \t"


@functools.lru_cache(maxsize=4096)
def _kind(char: str) -> str:
    """The pre-tokenizer's class of a character: L letter or mark, N number, S space, P other."""
    if char.isspace():
        return "S"
    category = unicodedata.category(char)[0]
    return "L" if category in "LM" else "N" if category == "N" else "P"


@functools.lru_cache(maxsize=65536)
def _safe_cut(before: str, after: str) -> bool:
    """Whether the pre-tokenizer always ends a match between these two characters."""
    if after in _SPACES:
        return not before.isspace()
    if before in "\r\n":  # a match never goes on from a line break to a non-space
        return not after.isspace()
    first, second = _kind(before), _kind(after)
    if {first, second} == {"L", "N"}:
        return True
    return first in "LN" and second == "P" and after not in "'’"


def _cut_point(text: str, start: int, end: int) -> int:
    """The last safe cut in ``text[start + 1 : end + 1]``, or ``end`` when there is none."""
    for index in range(end, start, -1):
        if _safe_cut(text[index - 1], text[index]):
            return index
    return end


def _cuts(text: str, limit: int) -> list[int]:
    """Where :func:`split_long_runs` cuts ``text`` (see the module notes)."""
    cuts, start = [], 0
    while len(text) - start > limit:
        start = _cut_point(text, start, start + limit)
        cuts.append(start)
    return cuts


def split_long_runs(text: str, limit: int = MAX_PIECE) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut where the tokens stay the same
    (see the module notes); short text is one piece."""
    bounds = [0, *_cuts(text, limit), len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def has_unbroken_run(text: str, limit: int = MAX_PIECE) -> bool:
    """Whether ``text`` holds a run longer than ``limit`` characters with no point where the
    pre-tokenizer starts a new match: one that must be cut at the limit, and one that a
    server tokenizing the whole text at once may crash on."""
    return any(not _safe_cut(text[cut - 1], text[cut]) for cut in _cuts(text, limit))
