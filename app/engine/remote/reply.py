"""How the remote engine reads the server's replies: error messages, finish reasons, counts.

``server_error`` turns a failed HTTP call into the message the user sees (server down, key
missing or refused, not an OpenAI-compatible API, over the deadline or the size limit, the
server's own reason); ``case_failure`` does the same for one case,
with a context overflow told apart. ``answer_counts`` takes the token counts and timings of
a finished answer from the server's ``usage`` and, where llama-server reports them, its
``timings``; what the server does not report is measured here. :class:`SilentServer`
counts the cases in a row a server took without answering and stops the run after
``STOP_AFTER_SILENT`` of them (each waits the whole read timeout, so 45 cases on a server
that hangs would take hours).
"""

from __future__ import annotations

import threading

from app.core.errors import EngineError
from app.core.run_types import Timings, TokenCounts
from app.engine.remote.http import HttpError

LIST_MODELS = "to list its models"
STOP_AFTER_SILENT = 3  # cases in a row without a byte of answer before a run stops


class SilentServer:
    """Cases in a row that a server took and never answered (shared by parallel slots)."""

    def __init__(self, url: str, read_timeout: float) -> None:
        self.url, self.read_timeout = url, read_timeout
        self._lock = threading.Lock()
        self._in_a_row = 0

    def answered(self) -> None:
        with self._lock:
            self._in_a_row = 0

    def count(self, exc: HttpError) -> str:
        """Count a failed case; the sentence that stops the run once enough were silent
        in a row, else ''."""
        with self._lock:
            self._in_a_row = self._in_a_row + 1 if exc.kind == "silent" else 0
            silent = self._in_a_row
        if silent < STOP_AFTER_SILENT:
            return ""
        return (
            f"The server at {self.url} took {silent} cases in a row and sent nothing back "
            f"for {self.read_timeout:g} s each, so the run stopped; check that the server "
            "is running and not stuck, then run again."
        )


def server_error(exc: HttpError, what: str, url: str, key_env: str, has_key: bool) -> EngineError:
    """The user's message for a call to the server at ``url`` that failed doing ``what``."""
    if exc.kind == "url":
        return EngineError(str(exc))
    if exc.kind == "deadline" and what == LIST_MODELS:
        return EngineError(
            f"The server at {url} did not finish {what}: {exc}; a model list takes a moment, "
            "so check that the server is not stuck or overloaded."
        )
    if exc.kind == "silent":
        return EngineError(
            f"The server at {url} took {what} and then {exc}; check that it is not stuck or "
            "overloaded, or allow a longer silence (Settings, or --timeout)."
        )
    if exc.kind == "deadline":
        return EngineError(
            f"The server at {url} did not finish {what}: {exc}; raise the time limit per case "
            "(Settings, or --deadline) or check the server."
        )
    if exc.kind == "too_large":
        return EngineError(f"The server at {url} sent too much {what}: {exc}; check the server.")
    if exc.status == 404 and what == LIST_MODELS:
        return not_openai(url, "it has no /v1/models")
    if exc.kind == "not_json":
        return not_openai(url, "its answer is not JSON")
    if exc.status is None:
        return EngineError(
            f"Cannot reach the server at {url} ({exc}); "
            "check that it is running and the URL is right."
        )
    if exc.status in (401, 403):
        where = f"${key_env} or the system keyring"
        if not has_key:
            return EngineError(f"The server at {url} needs an API key; put it in {where}.")
        return EngineError(
            f"The server at {url} refused the API key (HTTP {exc.status}); "
            f"check the key in {where}."
        )
    detail = exc.server_message() or str(exc)
    return EngineError(f"The server at {url} failed {what} (HTTP {exc.status}: {detail}).")


def not_openai(url: str, why: str) -> EngineError:
    return EngineError(
        f"{url} is not an OpenAI-compatible API ({why}); check the URL, e.g. "
        "http://127.0.0.1:8080 for llama.cpp's server."
    )


def served_models(listing: object, url: str) -> list[dict]:
    """The model entries of a ``/v1/models`` answer, or one sentence when it is not one."""
    entries = listing.get("data") if isinstance(listing, dict) else None
    if not isinstance(entries, list):
        raise not_openai(url, "its model list has no data")
    return [entry for entry in entries if isinstance(entry, dict)]


def over_budget(pieces: int, usage: object, max_tokens: int) -> bool:
    """Whether a streamed answer has passed its token budget: the server's own count when
    it reports one, else the pieces (each at least one token) received."""
    generated = usage.get("completion_tokens") if isinstance(usage, dict) else None
    return pieces > max_tokens or (isinstance(generated, int) and generated > max_tokens)


def case_failure(exc: HttpError, message: str) -> tuple[str, str]:
    """The message and failure kind ("context" or "error") for a case the server refused."""
    kind = "context" if "context" in message.lower() else "error"
    if kind == "context":
        message = (
            f"The prompt and the answer budget do not fit the server's context "
            f"({exc.server_message()}); shorten the policy or content or lower the "
            "token budget."
        )
    return message, kind


def stop_reason(finish: str | None) -> str | None:
    """The harmony stop reason for an OpenAI ``finish_reason``."""
    return {"stop": "return", "eos": "return", "length": "budget"}.get(finish or "", finish)


def unfinished_message(api: str) -> str:
    """The message for a stream that ended before the answer was finished."""
    hint = (
        " (llama-cpp-python's server drops a running answer when another request "
        "arrives: start it with --interrupt_requests False)"
        if api == "llama-cpp-python"
        else ""
    )
    return f"The server ended the answer before it was finished{hint}; run the case again."


def answer_counts(
    prompt_tokens: int,
    chunks: int,
    usage: object,
    server_timings: object,
    sent: float,
    first: float | None,
    done: float,
) -> tuple[TokenCounts, Timings]:
    """Token counts and timings of an answer, the server's own figures first."""
    tokens = TokenCounts(prompt=prompt_tokens, evaluated=prompt_tokens, generated=chunks)
    if isinstance(usage, dict):
        tokens.prompt = usage.get("prompt_tokens") or tokens.prompt
        tokens.generated = usage.get("completion_tokens") or tokens.generated
    timings = Timings(
        prompt_ms=((first or done) - sent) * 1000, generate_ms=(done - (first or done)) * 1000
    )
    if isinstance(server_timings, dict):  # llama-server reports its own split
        tokens.evaluated = server_timings.get("prompt_n", tokens.evaluated)
        tokens.reused = server_timings.get("cache_n", max(0, tokens.prompt - tokens.evaluated))
        timings.prompt_ms = server_timings.get("prompt_ms", timings.prompt_ms)
        timings.generate_ms = server_timings.get("predicted_ms", timings.generate_ms)
    else:
        tokens.evaluated = tokens.prompt
    return tokens, timings
