"""Case and typos: random upper/lower case, and neighbouring characters swapped or
characters deleted at a set rate."""

from __future__ import annotations

from collections.abc import Mapping

from app.variants.edits import pick
from app.variants.variant import Draws, Piece


def random_case(text: str, rng: Draws, opts: Mapping) -> list[Piece]:
    rate = float(opts.get("rate", 0.5))
    pieces: list[Piece] = []
    start = 0
    for i in pick(range(len(text)), len(text), rate, rng):  # each letter at ``rate``
        char = text[i]
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


def typos(text: str, rng: Draws, opts: Mapping) -> list[Piece]:
    """At ``rate`` per letter or digit: swap it with the next one (both recorded as new) or
    delete it (nothing recorded: the character is gone)."""
    rate = float(opts.get("rate", 0.08))
    picks = [i for i in pick(range(len(text)), len(text), rate, rng) if text[i].isalnum()]
    pieces: list[Piece] = []
    start = 0
    for i, coin in zip(picks, rng.bytes(len(picks)), strict=True):
        if i < start:  # taken by the swap before it
            continue
        if start < i:
            pieces.append((text[start:i], start))
        following = text[i + 1 : i + 2]
        if following.isalnum() and following != text[i] and coin < 128:
            pieces.append((following + text[i], None))
            start = i + 2
        else:
            start = i + 1  # deleted
    if start < len(text):
        pieces.append((text[start:], start))
    return pieces
