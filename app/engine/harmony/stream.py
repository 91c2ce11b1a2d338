"""Streaming parser for the model's harmony answer: splits it into channels, token by token.

The model answers ``<|channel|>analysis<|message|>…<|end|><|start|>assistant<|channel|>final
<|message|>…<|return|>``. One state machine (:class:`HarmonyMachine`) is fed special tokens by
name and text as bytes; :class:`HarmonyStreamParser` feeds it token ids from a local model and
``app.engine.harmony.text`` feeds it a remote server's raw completion, where the special tokens
appear literally. Special-token ids are looked up from the loaded vocabulary, never hard-coded.

Choices for output that does not follow the format (each is also recorded in ``notes``):

* A message header with no ``<|channel|>`` goes to ``"commentary"`` if it names a recipient
  (``to=…``, a tool call) and to ``"final"`` otherwise: the model's answer must live somewhere.
* Text that starts an answer (or follows an ``<|end|>``) without ``<|start|>`` and cannot be a
  header (``assistant``, ``assistant to=functions.x``) is an answer without a header: it goes
  to ``"final"`` as soon as that is clear; a short word such as ``1`` or ``VALID`` is held until
  the message ends, then goes to ``"final"`` as well.
* A header cut off before ``<|message|>`` (budget, or a new ``<|start|>``) opens no channel.
* ``<|start|>`` or ``<|channel|>`` inside a message body closes that message (not "complete")
  and begins a new header; a stray ``<|message|>`` or ``<|constrain|>`` in a body is dropped.
* Input after ``<|return|>``, ``<|call|>`` or ``<|endoftext|>`` is ignored (kept in ``ignored``).
* A message is complete when it ends with ``<|end|>``, ``<|return|>`` or ``<|call|>``, or when
  generation finishes with reason "return"/"call" (servers strip the stop token); it is not
  complete when cut by the budget, a cancel, ``<|endoftext|>`` or a new header.
* Bytes are decoded incrementally per message, so a character split across tokens is whole;
  bytes still undecodable when a message or header ends become U+FFFD.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterable

from app.engine.harmony.events import (
    CHANNEL,
    CONSTRAIN,
    ENDOFTEXT,
    MESSAGE,
    SPECIALS,
    START,
    STOPS,
    ChannelOpened,
    HarmonyEvent,
    HarmonyParse,
    HarmonyTokens,
    MessageEnded,
    Stopped,
    TextDelta,
)

# "assistant", "assistant to=functions.lookup", or any prefix of that.
_ROLE_PREFIX_RE = re.compile(r"\s*(?:[A-Za-z_][\w.:-]*(?:\s+(?:t(?:o(?:=\S*\s*)?)?)?)?)?")
_RECIPIENT_RE = re.compile(r"\bto=(\S+)")


def _new_decoder() -> codecs.IncrementalDecoder:
    return codecs.getincrementaldecoder("utf-8")(errors="replace")


class HarmonyMachine:
    """The state machine: feed specials by name and text as bytes; read channels any time."""

    def __init__(self) -> None:
        self._channels: dict[str, str] = {}
        self._decoder = _new_decoder()
        self._in_body = False
        self._channel = ""  # the open message's channel while in a body
        self._done = False
        self._reset_header(explicit=False)
        self.final_complete = False
        self.stop_reason: str | None = None
        self.notes: list[str] = []
        self.ignored = ""

    # -- state ---------------------------------------------------------------------------
    @property
    def channels(self) -> dict[str, str]:
        return dict(self._channels)

    @property
    def analysis(self) -> str:
        return self._channels.get("analysis", "")

    @property
    def final(self) -> str | None:
        return self._channels.get("final")

    def snapshot(self) -> HarmonyParse:
        return HarmonyParse(
            self.channels, self.final_complete, self.stop_reason, tuple(self.notes), self.ignored
        )

    # -- input ---------------------------------------------------------------------------
    def feed_text(self, data: bytes) -> list[HarmonyEvent]:
        """Feed the bytes of one ordinary token (or any run of text bytes)."""
        if self._done:
            self._ignore(data.decode("utf-8", errors="replace"))
            return []
        return self._route(self._decoder.decode(data))

    def feed_special(self, name: str) -> list[HarmonyEvent]:
        """Feed one special token by its text, e.g. ``"<|channel|>"``."""
        if self._done:
            self._ignore(name)
            return []
        if name not in SPECIALS:
            self._note(f"unknown special token {name} ignored")
            return []
        events = self._route(self._flush())
        if name in (START, CHANNEL):
            return events + self._begin_header(name)
        if name in (CONSTRAIN, MESSAGE) and self._in_body:
            self._note(f"{name} inside a message body ignored")
        elif name == CONSTRAIN:
            self._part, self._header["constrain"] = "constrain", ""
        elif name == MESSAGE:
            events += self._open(self._header_channel())
        else:
            events += self._end_message(name)
        return events

    def finish(self, reason: str) -> list[HarmonyEvent]:
        """End of generation ("return", "call", "endoftext", "budget", "cancelled")."""
        if self._done:
            return []
        events = self._route(self._flush())
        complete = reason in ("return", "call")
        if self._in_body:
            if not complete:
                self._note(f"the {self._channel} message was cut off ({reason})")
            events += self._close(complete=complete, announce=complete)
        else:
            events += self._end_header(complete=complete)
        return events + self._stop(reason)

    # -- internals -----------------------------------------------------------------------
    def _begin_header(self, name: str) -> list[HarmonyEvent]:
        """``<|start|>`` or ``<|channel|>``: whatever was open ends, a header begins."""
        events: list[HarmonyEvent] = []
        if self._in_body:
            self._note(f"{name} inside a message body closed the message")
            events = self._close(complete=False, announce=True)
        elif name == START:
            events = self._end_header(complete=False, announce=True)
        if name == START:
            self._reset_header(explicit=True)
        else:
            self._explicit, self._part, self._header["channel"] = True, "channel", ""
        return events

    def _end_message(self, name: str) -> list[HarmonyEvent]:
        """``<|end|>`` or a stop token: the message (or header) ends; a stop ends it all."""
        complete = name != ENDOFTEXT
        if self._in_body:
            events = self._close(complete=complete, announce=True)
        else:
            events = self._end_header(complete=complete)
        return events + (self._stop(STOPS[name]) if name in STOPS else [])

    def _reset_header(self, *, explicit: bool) -> None:
        self._explicit = explicit  # opened by <|start|> or <|channel|>, not by bare text
        self._part = "role"
        self._header: dict[str, str | None] = {"role": "", "channel": None, "constrain": None}

    def _header_text(self) -> str:
        return "".join(v for v in self._header.values() if v)

    def _note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def _ignore(self, text: str) -> None:
        self.ignored += text
        self._note(f"output after the stop ({self.stop_reason}) ignored")

    def _flush(self) -> str:
        text = self._decoder.decode(b"", final=True)
        self._decoder = _new_decoder()
        return text

    def _route(self, text: str) -> list[HarmonyEvent]:
        if not text:
            return []
        if self._in_body:
            self._channels[self._channel] += text
            return [TextDelta(self._channel, text)]
        self._header[self._part] = (self._header[self._part] or "") + text
        role = self._header["role"] or ""
        if self._explicit or self._part != "role" or _ROLE_PREFIX_RE.fullmatch(role):
            return []
        self._note("text without a harmony header read as the final answer")
        self._reset_header(explicit=False)
        return self._open("final") + self._route(role)

    def _header_channel(self) -> str:
        words = (self._header["channel"] or "").split()
        if words:
            return words[0]
        to_someone = _RECIPIENT_RE.search(self._header_text())
        channel = "commentary" if to_someone else "final"
        self._note(f"a message without a channel was read as {channel}")
        return channel

    def _open(self, channel: str) -> list[HarmonyEvent]:
        self._in_body, self._channel = True, channel
        self._reset_header(explicit=False)
        if channel == "final":
            self.final_complete = False
        if channel not in self._channels:
            self._channels[channel] = ""
            return [ChannelOpened(channel)]
        self._channels[channel] += "\n"
        return [ChannelOpened(channel), TextDelta(channel, "\n")]

    def _close(self, *, complete: bool, announce: bool) -> list[HarmonyEvent]:
        channel = self._channel
        if channel == "final":
            self.final_complete = complete
        self._in_body, self._channel = False, ""
        self._reset_header(explicit=False)
        return [MessageEnded(channel)] if announce else []

    def _end_header(self, *, complete: bool, announce: bool = False) -> list[HarmonyEvent]:
        """A header ends without <|message|>: a bare answer, or a header that was cut off."""
        role = self._header["role"] or ""
        if not self._explicit and self._header["channel"] is None and role.strip():
            self._note("text without a harmony header read as the final answer")
            self._reset_header(explicit=False)
            events = self._open("final") + self._route(role)
            return events + self._close(complete=complete, announce=complete or announce)
        if self._explicit or self._header_text().strip():
            self._note("a message header was cut off before <|message|>")
        self._reset_header(explicit=False)
        return []

    def _stop(self, reason: str) -> list[HarmonyEvent]:
        self._done, self.stop_reason = True, reason
        return [Stopped(reason)]


class HarmonyStreamParser(HarmonyMachine):
    """Feeds token ids from a local model: specials by id, other tokens through ``piece``."""

    def __init__(self, tokens: HarmonyTokens, piece: Callable[[int], bytes]) -> None:
        super().__init__()
        self._specials = tokens.names()
        self._piece = piece

    def feed(self, token_id: int) -> list[HarmonyEvent]:
        name = self._specials.get(token_id)
        if name is not None:
            return self.feed_special(name)
        return self.feed_text(self._piece(token_id))

    def feed_all(self, token_ids: Iterable[int]) -> list[HarmonyEvent]:
        events: list[HarmonyEvent] = []
        for token_id in token_ids:
            events += self.feed(token_id)
        return events
