"""Spacing: letters spaced out (``b u y``), dotted (``b.u.y``), words run together, and
exotic whitespace (no-break, thin, ideographic spaces) in place of plain spaces."""

from __future__ import annotations

import re
from collections.abc import Mapping

from app.variants.edits import chosen, per_char, pick
from app.variants.variant import WORD, Draws, Edited, Piece, Result

EXOTIC_SPACES = ("\u00a0", "\u2009", "\u3000", "\u2003", "\u202f")


def _split_words(text: str, glue: str, rng: Draws, rate: float) -> Edited:
    """Chosen words (probability ``rate``) with ``glue`` between every two letters."""
    words = list(map(re.Match.span, WORD.finditer(text)))
    parts: list[str] = []
    changed: list[int] = []
    size = len(glue)
    start = shift = 0
    for first, end in pick(words, len(words), rate, rng):
        if end - first < 2:
            continue
        parts += (text[start:first], glue.join(text[first:end]))
        at = first + shift  # where the word starts in the variant
        if size == 1:
            changed.extend(range(at + 1, at + 2 * (end - first) - 1, 2))
        else:
            step = size + 1
            changed += [at + 1 + step * j + c for j in range(end - first - 1) for c in range(size)]
        shift += size * (end - first - 1)
        start = end
    parts.append(text[start:])
    return Edited("".join(parts), tuple(changed), same=False)


def spaced(text: str, rng: Draws, opts: Mapping) -> Result:
    return _split_words(text, str(opts.get("glue", " ")), rng, float(opts.get("rate", 0.7)))


def dotted(text: str, rng: Draws, opts: Mapping) -> Result:
    return _split_words(text, str(opts.get("glue", ".")), rng, float(opts.get("rate", 0.7)))


def joined(text: str, rng: Draws, opts: Mapping) -> list[Piece]:
    """Spaces between words dropped with probability ``rate`` (the characters are gone, so
    nothing new is recorded: the kept text is the original with those spaces missing)."""
    spaces = [i for i, char in enumerate(text) if char == " "]
    pieces: list[Piece] = []
    start = 0
    for k in chosen(len(spaces), float(opts.get("rate", 0.8)), rng):
        i = spaces[k]
        if start < i:
            pieces.append((text[start:i], start))
        start = i + 1
    if start < len(text):
        pieces.append((text[start:], start))
    return pieces


def whitespace(text: str, rng: Draws, opts: Mapping) -> Result:
    space = rng.choice(EXOTIC_SPACES) if opts.get("space", "any") == "any" else opts["space"]
    return per_char(text, {" ": space}, float(opts.get("rate", 1.0)), rng)
