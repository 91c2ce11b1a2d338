"""The remote backend: the engine protocol over an OpenAI-compatible HTTP server.

``load()`` asks the server what it is and picks one of three ways to send a case:

* ``llama-server`` (llama.cpp's server: ``POST /tokenize`` with ``add_special`` and
  ``parse_special``): the harmony prompt is rendered here exactly as the local engine renders
  it and tokenized per segment on the server (scaffold with specials, people's text split by
  ``split_untrusted`` and without), then sent to ``/v1/completions`` as a list of token ids.
  People's text can never become a special token: the server never parses it as a whole.
* ``llama-cpp-python`` (``llama_cpp.server``: ``POST /extras/tokenize``): the same segments
  are tokenized the same way, but this server's completions endpoint takes only a string and
  parses special tokens in all of it. So the whole prompt string is tokenized too, and the
  case is sent only if that gives the safe ids, or if people's text holds no ``<|`` at all
  (every gpt-oss special token starts with it, so none can come from that text); otherwise the
  case fails with a message instead of letting ``<|end|>`` in a test case end the message.
* ``chat`` (vLLM, Ollama, LM Studio: no tokenize endpoint): ``/v1/chat/completions`` with
  ``[system: policy, user: content]`` and ``reasoning_effort``. The server renders and
  tokenizes the conversation itself, so this path cannot guarantee that people's text stays
  text; it is the only way these servers take gpt-oss input.

The completion text carries ``<|channel|>``, ``<|message|>``... literally and is parsed with
the same harmony machine as the local engine's tokens (the stop token itself is stripped:
finish reason "stop" reads as ``<|return|>``, "length" as the budget). Output text that spells a
special token out of ordinary tokens cannot be told apart from the token on this path.
A server that ignores ``stream`` sends one answer, read from ``choices[0].message`` (or
``text``); while a server has not started answering, ``Waiting`` follows every second, and
the third case in a row it never answers stops the run (a "load" failure, one sentence).
The model list has its own short limit (``list_timeout``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from app.core.errors import EngineError
from app.core.run_types import (
    Cancelled,
    ClassifyRequest,
    Delta,
    EngineSettings,
    Event,
    Failed,
    LoadFacts,
    Started,
    Waiting,
)
from app.engine.answer import context_overflow, deltas, finished
from app.engine.harmony.prompt import PromptError
from app.engine.harmony.text import HarmonyTextStream
from app.engine.protocol import Capabilities
from app.engine.remote.http import (
    Aborted,
    HttpClient,
    HttpConfig,
    HttpError,
    Silence,
    resolve_api_key,
)
from app.engine.remote.remote_config import RemoteConfig
from app.engine.remote.reply import (
    LIST_MODELS,
    SilentServer,
    answer_counts,
    case_failure,
    over_budget,
    served_models,
    server_error,
    stop_reason,
    unfinished_message,
)
from app.engine.remote.request import ServerTokenizer, explain_empty, request_body


@dataclass
class _Answer:
    """What a server's streamed answer has said so far."""

    splitter: HarmonyTextStream = field(default_factory=HarmonyTextStream)
    reasoning: str = ""  # a chat server's separate reasoning text
    finish: str | None = None
    usage: dict | None = None
    server_timings: dict | None = None
    chunks: int = 0  # text pieces
    pieces: int = 0  # all pieces (reasoning too), for the budget
    first: float | None = None  # when the first choice came

    def take(self, case: str, choice: dict) -> Iterator[Event]:
        """One streamed choice: its reasoning and text as deltas, its finish reason."""
        # a server that ignored "stream" sends one answer: its text is the "message"
        delta = choice.get("delta") or choice.get("message") or {}
        thought = delta.get("reasoning_content") or delta.get("reasoning") or ""
        text = choice.get("text") if "text" in choice else delta.get("content")
        if thought:
            self.reasoning += thought
            yield Delta(case, "analysis", thought)
        if text:
            self.chunks += 1
            yield from deltas(case, self.splitter.feed(text))
        self.finish = choice.get("finish_reason") or self.finish
        self.pieces += bool(text or thought)


