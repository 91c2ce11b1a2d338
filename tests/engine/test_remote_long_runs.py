"""A long run without a space never reaches llama-cpp-python's server whole (issue 20.2):
people's text goes to its tokenize endpoint in pieces no longer than ``MAX_PIECE``, as in
the local engine, and a case whose text holds a run that cannot be cut (which the server's
completions endpoint would tokenize whole, and crash on) is refused in one sentence; the
real ``llama_cpp.server`` stays up and answers the next case."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.core.run_types import Failed, Finished
from app.engine.harmony.long_runs import MAX_PIECE
from app.engine.remote.engine import RemoteConfig, RemoteEngine
from app.engine.remote.request import ServerTokenizer
from tests.support.requests import request

CRASHER = "!" * 30_000  # llama.cpp's tokenizer crashes on a run like this, tokenized whole
LONG_PROSE = "a plain listing of a bike for sale " * 300  # long, cut where tokens stay the same


@pytest.fixture
def remote(llama_server: str, monkeypatch) -> Iterator[tuple[RemoteEngine, list[str]]]:
    sent: list[str] = []
    original = ServerTokenizer.server_tokenize

    def recording(self, text: str, special: bool) -> list[int]:
        sent.append(text)
        return original(self, text, special)

    monkeypatch.setattr(ServerTokenizer, "server_tokenize", recording)
    engine = RemoteEngine(RemoteConfig(llama_server, "tiny", backoff=0.05))
    assert engine.load().api == "llama-cpp-python"
    yield engine, sent
    engine.close()


def _end(engine: RemoteEngine, content: str, case_id: str):
    events = list(engine.classify(request(case_id, content)))
    ends = [e for e in events if isinstance(e, (Finished, Failed))]
    assert len(ends) == 1
    return ends[0]


def test_a_run_that_crashes_the_tokenizer_is_refused_and_the_server_stays_up(remote):
    engine, sent = remote
    sent.clear()
    end = _end(engine, f"Look at this {CRASHER} now", "crash")
    assert isinstance(end, Failed) and end.kind == "prompt"
    assert "shorten it" in end.message and "llama-server" in end.message
    assert sent and max(map(len, sent)) <= MAX_PIECE  # no piece over the limit
    assert isinstance(_end(engine, "Selling my bike", "after"), Finished)  # still up


def test_long_prose_reaches_the_tokenize_endpoint_in_pieces(remote):
    engine, sent = remote
    sent.clear()
    _end(engine, LONG_PROSE, "prose")  # answered, or refused for the context: not crashed
    assert len(LONG_PROSE) > MAX_PIECE and max(map(len, sent)) <= MAX_PIECE
    assert sum(LONG_PROSE[:1000] in text for text in sent) >= 1
    assert isinstance(_end(engine, "Selling my bike", "after"), Finished)


def test_a_plain_case_asks_the_server_to_tokenize_each_piece_once(remote):
    """Text without '<|' reads the same with specials parsed or not: each piece of it goes
    to the tokenize endpoint once (not a second time to see it as the server reads it)."""
    engine, sent = remote
    sent.clear()
    content = "Selling my blue bike, barely used"
    assert isinstance(_end(engine, content, "plain"), Finished)
    assert sent.count(content) == 1
    assert len(sent) == len(set(sent)), sent
