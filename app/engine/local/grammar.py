"""The run's answer grammar (GBNF) as a llama.cpp sampler, checked in one sentence.

llama.cpp's grammar parser prints its complaints straight to the process's standard error
(file descriptor 2) and returns nothing: an invalid grammar would put parser noise on the
terminal before any message of ours. :func:`grammar_sampler` captures that output and
raises :class:`GrammarError` with the parser's own reason in one sentence; the worker
reports it as a failure of kind ``grammar`` (bad input: the run stops and the CLI exits 2).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from collections.abc import Iterator

import llama_cpp

from app.core.errors import EngineError


class GrammarError(EngineError):
    """The run's grammar is not valid GBNF: bad input, the same for every case."""

    kind = "grammar"


def grammar_problem(noise: str) -> str:
    """One sentence from what llama.cpp's grammar parser printed."""
    lines = [line.strip() for line in noise.splitlines() if line.strip()]
    said = next((line for line in lines if "error" in line.lower()), lines[0] if lines else "")
    said = said.split("error parsing grammar:", 1)[-1].strip().rstrip(".")
    reason = f" ({said[:200]})" if said else ""
    return f"The output grammar is not valid GBNF{reason}; fix or remove it."


@contextlib.contextmanager
def native_stderr() -> Iterator[io.StringIO]:
    """Capture what native code writes to file descriptor 2 (kept off the terminal)."""
    captured = io.StringIO()
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with tempfile.TemporaryFile() as sink:
            os.dup2(sink.fileno(), 2)
            try:
                yield captured
            finally:
                os.dup2(saved, 2)
                sink.seek(0)
                captured.write(sink.read().decode("utf-8", errors="replace"))
    finally:
        os.close(saved)


def grammar_sampler(vocab, text: str):
    """llama.cpp's grammar sampler for ``text`` (rule ``root``); GrammarError if invalid."""
    with native_stderr() as noise:  # llama.cpp prints its parser's complaints there
        sampler = llama_cpp.llama_sampler_init_grammar(vocab, text.encode(), b"root")
    if not sampler:
        raise GrammarError(grammar_problem(noise.getvalue()))
    return sampler
