"""Fast edits of a text, for making 100,000 variants in a couple of seconds.

Positions are chosen with one random byte each, drawn all at once, and selected with
``itertools.compress`` over a byte mask (``bytes.translate`` turns the bytes into 0/1);
the candidates of a replacement table in ASCII text are found the same way (the text's
bytes translated to 0/1), in other text with one regular-expression pass. Characters are replaced
in a list through ``map`` without a Python loop per character. The results are
:class:`~app.variants.variant.Edited`: the text and the positions changed.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate, chain, compress, repeat
from operator import add, sub

from app.variants.variant import Draws, Edited, Piece

_CUTS: dict[int, bytes] = {}
_PAIR = re.compile(r"\w\w")  # a gap inside a word: a word character on both sides


def _mask(rate: float) -> bytes:
    """The translate table that turns a random byte into 1 with probability ``rate``."""
    cut = max(1, round(rate * 256))
    table = _CUTS.get(cut)
    if table is None:
        table = _CUTS[cut] = bytes(1 if b < cut else 0 for b in range(256))
    return table


def pick(items: Iterable[int], count: int, rate: float, rng: Draws) -> list[int]:
    """The ``count`` items, each kept with probability ``rate`` (in steps of 1/256)."""
    if rate >= 1.0:
        return list(items)
    if rate <= 0.0 or count <= 0:
        return []
    return list(compress(items, rng.bytes(count).translate(_mask(rate))))


def chosen(count: int, rate: float, rng: Draws) -> list[int]:
    """Indices below ``count``, each chosen with probability ``rate``."""
    return pick(range(count), count, rate, rng)


@dataclass(frozen=True)
class _Table:
    swap: dict[str, str]
    keys: re.Pattern[str]  # the characters the table replaces
    ascii: bytes  # bytes.translate: an ASCII key to 1, every other byte to 0
    single: bool  # every replacement is one character


_TABLES: dict[int, _Table] = {}


def _table(swap: dict[str, str]) -> _Table:
    """A replacement table's masks (cached per table: the tables are module constants)."""
    entry = _TABLES.get(id(swap))
    if entry is None or entry.swap is not swap:
        keys = re.compile("[" + "".join(re.escape(k) for k in sorted(swap)) + "]")
        ascii_mask = bytes(1 if chr(b) in swap else 0 for b in range(256))
        single = all(len(v) == 1 for v in swap.values())
        entry = _TABLES[id(swap)] = _Table(swap, keys, ascii_mask, single)
    return entry


def spots(text: str, swap: dict[str, str]) -> list[int]:
    """The positions of the characters ``swap`` has a replacement for."""
    table = _table(swap)
    if text.isascii():  # one byte per character: a byte mask finds them all at once
        return list(compress(range(len(text)), text.encode("ascii").translate(table.ascii)))
    return [m.start() for m in table.keys.finditer(text)]


def per_char(text: str, swap: dict[str, str], rate: float, rng: Draws) -> Edited:
    """Each character with a replacement in ``swap`` replaced with probability ``rate``
    (no table maps a character to itself, so every replaced position changed)."""
    found = spots(text, swap)
    picked = pick(found, len(found), rate, rng)
    if not picked:
        return Edited(text, ())
    chars = list(text)
    new = list(map(swap.__getitem__, map(text.__getitem__, picked)))
    deque(map(chars.__setitem__, picked, new), maxlen=0)
    if _table(swap).single:
        return Edited("".join(chars), tuple(picked))
    sizes = list(map(len, new))
    starts = list(map(add, picked, accumulate(map(sub, sizes, repeat(1)), initial=0)))
    changed = chain.from_iterable(map(range, starts, map(add, starts, sizes)))
    return Edited("".join(chars), tuple(changed), build=lambda: _pieces(text, picked, new))


def _pieces(text: str, picked: list[int], new: list[str]) -> list[Piece]:
    pieces: list[Piece] = []
    start = 0
    for i, piece in zip(picked, new, strict=True):
        if start < i:
            pieces.append((text[start:i], start))
        pieces.append((piece, None))
        start = i + 1
    if start < len(text):
        pieces.append((text[start:], start))
    return pieces


def inside_words(text: str, chars: str, rng: Draws, rate: float = 1.0) -> Edited:
    """Gaps between two letters of a word, each chosen with probability ``rate``, get one
    of ``chars`` inserted (drawn at random); everything else is kept."""
    size = max(len(text) - 1, 0)
    gaps = [i for i in pick(range(1, len(text)), size, rate, rng) if _PAIR.match(text, i - 1)]
    kinds = rng.bytes(len(gaps)) if len(chars) > 1 else bytes(len(gaps))
    parts: list[str] = []
    start = 0
    for gap, kind in zip(gaps, kinds, strict=True):
        parts += (text[start:gap], chars[kind % len(chars)])
        start = gap
    parts.append(text[start:])
    changed = tuple(gap + shift for shift, gap in enumerate(gaps))
    return Edited("".join(parts), changed, same=False)
