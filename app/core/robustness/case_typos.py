"""Case and typos: random upper/lower case, and neighbouring characters swapped or
characters deleted at a set rate."""

from __future__ import annotations

import random
from collections.abc import Mapping

from app.core.robustness.variant import Piece


def random_case(text: str, rng: random.Random, opts: Mapping) -> list[Piece]:
    rate = float(opts.get("rate", 0.5))
    pieces: list[Piece] = []
    start = 0
    rand = rng.random
    for i, char in enumerate(text):
        if not char.isalpha() or rand() >= rate:
            continue
        other = char.lower() if char.isupper() else char.upper()
        if len(other) != 1 or other == char:
            continue
        if start < i:
            pieces.append((text[start:i], start))
        pieces.append((other, None))
        start = i + 1
    if start < len(text):
        pieces.append((text[start:], start))
    return pieces


def typos(text: str, rng: random.Random, opts: Mapping) -> list[Piece]:
    """Inside words, at ``rate`` per letter: swap it with the next (both recorded as new) or
    delete it (nothing recorded: the character is gone)."""
    rate = float(opts.get("rate", 0.08))
    pieces: list[Piece] = []
    start = i = 0
    while i < len(text):
        char = text[i]
        if not char.isalnum() or rng.random() >= rate:
            i += 1
            continue
        if start < i:
            pieces.append((text[start:i], start))
        following = text[i + 1] if i + 1 < len(text) else ""
        if following.isalnum() and following != char and rng.random() < 0.5:
            pieces.append((following + char, None))
            i += 2
        else:
            i += 1  # deleted
        start = i
    if start < len(text):
        pieces.append((text[start:], start))
    return pieces
