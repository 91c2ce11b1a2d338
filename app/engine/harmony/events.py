"""Harmony's special tokens, their ids in a vocabulary, and what the harmony machine reports.

The names (``<|start|>``, ``<|channel|>``...) and the stop tokens' reasons; the ids of those
tokens in one model's vocabulary (:class:`HarmonyTokens`); the events a feed produces
(:class:`ChannelOpened`, :class:`TextDelta`, :class:`MessageEnded`, :class:`Stopped`) and
the parse it ends with (:class:`HarmonyParse`). The machine itself is in
:mod:`app.engine.harmony.stream`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields

START, END, MESSAGE, CHANNEL = "<|start|>", "<|end|>", "<|message|>", "<|channel|>"
CONSTRAIN, RETURN, CALL, ENDOFTEXT = "<|constrain|>", "<|return|>", "<|call|>", "<|endoftext|>"
SPECIALS = (START, END, MESSAGE, CHANNEL, CONSTRAIN, RETURN, CALL, ENDOFTEXT)
STOPS = {RETURN: "return", CALL: "call", ENDOFTEXT: "endoftext"}
# What the role part of a header can look like while it is still being written:


@dataclass(frozen=True)
class HarmonyTokens:
    """Ids of the harmony special tokens in one model's vocabulary (None where absent)."""

    start: int | None = None
    end: int | None = None
    message: int | None = None
    channel: int | None = None
    constrain: int | None = None
    return_: int | None = None
    call: int | None = None
    endoftext: int | None = None

    @classmethod
    def from_lookup(cls, lookup: Callable[[str], int | None]) -> HarmonyTokens:
        """Build from a function mapping a token text such as ``"<|start|>"`` to its id."""
        return cls(*(lookup(name) for name in SPECIALS))

    def names(self) -> dict[int, str]:
        """Map each known id to its token text."""
        ids = (getattr(self, f.name) for f in fields(self))
        return {i: name for i, name in zip(ids, SPECIALS, strict=True) if i is not None}


@dataclass(frozen=True)
class ChannelOpened:
    channel: str


@dataclass(frozen=True)
class TextDelta:
    channel: str
    text: str


@dataclass(frozen=True)
class MessageEnded:
    channel: str


@dataclass(frozen=True)
class Stopped:
    reason: str


HarmonyEvent = ChannelOpened | TextDelta | MessageEnded | Stopped


@dataclass(frozen=True)
class HarmonyParse:
    """A finished (or snapshot) parse: text per channel and how the answer ended."""

    channels: dict[str, str] = field(default_factory=dict)
    final_complete: bool = False
    stop_reason: str | None = None
    notes: tuple[str, ...] = ()
    ignored: str = ""

    @property
    def analysis(self) -> str:
        return self.channels.get("analysis", "")

    @property
    def final(self) -> str | None:
        return self.channels.get("final")
