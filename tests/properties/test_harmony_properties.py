"""Properties of the harmony stream parser: any token sequence, any chunking.

The token parser is fed ids from a made-up vocabulary (the eight specials plus pieces of
arbitrary bytes, split UTF-8 included); the text stream is fed any text in which the special
tokens appear literally, cut into chunks anywhere. Neither may raise, and the text stream
must give the same parse however the text was chunked.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.engine.harmony.events import SPECIALS, HarmonyTokens, TextDelta
from app.engine.harmony.stream import HarmonyStreamParser
from app.engine.harmony.text import HarmonyTextStream, parse_harmony_text

TOKENS = HarmonyTokens(*range(100, 100 + len(SPECIALS)))
PIECES = st.lists(st.binary(min_size=1, max_size=4), min_size=1, max_size=12)
REASONS = st.sampled_from(["return", "call", "endoftext", "budget", "cancelled", "error"])
WORDS = st.sampled_from(
    [*SPECIALS, "analysis", "final", "commentary", "assistant", " to=functions.x", "1", "0",
     '{"violation": 1}', "é", "\n", "<", "<|", "|>", "<|chan"]
)  # fmt: skip
TEXT = st.lists(st.one_of(WORDS, st.text(max_size=8)), max_size=30).map("".join)


@given(pieces=PIECES, ids=st.lists(st.integers(0, 120), max_size=60), reason=REASONS)
def test_any_token_sequence_parses_without_error(pieces, ids, reason) -> None:
    parser = HarmonyStreamParser(TOKENS, lambda i: pieces[i % len(pieces)])
    events = parser.feed_all(ids) + parser.finish(reason)
    parse = parser.snapshot()
    streamed: dict[str, str] = {}
    for event in events:
        if isinstance(event, TextDelta):
            streamed[event.channel] = streamed.get(event.channel, "") + event.text
    # what was streamed is what the parse holds, channel by channel
    assert {k: v for k, v in streamed.items() if v} == {
        k: v for k, v in parse.channels.items() if v
    }


@given(text=TEXT, cuts=st.lists(st.integers(0, 400), max_size=10), reason=REASONS)
def test_any_chunking_gives_the_same_parse(text, cuts, reason) -> None:
    whole = parse_harmony_text(text, finish_reason=reason)
    stream = HarmonyTextStream()
    points = sorted({min(c, len(text)) for c in cuts})
    for start, end in zip([0, *points], [*points, len(text)], strict=True):
        stream.feed(text[start:end])
    stream.finish(reason)
    assert stream.machine.snapshot() == whole
