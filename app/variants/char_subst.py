"""Character substitution: leetspeak, homoglyphs, diacritics and fullwidth forms.

Each family swaps single characters for look-alikes, so a reader sees the same words
while a matcher of plain text does not. The look-alike tables follow Unicode's confusables
(Latin letters that Cyrillic and Greek letters are drawn the same as).
"""

from __future__ import annotations

from collections.abc import Mapping

from app.variants.edits import per_char
from app.variants.variant import Draws, Result

LEET_LIGHT = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
LEET_HEAVY = {
    **LEET_LIGHT, "A": "4", "E": "3", "I": "1", "O": "0", "S": "$", "T": "7", "b": "8",
    "B": "8", "g": "9", "G": "6", "l": "1", "L": "|_", "z": "2", "Z": "2", "h": "#",
    "k": "|<", "x": "><", "c": "(", "C": "(", "u": "|_|", "w": "\\/\\/",
}  # fmt: skip
CYRILLIC = {
    "a": "\u0430", "c": "\u0441", "e": "\u0435", "o": "\u043e", "p": "\u0440",
    "x": "\u0445", "y": "\u0443", "i": "\u0456", "j": "\u0458", "s": "\u0455",
    "A": "\u0410", "B": "\u0412", "C": "\u0421", "E": "\u0415", "H": "\u041d",
    "K": "\u041a", "M": "\u041c", "O": "\u041e", "P": "\u0420", "T": "\u0422",
    "X": "\u0425", "S": "\u0405", "I": "\u0406", "J": "\u0408",
}  # fmt: skip
GREEK = {
    "o": "\u03bf", "v": "\u03bd", "u": "\u03c5", "i": "\u03b9", "k": "\u03ba",
    "A": "\u0391", "B": "\u0392", "E": "\u0395", "Z": "\u0396", "H": "\u0397",
    "I": "\u0399", "K": "\u039a", "M": "\u039c", "N": "\u039d", "O": "\u039f",
    "P": "\u03a1", "T": "\u03a4", "X": "\u03a7", "Y": "\u03a5",
}  # fmt: skip
SCRIPTS = {"cyrillic": CYRILLIC, "greek": GREEK, "mixed": {**GREEK, **CYRILLIC}}
DIACRITICS = {
    "a": "á", "e": "é", "i": "í", "o": "ö", "u": "ü", "n": "ñ", "c": "ç", "s": "š",
    "z": "ž", "y": "ý", "A": "Á", "E": "É", "I": "Í", "O": "Ö", "U": "Ü", "N": "Ñ",
    "C": "Ç", "S": "Š", "Z": "Ž", "Y": "Ý",
}  # fmt: skip
FULLWIDTH = {chr(code): chr(code + 0xFEE0) for code in range(0x21, 0x7F)}
FULLWIDTH[" "] = "\u3000"  # the ideographic space


def leet(text: str, rng: Draws, opts: Mapping) -> Result:
    table = LEET_HEAVY if opts.get("level") == "heavy" else LEET_LIGHT
    return per_char(text, table, float(opts.get("rate", 0.5)), rng)


def homoglyph(text: str, rng: Draws, opts: Mapping) -> Result:
    table = SCRIPTS.get(str(opts.get("script", "cyrillic")), CYRILLIC)
    return per_char(text, table, float(opts.get("rate", 0.6)), rng)


def diacritics(text: str, rng: Draws, opts: Mapping) -> Result:
    return per_char(text, DIACRITICS, float(opts.get("rate", 0.5)), rng)


def fullwidth(text: str, rng: Draws, opts: Mapping) -> Result:
    return per_char(text, FULLWIDTH, float(opts.get("rate", 1.0)), rng)
