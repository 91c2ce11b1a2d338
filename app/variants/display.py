"""Variant text made safe to show: invisible, bidi and tag characters as marked symbols.

A zero-width space rendered raw is invisible, an RLO reverses the rest of the line in the
report itself; :func:`visible` writes each such character as ``⟨ZWSP⟩``, ``⟨RLO⟩``,
``⟨TAG x⟩`` or ``⟨U+XXXX⟩``, never the character. :func:`marked` also says which parts
the family changed, for side-by-side views.
"""

from __future__ import annotations

import unicodedata

NAMES = {
    "\u200b": "ZWSP", "\u200c": "ZWNJ", "\u200d": "ZWJ", "\u2060": "WJ", "\ufeff": "BOM",
    "\u202a": "LRE", "\u202b": "RLE", "\u202c": "PDF", "\u202d": "LRO", "\u202e": "RLO",
    "\u2066": "LRI", "\u2067": "RLI", "\u2068": "FSI", "\u2069": "PDI", "\u200e": "LRM",
    "\u200f": "RLM", "\u00a0": "NBSP", "\u2009": "THINSP", "\u3000": "IDSP",
    "\u2003": "EMSP", "\u202f": "NNBSP", "\u00ad": "SHY",
}  # fmt: skip
TAGS = range(0xE0000, 0xE0080)


def symbol(char: str) -> str | None:
    """The marked symbol for a character that must not be shown raw, or None."""
    name = NAMES.get(char)
    if name:
        return f"⟨{name}⟩"
    code = ord(char)
    if code in TAGS:
        inner = chr(code - 0xE0000)
        return f"⟨TAG {inner}⟩" if 0x20 < code - 0xE0000 < 0x7F else f"⟨TAG {code - 0xE0000:02X}⟩"
    if char in "\n\t":
        return None
    if unicodedata.category(char) in ("Cf", "Cc", "Co", "Cs", "Zl", "Zp"):
        return f"⟨U+{code:04X}⟩"
    return None


def visible(text: str) -> str:
    """``text`` with every invisible or layout character written as its symbol."""
    out = []
    for char in text:
        mark = symbol(char)
        out.append(char if mark is None else mark)
    return "".join(out)


def marked(text: str, changed: tuple[int, ...] | list[int]) -> list[tuple[str, bool]]:
    """``text`` as runs of (visible text, changed by the family), for highlighting."""
    flags = set(changed)
    runs: list[tuple[str, bool]] = []
    for i, char in enumerate(text):
        shown = symbol(char) or char
        flag = i in flags
        if runs and runs[-1][1] == flag:
            runs[-1] = (runs[-1][0] + shown, flag)
        else:
            runs.append((shown, flag))
    return runs