class RemoteEngine:
    """Engine protocol over an OpenAI-compatible server (see the module docstring)."""

    capabilities: ClassVar[Capabilities] = Capabilities(spawns=True)  # a server's slots

    def __init__(self, config: RemoteConfig) -> None:
        self.config = config
        self._key, self._key_source = resolve_api_key(
            config.base_url, config.api_key_env, config.use_keyring
        )
        http = HttpConfig(
            config.base_url, self._key, config.connect_timeout, config.read_timeout,
            config.retries, config.backoff, deadline=config.deadline, max_body=config.max_body,
        )  # fmt: skip
        try:
            self._http = HttpClient(http)
        except HttpError as exc:  # a URL without a scheme, a port out of range
            raise EngineError(str(exc)) from None
        self._cancel = threading.Event()
        self._info: LoadFacts | None = None
        self.api = ""
        self.model = config.model
        self.n_ctx: int | None = None
        self._template: str | None = None
        self._tokens = ServerTokenizer(self._http)
        self._silent = SilentServer(config.base_url, config.read_timeout)

    http = property(lambda self: self._http)
    last_prompt_ids = property(lambda self: self._tokens.last_ids, doc="the last case's safe ids")

    _specials = property(lambda self: self._tokens.specials)

    # -- loading -------------------------------------------------------------------------
    def _fail(self, exc: HttpError, what: str) -> EngineError:
        config = self.config
        return server_error(exc, what, config.base_url, config.api_key_env, bool(self._key))

    def load(self, settings: EngineSettings | None = None) -> LoadFacts:
        """Check the server, the model name and the key; find the API to use."""
        if self._info:
            return self._info
        started = time.perf_counter()
        try:
            limit = min(self.config.list_timeout, self.config.deadline or float("inf"))
            listing = self._http.get_json("/v1/models", deadline=limit)
        except HttpError as exc:
            raise self._fail(exc, LIST_MODELS) from None
        entries = served_models(listing, self.config.base_url)
        served = [str(e.get("id")) for e in entries]
        if not self.model and len(served) == 1:
            self.model = served[0]
        if self.model not in served:
            names = ", ".join(served) or "none"
            asked = f"Model {self.model!r} is" if self.model else "No model name is"
            raise EngineError(f"{asked} not served by {self.config.base_url}; it serves: {names}.")
        entry = entries[served.index(self.model)]
        self.api = self.config.api if self.config.api != "auto" else self._detect_api()
        self.n_ctx = self._context_size(entry)
        self._tokens.api = self.api
        if self.api != "chat":
            self._tokens.learn_specials()
        self._info = LoadFacts(
            model=self.model,
            backend="remote",
            api=self.api,
            base_url=self.config.base_url,
            served_models=tuple(served),
            n_ctx=self.n_ctx,
            chat_template=self._template,
            injection_safe=self.api == "llama-server",
            api_key_source=self._key_source,
            load_ms=(time.perf_counter() - started) * 1000,
        )
        return self._info

    def _try(self, method: str, path: str, body: dict | None = None) -> object | None:
        try:
            if method == "GET":
                return self._http.get_json(path)
            return self._http.post_json(path, body or {})
        except HttpError as exc:
            if exc.status is None or exc.status in (401, 403):
                raise self._fail(exc, f"at {path}") from None
            return None  # 404 and friends: this server has no such endpoint

    def _detect_api(self) -> str:
        probe = {"content": "a", "add_special": False, "parse_special": False}
        answer = self._try("POST", "/tokenize", probe)
        if isinstance(answer, dict) and isinstance(answer.get("tokens"), list):
            return "llama-server"
        answer = self._try("POST", "/extras/tokenize", {"input": "a"})
        if isinstance(answer, dict) and isinstance(answer.get("tokens"), list):
            return "llama-cpp-python"
        return "chat"

    def _context_size(self, entry: dict) -> int | None:
        if self.api == "llama-server":
            props = self._try("GET", "/props")
            if isinstance(props, dict):
                self._template = props.get("chat_template") or None
                settings = props.get("default_generation_settings") or {}
                n_ctx = settings.get("n_ctx") or props.get("n_ctx")
                if isinstance(n_ctx, int):
                    return n_ctx
        if isinstance(entry.get("max_model_len"), int):  # vLLM
            return entry["max_model_len"]
        return None

    def spawn(self) -> RemoteEngine:
        """A new engine for another thread: same server facts, its own connection."""
        other = RemoteEngine(self.config)
        other.api, other.model, other.n_ctx = self.api, self.model, self.n_ctx
        other._template = self._template
        other._tokens = ServerTokenizer(
            other._http, self.api, self._tokens.bos, self._tokens.specials
        )
        other._info = self._info
        other._silent = self._silent  # a server that hangs is counted across the slots
        return other

    # -- classification ------------------------------------------------------------------
    def classify(self, request: ClassifyRequest) -> Iterator[Event]:
        if not self._info:
            yield Failed(request.case_id, "Connect to the server before running.", "load")
            return
        self._cancel.clear()
        try:
            yield from self._run(request)
        except Aborted:
            yield Cancelled(request.case_id)
        except PromptError as exc:
            yield Failed(request.case_id, str(exc), "prompt")
        except HttpError as exc:
            message, kind = case_failure(exc, str(self._fail(exc, "this case")))
            stop = self._silent.count(exc)
            yield Failed(request.case_id, stop or message, "load" if stop else kind)

    def _run(self, request: ClassifyRequest) -> Iterator[Event]:
        case = request.case_id
        path, body, prompt_tokens = self._request(request)
        if self.api != "chat":
            overflow = context_overflow(
                request, prompt_tokens, self.n_ctx, remedy="start the server with a larger context"
            )
            if overflow is not None:
                yield overflow
                return
        answer = _Answer()
        sent = time.perf_counter()
        yield from self._read(request, path, body, prompt_tokens, answer)
        if self._cancel.is_set():
            raise Aborted
        if answer.finish is None and answer.first is None and self.api != "chat":
            explain_empty(self._http, path, body)  # raises the server's reason, if it gives one
        if answer.finish is None:
            yield Failed(case, unfinished_message(self.api), "error")
            return
        reason = stop_reason(answer.finish) or "return"
        yield from deltas(case, answer.splitter.finish(reason))
        machine = answer.splitter.machine
        reasoning = answer.reasoning
        analysis = reasoning + ("\n" if reasoning and machine.analysis else "") + machine.analysis
        tokens, timings = answer_counts(
            prompt_tokens, answer.chunks, answer.usage, answer.server_timings, sent,
            answer.first, time.perf_counter(),
        )  # fmt: skip
        yield finished(request, machine, reason, tokens, timings, self.model, analysis=analysis)

    def _request(self, request: ClassifyRequest) -> tuple[str, dict, int]:
        """Where the case goes and its body: (path, body, prompt tokens; 0 for chat)."""
        body = request_body(request, self.model, self.api)
        if self.api == "chat":
            body["messages"] = [
                {"role": "system", "content": request.policy},
                {"role": "user", "content": request.content},
            ]
            body["reasoning_effort"] = request.run.effort
            return "/v1/chat/completions", body, 0
        body["prompt"], prompt_tokens = self._tokens.prompt(request, self._template)
        return "/v1/completions", body, prompt_tokens

    def _read(
        self, request: ClassifyRequest, path: str, body: dict, prompt_tokens: int, answer: _Answer
    ) -> Iterator[Event]:
        """Stream the answer into ``answer``, yielding Waiting, Started and the deltas;
        stops reading once the answer is over the budget the server ignores."""
        case = request.case_id
        stream = self._http.stream(path, body)
        for event in stream:
            if self._cancel.is_set():
                raise Aborted
            if isinstance(event, Silence):
                yield Waiting(case, event.seconds)
                continue
            self._silent.answered()
            answer.usage = event.get("usage") or answer.usage
            answer.server_timings = event.get("timings") or answer.server_timings
            choices = event.get("choices") or []
            if not choices:
                continue
            if answer.first is None:
                answer.first = time.perf_counter()
                yield Started(case, prompt_tokens, 0)
            yield from answer.take(case, choices[0])
            if answer.finish is None and over_budget(
                answer.pieces, answer.usage, request.run.max_tokens
            ):
                answer.finish = "length"  # the server ignores the budget: stop reading here
                stream.close()
                return

    def cancel(self) -> None:
        self._cancel.set()
        self._http.abort()

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RemoteEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
