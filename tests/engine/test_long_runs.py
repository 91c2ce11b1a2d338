"""People's text cut for llama.cpp's tokenizer: pieces short enough not to crash its
pre-tokenizer, cut where the tokens stay those of the whole text (the real tokenizer of the
synthetic gpt-oss model, whose pre-tokenizer is gpt-4o's, as the real model's)."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import llama_cpp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.harmony.long_runs import MAX_PIECE, split_long_runs
from app.engine.harmony.prompt import Segment, tokenize_segments

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def vocab(tiny_model: Path) -> llama_cpp.Llama:
    return llama_cpp.Llama(model_path=str(tiny_model), vocab_only=True, verbose=False)


def tokens(llm: llama_cpp.Llama, text: str) -> list[int]:
    return llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)


def pieces_tokens(llm: llama_cpp.Llama, text: str, limit: int) -> list[int]:
    return [t for piece in split_long_runs(text, limit) for t in tokens(llm, piece)]


PROSE = (
    "Visit https://example.com/a/b?c=1&d=two now!!! The offer's good: 12345 items, "
    "naïve café déjà-vu, 3.14159 and $99.99... WOW!!!\n\nNew paragraph\t\ttabbed  "
)


@pytest.mark.parametrize("limit", [12, 16, 33, 64])
def test_cuts_at_pre_token_boundaries_keep_the_tokens(vocab, limit: int) -> None:
    text = PROSE * 20
    assert all(len(p) <= limit for p in split_long_runs(text, limit))
    assert "".join(split_long_runs(text, limit)) == text
    assert pieces_tokens(vocab, text, limit) == tokens(vocab, text)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="ab AB19!?.'/-_\n\té", min_size=1, max_size=300))
def test_random_text_keeps_its_tokens_when_a_safe_cut_exists(vocab, text: str) -> None:
    pieces = split_long_runs(text, 24)
    assert "".join(pieces) == text and all(len(p) <= 24 for p in pieces)
    forced = any(len(p) == 24 for p in pieces[:-1])  # cut at the limit: no safe point
    if not forced:
        assert pieces_tokens(vocab, text, 24) == tokens(vocab, text), pieces


def test_a_run_without_any_boundary_is_cut_at_the_limit() -> None:
    pieces = split_long_runs("!" * 10_000)
    assert [len(p) for p in pieces] == [MAX_PIECE, MAX_PIECE, 10_000 - 2 * MAX_PIECE]


def test_short_text_is_one_piece() -> None:
    assert split_long_runs("hello world") == ["hello world"]
    assert split_long_runs("") == []


CRASHERS = {
    "bang": "!" * 100_000,
    "mash": "".join(random.Random(4).choice("asdfghjkl") for _ in range(40_000)),
    "spaces": "x" + " " * 40_000 + "y",
    "url": "https://example.com/" + "a" * 40_000,
}


def _tokenize_in_child(model: Path, which: str, whole: bool) -> subprocess.CompletedProcess:
    """Tokenize a crasher in a child process (a crash there must not end pytest)."""
    code = (
        "import sys, llama_cpp\n"
        "from tests.engine.test_long_runs import CRASHERS\n"
        "from app.engine.harmony.prompt import Segment, tokenize_segments\n"
        f"llm = llama_cpp.Llama(model_path={str(model)!r}, vocab_only=True, verbose=False)\n"
        f"text = CRASHERS[{which!r}]\n"
        "tok = lambda data, special: llm.tokenize(data, add_bos=False, special=special)\n"
        f"ids = tok(text.encode(), False) if {whole} else "
        "tokenize_segments([Segment(text, False)], tok)\n"
        "print(len(ids))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("which", CRASHERS)
def test_text_that_crashes_the_tokenizer_whole_is_tokenized_in_pieces(tiny_model, which):
    whole = _tokenize_in_child(tiny_model, which, whole=True)
    assert whole.returncode < 0, "llama.cpp no longer crashes on it: MAX_PIECE may go"
    pieces = _tokenize_in_child(tiny_model, which, whole=False)
    assert pieces.returncode == 0, pieces.stderr
    assert int(pieces.stdout.strip()) > 1000


def test_tokenize_segments_cuts_only_peoples_text(vocab) -> None:
    calls: list[int] = []

    def tok(data: bytes, special: bool) -> list[int]:
        calls.append(len(data))
        return tokens(vocab, data.decode())

    tokenize_segments([Segment("<|start|>user<|message|>", True), Segment("z" * 9000, False)], tok)
    assert max(calls) <= MAX_PIECE and len(calls) == 4
