"""One adversarial variant of a case, and the pieces a family builds it from.

A family turns a text into *pieces*: ``(text, origin)`` where ``origin`` is the index in
the input the piece was copied from unchanged, or ``None`` for text the family put there
(a substituted, inserted or encoded character). :func:`assemble` joins the pieces and
records the positions of the new characters, so every variant can say exactly which
characters it changed; :func:`compose` chains two families (stacking) and keeps the
origins pointing into the original text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
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


class Draws:
    """The random draws of one variant, all from its key: SHAKE-256 of the key and a call
    counter gives any number of random bytes in one call (what per-character choices use);
    ``random`` and ``choice`` take theirs from it too."""

    __slots__ = ("_key", "_calls")

    def __init__(self, key: bytes) -> None:
        self._key, self._calls = key, 0

    def bytes(self, count: int) -> bytes:
        self._calls += 1
        return hashlib.shake_256(self._key + self._calls.to_bytes(4, "big")).digest(count)

    def random(self) -> float:
        """A float in [0, 1) (56 random bits)."""
        return int.from_bytes(self.bytes(7), "big") / 2**56

    def choice(self, options):  # noqa: ANN001, ANN201 - any sequence, one of its items
        return options[int.from_bytes(self.bytes(8), "big") % len(options)]


def make_rng(seed: int, family: str, case_id: str, index: int) -> Draws:
    """The draws of one variant: the same seed, family, case and index, the same text (a
    hash of the four, the same in every process)."""
    return Draws(f"{seed}\x1f{family}\x1f{case_id}\x1f{index}".encode("utf-8", "surrogatepass"))


def kept(text: str) -> list[Piece]:
    """The text unchanged, as one piece."""
    return [(text, 0)] if text else []


def assemble(pieces: Result) -> tuple[str, tuple[int, ...]]:
    """The variant text and the positions of the characters the family put there."""
    if isinstance(pieces, Edited):
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
    return result.pieces() if isinstance(result, Edited) else result


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
class Edited:
    """A family's result already assembled: the text and the positions it put there (the
    fast form; :meth:`pieces` gives the general one). ``same``: a substitution, a kept
    character sits where it was; otherwise nothing was deleted, so the kept characters are
    the input in order."""

    text: str
    changed: tuple[int, ...]
    same: bool = True
    build: Callable[[], list[Piece]] | None = None  # the pieces, when neither rule holds

    def pieces(self) -> list[Piece]:
        if self.build is not None:
            return self.build()
        out: list[Piece] = []
        start = source = 0
        for i in self.changed:
            if start < i:
                out.append((self.text[start:i], start if self.same else source))
                source += i - start
            out.append((self.text[i], None))
            start = i + 1
        if start < len(self.text):
            out.append((self.text[start:], start if self.same else source))
        return out


Result = list[Piece] | Edited  # what a family's transform returns


def around(text: str, before: str, after: str) -> list[Piece]:
    """The text unchanged between two new pieces (framing, lead-ins)."""
    pieces: list[Piece] = [(before, None)] if before else []
    pieces += kept(text)
    return pieces + ([(after, None)] if after else [])
