"""Spacing: letters spaced out (``b u y``), dotted (``b.u.y``), words run together, and
exotic whitespace (no-break, thin, ideographic spaces) in place of plain spaces."""

from __future__ import annotations

import random
from collections.abc import Mapping

from app.core.robustness.variant import WORD, Piece, Result, per_char

EXOTIC_SPACES = ("\u00a0", "\u2009", "\u3000", "\u2003", "\u202f")


def _split_words(text: str, glue: str, rng: random.Random, rate: float) -> list[Piece]:
    """Chosen words (probability ``rate``) with ``glue`` between every two letters."""
    pieces: list[Piece] = []
    add = pieces.append
    start = 0
    for match in WORD.finditer(text):
        first, end = match.start(), match.end()
        if end - first < 2 or (rate < 1.0 and rng.random() >= rate):
            continue
        if start < first:
            add((text[start:first], start))
        for i in range(first, end - 1):
            add((text[i], i))
            add((glue, None))
        start = end - 1
    if start < len(text):
        add((text[start:], start))
    return pieces


def spaced(text: str, rng: random.Random, opts: Mapping) -> list[Piece]:
    return _split_words(text, str(opts.get("glue", " ")), rng, float(opts.get("rate", 0.7)))


def dotted(text: str, rng: random.Random, opts: Mapping) -> list[Piece]:
    return _split_words(text, str(opts.get("glue", ".")), rng, float(opts.get("rate", 0.7)))


def joined(text: str, rng: random.Random, opts: Mapping) -> list[Piece]:
    """Spaces between words dropped with probability ``rate`` (the characters are gone, so
    nothing new is recorded: the kept text is the original with those spaces missing)."""
    rate = float(opts.get("rate", 0.8))
    pieces: list[Piece] = []
    start = 0
    for i, char in enumerate(text):
        if char == " " and (rate >= 1.0 or rng.random() < rate):
            if start < i:
                pieces.append((text[start:i], start))
            start = i + 1
    if start < len(text):
        pieces.append((text[start:], start))
    return pieces


def whitespace(text: str, rng: random.Random, opts: Mapping) -> Result:
    space = rng.choice(EXOTIC_SPACES) if opts.get("space", "any") == "any" else opts["space"]
    return per_char(text, {" ": space}, float(opts.get("rate", 1.0)), rng)
