"""Harmony stream parser: recorded answers as token ids against a fake vocabulary, and as text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.engine.harmony import stream as harmony
from app.engine.harmony.events import (
    SPECIALS,
    ChannelOpened,
    HarmonyTokens,
    MessageEnded,
    Stopped,
    TextDelta,
)
from app.engine.harmony.stream import HarmonyMachine, HarmonyStreamParser
from app.engine.harmony.text import parse_harmony_text

_SPLIT = re.compile("(" + "|".join(re.escape(name) for name in SPECIALS) + ")")


class FakeVocab:
    """Specials at made-up ids; text cut into ``chunk``-byte tokens (splitting UTF-8)."""

    def __init__(self, special_ids: list[int], text_base: int, chunk: int = 3) -> None:
        self.specials = dict(zip(SPECIALS, special_ids, strict=True))
        self.pieces: dict[int, bytes] = {}
        self._ids: dict[bytes, int] = {}
        self._next = text_base
        self.chunk = chunk

    def lookup(self, name: str) -> int | None:
        return self.specials.get(name)

    def piece(self, token_id: int) -> bytes:
        return self.pieces[token_id]  # a special id asked for here raises KeyError

    def encode(self, text: str) -> list[int]:
        ids: list[int] = []
        for part in _SPLIT.split(text):
            if part in self.specials:
                ids.append(self.specials[part])
                continue
            data = part.encode()
            for i in range(0, len(data), self.chunk):
                ids.append(self._text_id(data[i : i + self.chunk]))
        return ids

    def _text_id(self, chunk: bytes) -> int:
        if chunk not in self._ids:
            self._ids[chunk] = self._next
            self.pieces[self._next] = chunk
            self._next += 1
        return self._ids[chunk]


VOCABS = {
    "high": lambda: FakeVocab([906, 907, 908, 905, 903, 902, 912, 999], text_base=0),
    "low": lambda: FakeVocab([1, 2, 3, 4, 5, 6, 7, 8], text_base=100, chunk=1),
}

COMPLETE = (
    "<|channel|>analysis<|message|>The post offers a fake prize (SP2.a).<|end|>"
    "<|start|>assistant<|channel|>final<|message|>1<|return|>"
)


def run(text: str, reason: str | None = "return", vocab: str = "high"):
    fake = VOCABS[vocab]()
    parser = HarmonyStreamParser(HarmonyTokens.from_lookup(fake.lookup), fake.piece)
    events = parser.feed_all(fake.encode(text))
    if reason is not None:
        events += parser.finish(reason)
    return parser, events


def deltas(events, channel: str) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta) and e.channel == channel)


@pytest.mark.parametrize("vocab", sorted(VOCABS))
def test_complete_answer_any_special_ids(vocab: str) -> None:
    parser, events = run(COMPLETE, vocab=vocab)
    assert parser.analysis == "The post offers a fake prize (SP2.a)."
    assert parser.final == "1"
    assert parser.final_complete is True
    assert parser.stop_reason == "return"
    assert parser.channels == {"analysis": parser.analysis, "final": "1"}
    structural = [e for e in events if not isinstance(e, TextDelta)]
    assert structural == [
        ChannelOpened("analysis"),
        MessageEnded("analysis"),
        ChannelOpened("final"),
        MessageEnded("final"),
        Stopped("return"),
    ]
    assert deltas(events, "analysis") == parser.analysis
    assert parser.notes == []


def test_tokens_from_lookup() -> None:
    table = {"<|start|>": 10, "<|return|>": 11, "<|channel|>": 12}
    tokens = HarmonyTokens.from_lookup(table.get)
    assert tokens.start == 10 and tokens.return_ == 11 and tokens.channel == 12
    assert tokens.call is None and tokens.constrain is None
    assert tokens.names() == {10: "<|start|>", 11: "<|return|>", 12: "<|channel|>"}


def test_truncated_mid_analysis() -> None:
    parser, events = run("<|channel|>analysis<|message|>Looking at SP", reason="budget")
    assert parser.final is None
    assert parser.analysis == "Looking at SP"
    assert parser.stop_reason == "budget"
    assert not any(isinstance(e, MessageEnded) for e in events)
    assert events[-1] == Stopped("budget")


def test_truncated_mid_final() -> None:
    text = COMPLETE.replace("1<|return|>", '{"violation": 1, "rat')
    parser, events = run(text, reason="budget")
    assert parser.final == '{"violation": 1, "rat'
    assert parser.final_complete is False
    assert MessageEnded("final") not in events


def test_truncated_mid_header() -> None:
    text = "<|channel|>analysis<|message|>ok<|end|><|start|>assistant<|channel|>fin"
    parser, events = run(text, reason="budget")
    assert parser.final is None
    assert "fin" not in "".join(parser.channels.values())
    assert any("header" in note for note in parser.notes)
    assert events[-1] == Stopped("budget")


def test_no_final_channel() -> None:
    parser, _ = run("<|channel|>analysis<|message|>thinking<|end|>", reason="endoftext")
    assert parser.final is None
    assert parser.final_complete is False
    assert parser.analysis == "thinking"


def test_text_after_return_is_ignored() -> None:
    parser, events = run(COMPLETE + "0<|start|>assistant<|channel|>final<|message|>0")
    assert parser.final == "1"
    assert "0" in parser.ignored
    assert any("ignored" in note for note in parser.notes)
    assert events.count(Stopped("return")) == 1


def test_unknown_and_repeated_channels() -> None:
    text = (
        "<|channel|>analysis<|message|>a<|end|><|start|>assistant<|channel|>analysis"
        "<|message|>b<|end|><|start|>assistant<|channel|>scratch<|message|>c<|end|>"
        "<|start|>assistant<|channel|>final<|message|>0<|end|>"
    )
    parser, events = run(text)
    assert parser.channels == {"analysis": "a\nb", "scratch": "c", "final": "0"}
    assert deltas(events, "analysis") == "a\nb"
    assert ChannelOpened("scratch") in events


@pytest.mark.parametrize("vocab", sorted(VOCABS))
def test_utf8_split_across_tokens(vocab: str) -> None:
    answer = "Réponse: 1 — ok 😀 日本"
    parser, events = run(f"<|channel|>final<|message|>{answer}<|return|>", vocab=vocab)
    assert parser.final == answer
    assert all("\ufffd" not in e.text for e in events if isinstance(e, TextDelta))


def test_invalid_bytes_replaced_only_at_message_end() -> None:
    fake = VOCABS["high"]()
    parser = HarmonyStreamParser(HarmonyTokens.from_lookup(fake.lookup), fake.piece)
    parser.feed_all(fake.encode("<|channel|>final<|message|>ok "))
    fake.pieces[500] = b"\xe2\x82"  # first two bytes of a three-byte character
    assert parser.feed(500) == []
    assert parser.final == "ok "
    events = parser.feed(fake.specials["<|end|>"])
    assert TextDelta("final", "\ufffd") in events
    assert parser.final == "ok \ufffd"


def test_constrain_json_header() -> None:
    text = (
        "<|channel|>analysis<|message|>x<|end|><|start|>assistant<|channel|>final "
        '<|constrain|>json<|message|>{"violation": 0}<|return|>'
    )
    parser, _ = run(text)
    assert parser.final == '{"violation": 0}'
    assert parser.final_complete


def test_tool_call_stops_with_call() -> None:
    text = (
        '<|channel|>commentary to=functions.lookup <|constrain|>json<|message|>{"q": "x"}<|call|>'
    )
    parser, events = run(text, reason=None)
    assert parser.channels == {"commentary": '{"q": "x"}'}
    assert parser.stop_reason == "call"
    assert parser.finish("call") == []  # finishing again adds nothing


def test_repeated_start_headers() -> None:
    text = "<|start|>assistant<|start|>assistant<|channel|>final<|message|>0<|return|>"
    parser, _ = run(text)
    assert parser.final == "0"
    assert any("header" in note for note in parser.notes)


@pytest.mark.parametrize("answer", ["1", "VALID", "SP2"])
def test_answer_without_any_header(answer: str) -> None:
    parser, events = run(answer + "<|return|>")
    assert parser.final == answer
    assert parser.final_complete
    assert events[0] == ChannelOpened("final")


def test_prose_without_header_streams_as_final() -> None:
    fake = VOCABS["high"]()
    parser = HarmonyStreamParser(HarmonyTokens.from_lookup(fake.lookup), fake.piece)
    events = parser.feed_all(fake.encode("The content is spam"))
    assert ChannelOpened("final") in events  # known before the end: it cannot be a header
    assert parser.final == "The content is spam"


def test_message_without_channel() -> None:
    parser, _ = run("<|channel|>analysis<|message|>a<|end|><|start|>assistant<|message|>1<|end|>")
    assert parser.final == "1"
    assert any("without a channel" in note for note in parser.notes)
    tool, _ = run("<|start|>assistant to=functions.x<|message|>{}<|call|>")
    assert tool.channels == {"commentary": "{}"} and tool.final is None


def test_channel_inside_body_closes_message() -> None:
    parser, events = run("<|channel|>analysis<|message|>a<|channel|>final<|message|>1")
    assert parser.channels == {"analysis": "a", "final": "1"}
    assert MessageEnded("analysis") in events
    assert parser.final_complete  # finish("return"): the server stripped <|return|>


def test_empty_final() -> None:
    parser, _ = run(
        "<|channel|>analysis<|message|>a<|end|><|start|>assistant<|channel|>final<|message|><|return|>"
    )
    assert parser.final == ""
    assert parser.final_complete


def test_stray_and_unknown_specials() -> None:
    machine = HarmonyMachine()
    machine.feed_special("<|channel|>")
    machine.feed_text(b"final")
    machine.feed_special("<|message|>")
    machine.feed_text(b"a")
    assert machine.feed_special("<|message|>") == []
    assert machine.feed_special("<|bogus|>") == []
    machine.feed_special("<|constrain|>")
    machine.feed_text(b"b")
    machine.finish("return")
    assert machine.final == "ab"
    assert machine.notes == [
        "<|message|> inside a message body ignored",
        "unknown special token <|bogus|> ignored",
        "<|constrain|> inside a message body ignored",
    ]


RECORDED = [
    (COMPLETE, "return"),
    ("<|channel|>analysis<|message|>Looking at", "budget"),
    (
        "<|channel|>analysis<|message|>x<|end|><|start|>assistant<|channel|>final<|message|>0",
        "return",
    ),
    ("<|start|>assistant<|channel|>final <|constrain|>json<|message|>{}<|return|>tail", "return"),
    ("0 (SP2.a)", "return"),
    ("<|channel|>analysis<|message|>a<|end|><|start|>assistant<|channel|>fi", "budget"),
]


@pytest.mark.parametrize(("text", "reason"), RECORDED)
def test_text_path_matches_token_path(text: str, reason: str) -> None:
    parsed = parse_harmony_text(text, finish_reason=reason)
    parser, _ = run(text, reason=reason)
    assert parsed.channels == parser.channels
    assert parsed.final == parser.final and parsed.analysis == parser.analysis
    assert parsed.final_complete == parser.final_complete
    assert parsed.stop_reason == parser.stop_reason
    assert parsed.notes == tuple(parser.notes)


def test_parse_text_without_stop_token() -> None:
    text = "<|channel|>analysis<|message|>a<|end|><|start|>assistant<|channel|>final<|message|>1"
    assert parse_harmony_text(text).final_complete is True
    cut = parse_harmony_text(text, finish_reason="budget")
    assert cut.final == "1" and cut.final_complete is False and cut.stop_reason == "budget"


def test_module_is_qt_free() -> None:
    assert "PySide6" not in Path(harmony.__file__).read_text()
