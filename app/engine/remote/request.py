"""What the remote engine sends: server-side tokenizing, the safe prompt and the request body.

``ServerTokenizer`` tokenizes through ``POST /tokenize`` (llama-server) or
``POST /extras/tokenize`` (llama-cpp-python) and builds the harmony prompt segment by
segment, exactly as the local engine does, so people's text is never parsed for special
tokens (see ``app.engine.remote.engine`` for the three ways a case is sent). ``request_body`` holds
the sampling settings every completion request carries.

People's text reaches a tokenize endpoint only in pieces of at most
:data:`~app.engine.harmony.long_runs.MAX_PIECE` characters, as in the local engine: a run of
some 27,000 characters without a space crashes llama.cpp's tokenizer, and with it the server.
llama-cpp-python's completions endpoint takes only a string and tokenizes all of it at once, so
a case whose text holds such a run (no point to cut it in ``MAX_PIECE`` characters) is refused
there in one sentence before anything is sent.
"""

from __future__ import annotations

from app.core.run_types import ClassifyRequest
from app.engine.harmony.events import SPECIALS
from app.engine.harmony.long_runs import MAX_PIECE, has_unbroken_run, split_long_runs
from app.engine.harmony.prompt import (
    PromptError,
    Segment,
    prompt_text,
    render,
    tokenize_segments,
)
from app.engine.remote.http import HttpClient, HttpError


class ServerTokenizer:
    """Tokenizes on the server for one engine (one connection, one cache, one thread)."""

    def __init__(
        self,
        http: HttpClient,
        api: str = "",
        bos: list[int] | None = None,
        specials: frozenset[int] = frozenset(),
    ) -> None:
        self.http = http
        self.api = api
        self.bos: list[int] = bos or []
        self.specials = specials
        self.last_ids: list[int] = []  # the safe ids built for the last case
        self._cache: dict[tuple[bytes, bool], list[int]] = {}

    def learn_specials(self) -> None:
        """Ask the server for its BOS ids and the ids of gpt-oss's special tokens."""
        self.bos = self.server_tokenize("", special=True)
        lookups = {name: self.server_tokenize(name, special=True) for name in SPECIALS}
        self.specials = frozenset(
            ids[0] for ids in lookups.values() if len(ids) == 1 and ids[0] not in self.bos
        )

    def server_tokenize(self, text: str, special: bool) -> list[int]:
        if self.api == "llama-server":
            body = {"content": text, "add_special": False, "parse_special": special}
            answer = self.http.post_json("/tokenize", body)
        else:  # llama_cpp.server always parses specials; callers split people's text first
            answer = self.http.post_json("/extras/tokenize", {"input": text})
        ids = answer.get("tokens") if isinstance(answer, dict) else None
        if not isinstance(ids, list):
            raise HttpError("the tokenize endpoint gave no token list")
        ids = [t["id"] if isinstance(t, dict) else int(t) for t in ids]
        bos = self.bos
        return ids[len(bos) :] if bos and ids[: len(bos)] == bos else ids

    def tokenize(self, data: bytes, special: bool) -> list[int]:
        key = (data, special)
        if key not in self._cache:
            ids = self.server_tokenize(data.decode("utf-8"), special)
            if not special and self.specials.intersection(ids):
                raise PromptError(
                    "The server turned part of the policy or content into a control token; "
                    "use the local engine for this case."
                )
            if len(self._cache) > 256:
                self._cache.clear()
            self._cache[key] = ids
        return self._cache[key]

    def prompt(self, request: ClassifyRequest, template: str | None) -> tuple[list[int] | str, int]:
        """The prompt to send (ids for llama-server, else text) and its length in tokens."""
        run = request.run
        segments, _ = render(
            run.renderer, template, request.policy, request.content, run.effort, run.date
        )
        ids = tokenize_segments(segments, self.tokenize)
        self.last_ids = ids
        if self.api == "llama-server":
            return ids, len(ids)
        people = [s.text for s in segments if not s.trusted]
        if any(has_unbroken_run(t) for t in people):
            raise PromptError(
                f"The policy or content holds a run of more than {MAX_PIECE:,} characters "
                "without a space or break, which crashes this server (llama-cpp-python); "
                "shorten it, or use llama.cpp's llama-server or the local engine."
            )
        if not any("<|" in t for t in people):
            return prompt_text(segments), len(ids)  # the server reads these very pieces
        if self._as_the_server_reads(segments) != ids:
            raise PromptError(
                "The policy or content contains '<|', which this server (llama-cpp-python) "
                "would read as control tokens; use llama.cpp's llama-server or the local engine."
            )
        return prompt_text(segments), len(ids)

    def _as_the_server_reads(self, segments: list[Segment]) -> list[int]:
        """The ids of the prompt text as llama-cpp-python reads it (specials parsed in all
        of it), people's text tokenized in pieces no longer than ``MAX_PIECE``."""
        ids: list[int] = []
        for segment in segments:
            parts = [segment.text] if segment.trusted else _server_pieces(segment.text)
            for part in parts:
                ids.extend(self.tokenize(part.encode("utf-8"), True))
        return ids


def _server_pieces(text: str) -> list[str]:
    """People's text in tokenizable pieces, each ``<|`` starting a piece so that no cut falls
    inside a control token the server would read in the whole text."""
    starts, index = [0], text.find("<|", 1)
    while index != -1:
        starts.append(index)
        index = text.find("<|", index + 1)
    starts.append(len(text))
    chunks = [text[a:b] for a, b in zip(starts, starts[1:], strict=False)]
    return [piece for chunk in chunks for piece in split_long_runs(chunk)]


def request_body(request: ClassifyRequest, model: str, api: str) -> dict:
    """The streaming completion request's settings, without the prompt or messages."""
    run = request.run
    body = {
        "model": model,
        "max_tokens": run.max_tokens,
        "temperature": run.temperature,
        "top_p": run.top_p,
        "seed": run.seed,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    if api != "chat" or run.grammar:
        # llama.cpp's samplers: the local engine's settings, so verdicts can match.
        body.update(top_k=0, min_p=0.0, repeat_penalty=1.0)
    if run.grammar:
        body["grammar"] = run.grammar
    return body


def explain_empty(http: HttpClient, path: str, body: dict) -> None:
    """llama_cpp.server ends a stream with no data when it refuses the request (a prompt
    over its context size): ask again without streaming to get its reason."""
    probe = dict(body, stream=False, max_tokens=1)
    probe.pop("stream_options", None)
    http.post_json(path, probe)
