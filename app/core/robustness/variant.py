"""One adversarial variant of a case, and the pieces a family builds it from.

A family turns a text into *pieces*: ``(text, origin)`` where ``origin`` is the index in
the input the piece was copied from unchanged, or ``None`` for text the family put there
(a substituted, inserted or encoded character). :func:`assemble` joins the pieces and
records the positions of the new characters, so every variant can say exactly which
characters it changed; :func:`compose` chains two families (stacking) and keeps the
origins pointing into the original text.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field

Piece = tuple[str, int | None]  # text, index in the input it was copied from (None: new)
WORD = re.compile(r"\w+")
SEPARATOR = "~"  # variant ids: <case id>~<family>~<n>


@dataclass(slots=True)
class Variant:
    """A variant's text, the family and parameters that made it, and what it changed."""

    case_id: str
    family: str
    index: int
    text: str
    params: dict = field(default_factory=dict)
    changed: tuple[int, ...] = ()  # positions in ``text`` of characters the family put there

    @property
    def id(self) -> str:
        return variant_id(self.case_id, self.family, self.index)


def variant_id(case_id: str, family: str, index: int) -> str:
    return f"{case_id}{SEPARATOR}{family}{SEPARATOR}{index}"


def make_rng(seed: int, family: str, case_id: str, index: int) -> random.Random:
    """The generator of one variant: the same seed, family, case and index, the same text."""
    return random.Random(f"{seed}\x1f{family}\x1f{case_id}\x1f{index}")


def kept(text: str) -> list[Piece]:
    """The text unchanged, as one piece."""
    return [(text, 0)] if text else []


def assemble(pieces: Result) -> tuple[str, tuple[int, ...]]:
    """The variant text and the positions of the characters the family put there."""
    if isinstance(pieces, Swapped):
        return pieces.text, pieces.changed
    changed: list[int] = []
    grow = changed.extend
    at = 0
    add = changed.append
    for text, origin in pieces:
        size = len(text)
        if origin is None:
            if size == 1:
                add(at)
            else:
                grow(range(at, at + size))
        at += size
    return "".join([text for text, _ in pieces]), tuple(changed)


def as_pieces(result: Result) -> list[Piece]:
    return result.pieces() if isinstance(result, Swapped) else result


def origins(pieces: list[Piece]) -> list[int | None]:
    """Per character of the assembled text: the input index it came from, or None."""
    out: list[int | None] = []
    for text, origin in pieces:
        if origin is None:
            out.extend([None] * len(text))
        else:
            out.extend(range(origin, origin + len(text)))
    return out


def compose(first: Result, second: Result) -> list[Piece]:
    """``second`` (made from the text of ``first``) with origins in the original text."""
    back = origins(as_pieces(first))
    out: list[Piece] = []
    for text, origin in as_pieces(second):
        if origin is None:
            out.append((text, None))
            continue
        for offset, char in enumerate(text):
            source = back[origin + offset]
            out.append((char, source))
    return out


@dataclass(slots=True)
class Swapped:
    """A same-length substitution: the new text and the positions that differ (the fast
    form of a family's result; :meth:`pieces` gives the general one)."""

    text: str
    changed: tuple[int, ...]

    def pieces(self) -> list[Piece]:
        out: list[Piece] = []
        start = 0
        for i in self.changed:
            if start < i:
                out.append((self.text[start:i], start))
            out.append((self.text[i], None))
            start = i + 1
        if start < len(self.text):
            out.append((self.text[start:], start))
        return out


Result = list[Piece] | Swapped  # what a family's transform returns
_TABLES: dict[int, tuple[dict[str, str], re.Pattern[str], bool]] = {}


def _table(swap: dict[str, str]) -> tuple[re.Pattern[str], bool]:
    """The pattern of a replacement table's keys, and whether every replacement is one
    character (cached per table: the tables are module constants)."""
    entry = _TABLES.get(id(swap))
    if entry is None or entry[0] is not swap:
        pattern = re.compile("[" + "".join(re.escape(k) for k in sorted(swap)) + "]")
        entry = _TABLES[id(swap)] = (swap, pattern, all(len(v) == 1 for v in swap.values()))
    return entry[1], entry[2]


def per_char(text: str, swap: dict[str, str], rate: float, rng: random.Random) -> Result:
    """Each character with a replacement in ``swap`` replaced with probability ``rate``."""
    pattern, single = _table(swap)
    spots = [m.start() for m in pattern.finditer(text)]  # no table maps a character to itself
    picked = spots if rate >= 1.0 else [spots[k] for k in chosen(len(spots), rate, rng)]
    if single:
        parts, start = [], 0
        for i in picked:
            parts += (text[start:i], swap[text[i]])
            start = i + 1
        parts.append(text[start:])
        return Swapped("".join(parts), tuple(picked))
    pieces: list[Piece] = []
    start = 0
    for i in picked:
        if start < i:
            pieces.append((text[start:i], start))
        pieces.append((swap[text[i]], None))
        start = i + 1
    if start < len(text):
        pieces.append((text[start:], start))
    return pieces


def chosen(count: int, rate: float, rng: random.Random) -> list[int]:
    """Indices below ``count``, each chosen with probability ``rate`` (geometric skips:
    one draw per chosen index, not one per candidate)."""
    if rate >= 1.0:
        return list(range(count))
    if rate <= 0.0:
        return []
    out: list[int] = []
    scale = 1.0 / math.log(1.0 - rate)
    rand = rng.random
    at = -1
    while True:
        at += 1 + int(math.log(1.0 - rand()) * scale)
        if at >= count:
            return out
        out.append(at)


def around(text: str, before: str, after: str) -> list[Piece]:
    """The text unchanged between two new pieces (framing, lead-ins)."""
    pieces: list[Piece] = [(before, None)] if before else []
    pieces += kept(text)
    return pieces + ([(after, None)] if after else [])


def inside_words(text: str, make, rng: random.Random, rate: float = 1.0) -> list[Piece]:
    """Gaps between two letters of a word, each chosen with probability ``rate``, get the
    text ``make(rng)`` inserted; everything else is kept."""
    gaps = [i for m in WORD.finditer(text) for i in range(m.start() + 1, m.end())]
    pieces: list[Piece] = []
    add = pieces.append
    start = 0
    for pick in chosen(len(gaps), rate, rng):
        gap = gaps[pick]
        add((text[start:gap], start))
        add((make(rng), None))
        start = gap
    if start < len(text):
        add((text[start:], start))
    return pieces
