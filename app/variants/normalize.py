"""Did the model see through a variant? Its reasoning restates the case's own text.

Both texts are normalised the same way (compatibility forms folded, invisible characters,
accents and everything but letters and digits dropped, look-alikes and leetspeak mapped to
plain letters, lower case), so a reasoning that writes the decoded or de-obfuscated content
matches the clean case whatever spelling the variant used.
"""

from __future__ import annotations

import unicodedata

from app.variants.char_subst import CYRILLIC, GREEK, LEET_HEAVY

CHUNK = 24  # normalised characters in a row that count as restating the content
_BACK = {**{v: k for k, v in CYRILLIC.items()}, **{v: k for k, v in GREEK.items()}}
_BACK.update({v: k.lower() for k, v in LEET_HEAVY.items() if len(v) == 1})
_BACK.update({"$": "s", "@": "a", "|": "i", "1": "i", "l": "i", "L": "i", "6": "g", "9": "g"})
_FOLD = str.maketrans({k: v.lower() for k, v in _BACK.items()})
_GROUPS = sorted(((v, k.lower()) for k, v in LEET_HEAVY.items() if len(v) > 1),
                 key=lambda pair: -len(pair[0]))  # fmt: skip


def normalise(text: str) -> str:
    """Letters and digits only, plain Latin, lower case, with letters that leetspeak
    writes alike (i, l, 1, |) folded into one (see the module notes)."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    for group, letter in _GROUPS:  # |_| -> u before | alone is read
        folded = folded.replace(group, letter)
    plain = folded.translate(_FOLD).lower()
    return "".join(c for c in plain if c.isalnum() and not unicodedata.combining(c))


def restates(reasoning: str, content: str, chunk: int = CHUNK) -> bool:
    """Whether ``reasoning`` contains a run of ``chunk`` normalised characters of
    ``content`` (all of it when shorter)."""
    target, said = normalise(content), normalise(reasoning)
    if not target or not said:
        return False
    if len(target) <= chunk:
        return target in said
    step = max(1, chunk // 2)
    return any(target[i : i + chunk] in said for i in range(0, len(target) - chunk + 1, step))
