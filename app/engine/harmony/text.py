"""Harmony answers as text, where the special tokens appear literally (a server's raw
completion): split the text at the special-token strings and feed the harmony machine.

Streamed text can cut a special token in two (``<|chan`` + ``nel|>``); the stream holds such
a tail back until the next chunk says what it is.
"""

from __future__ import annotations

import re

from app.engine.harmony.events import SPECIALS, HarmonyEvent, HarmonyParse
from app.engine.harmony.stream import HarmonyMachine

_SPLIT_RE = re.compile("(" + "|".join(re.escape(name) for name in SPECIALS) + ")")


class HarmonyTextStream:
    """Feeds text chunks to a :class:`HarmonyMachine`, specials by name, text as bytes."""

    def __init__(self, machine: HarmonyMachine | None = None) -> None:
        self.machine = machine or HarmonyMachine()
        self._held = ""

    def feed(self, chunk: str) -> list[HarmonyEvent]:
        text, self._held = self._held + chunk, ""
        cut = text.rfind("<")
        if cut != -1 and any(n.startswith(text[cut:]) and n != text[cut:] for n in SPECIALS):
            text, self._held = text[:cut], text[cut:]  # maybe the start of a special token
        events: list[HarmonyEvent] = []
        for piece in _SPLIT_RE.split(text):
            if piece in SPECIALS:
                events += self.machine.feed_special(piece)
            elif piece:
                events += self.machine.feed_text(piece.encode("utf-8", errors="replace"))
        return events

    def finish(self, reason: str) -> list[HarmonyEvent]:
        held, self._held = self._held, ""
        events = self.machine.feed_text(held.encode("utf-8", errors="replace")) if held else []
        return events + self.machine.finish(reason)


def parse_harmony_text(text: str, *, finish_reason: str = "return") -> HarmonyParse:
    """Parse a whole raw completion in which the special tokens appear as literal text.

    ``finish_reason`` is how generation ended when the text itself carries no stop token
    (servers usually strip ``<|return|>``): "return" counts the last message as complete.
    """
    stream = HarmonyTextStream()
    stream.feed(text)
    stream.finish(finish_reason)
    return stream.machine.snapshot()
