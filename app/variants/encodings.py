"""Encodings: base64, hex and ROT13 of the whole content or of its key sentence, with or
without a "Decode this:" lead-in.

The key sentence is the longest one (ties: the first); the rest of the content stays as it
was. Every character of the encoded part, and of the lead-in, is recorded as new.
"""

from __future__ import annotations

import base64
import codecs
import re
from collections.abc import Callable, Mapping

from app.variants.variant import Draws, Piece

LEAD = "Decode this: "
SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")


def b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def hex_text(text: str) -> str:
    return text.encode("utf-8").hex()


def rot13(text: str) -> str:
    return codecs.encode(text, "rot13")


CODECS: dict[str, Callable[[str], str]] = {"base64": b64, "hex": hex_text, "rot13": rot13}


def key_sentence(text: str) -> tuple[int, int]:
    """(start, end) of the longest sentence, surrounding spaces left out."""
    best = (0, len(text))
    longest = -1
    for match in SENTENCE.finditer(text):
        chunk = match.group()
        start = match.start() + len(chunk) - len(chunk.lstrip())
        end = match.end() - (len(chunk) - len(chunk.rstrip()))
        if end - start > longest:
            best, longest = (start, end), end - start
    return best


def encoded(text: str, codec: str, opts: Mapping) -> list[Piece]:
    encode = CODECS[codec]
    lead = LEAD if opts.get("lead", True) else ""
    if opts.get("scope", "whole") != "key":
        return [(lead + encode(text), None)]
    start, end = key_sentence(text)
    pieces: list[Piece] = [(text[:start], 0)] if start else []
    pieces.append((lead + encode(text[start:end]), None))
    return pieces + ([(text[end:], end)] if end < len(text) else [])


def base64_family(text: str, _rng: Draws, opts: Mapping) -> list[Piece]:
    return encoded(text, "base64", opts)


def hex_family(text: str, _rng: Draws, opts: Mapping) -> list[Piece]:
    return encoded(text, "hex", opts)


def rot13_family(text: str, _rng: Draws, opts: Mapping) -> list[Piece]:
    return encoded(text, "rot13", opts)
