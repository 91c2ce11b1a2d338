"""Invisible and layout characters: zero-width characters, the word joiner, bidi controls
and Unicode tag characters.

What a person sees is unchanged (or looks unchanged), what a model reads is not: zero-width
characters split words into pieces a tokenizer has never seen together; an RLO override
stores a word backwards so that it *displays* forwards; tag characters (U+E0020–U+E007E)
carry a whole text that no screen draws.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.variants.edits import inside_words
from app.variants.variant import WORD, Draws, Piece, Result

ZERO_WIDTH = ("\u200b", "\u200c", "\u200d")  # space, non-joiner, joiner
WORD_JOINER = "\u2060"
RLO, LRI, PDF, PDI = "\u202e", "\u2066", "\u202c", "\u2069"
TAG_BASE = 0xE0000
TAG_CARRIER = "Have a nice day!"


def zero_width(text: str, rng: Draws, opts: Mapping) -> Result:
    chars = "".join(ZERO_WIDTH) if opts.get("kind", "mixed") == "mixed" else opts["kind"]
    return inside_words(text, chars, rng, float(opts.get("rate", 0.3)))


def word_joiner(text: str, rng: Draws, opts: Mapping) -> Result:
    return inside_words(text, WORD_JOINER, rng, float(opts.get("rate", 0.3)))


def bidi(text: str, rng: Draws, opts: Mapping) -> list[Piece]:
    """``rlo``: chosen words stored reversed inside RLO…PDF (displayed as before);
    ``lri``: chosen words isolated inside LRI…PDI (kept)."""
    rate = float(opts.get("rate", 0.5))
    reverse = opts.get("mode", "rlo") == "rlo"
    pieces: list[Piece] = []
    start = 0
    for match in WORD.finditer(text):
        if len(match.group()) < 2 or rng.random() >= rate:
            continue
        if start < match.start():
            pieces.append((text[start : match.start()], start))
        if reverse:
            pieces.append((RLO + match.group()[::-1] + PDF, None))
        else:
            pieces += [(LRI, None), (match.group(), match.start()), (PDI, None)]
        start = match.end()
    if start < len(text):
        pieces.append((text[start:], start))
    return pieces


def tag_text(text: str) -> str:
    """``text`` in tag characters (printable ASCII only; other characters kept)."""
    return "".join(chr(TAG_BASE + ord(c)) if 0x20 <= ord(c) < 0x7F else c for c in text)


def tags(text: str, _rng: Draws, opts: Mapping) -> list[Piece]:
    """A harmless visible carrier with the whole content hidden after it in tag characters."""
    carrier = str(opts.get("carrier", TAG_CARRIER))
    return [(carrier + tag_text(text), None)]
