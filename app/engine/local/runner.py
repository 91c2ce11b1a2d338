"""One loaded llama.cpp model and the classification loop, inside the engine's child process.

Kept free of process plumbing so it can be read (and benchmarked) on its own: the child
process in ``llama_worker`` feeds it requests and forwards the events it yields.
"""

from __future__ import annotations

import ctypes
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path

import llama_cpp

from app.core.errors import EngineError
from app.core.run_types import (
    Cancelled,
    ClassifyRequest,
    EngineSettings,
    Event,
    Failed,
    LoadFacts,
    Started,
    Timings,
    TokenCounts,
)
from app.engine.answer import context_overflow, deltas, finished
from app.engine.harmony.events import SPECIALS, HarmonyTokens
from app.engine.harmony.prompt import PromptError, render, tokenize_segments
from app.engine.harmony.stream import HarmonyStreamParser
from app.library.hardware import GpuPlan, choose_gpu_layers, detect_hardware, load_with_fallback
from app.library.memory import estimate_memory
from app.library.modelfile import inspect_model

# The last lines llama.cpp logged, to explain a failed load in its own words.
_LOG_LINES: deque[str] = deque(maxlen=200)


@llama_cpp.llama_log_callback
def _capture_log(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
    _LOG_LINES.append(text.decode("utf-8", errors="replace"))


def install_log_capture() -> None:
    """Route llama.cpp's log into memory (the default prints it to stderr)."""
    llama_cpp.llama_log_set(_capture_log, ctypes.c_void_p(0))


def load_failure_reason() -> str:
    """The most telling line llama.cpp logged, e.g. a missing tensor or key."""
    lines = [line.strip() for line in "".join(_LOG_LINES).splitlines() if line.strip()]
    for keyword in ("error", "failed", "missing", "wrong", "invalid", "unknown"):
        for line in reversed(lines):
            if keyword in line.lower():
                return line
    return lines[-1] if lines else "no reason was logged"


def common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class LlamaRunner:
    """Loads a model once and classifies requests, reusing the KV cache between them."""

    def __init__(self, settings: EngineSettings) -> None:
        install_log_capture()
        _LOG_LINES.clear()
        self.settings = settings
        started = time.perf_counter()
        path = Path(settings.model_path)
        if not path.is_file():
            raise EngineError(f"Model file {path} does not exist; choose a .gguf file.")
        self.placement = self._plan_gpu_layers(path)
        try:
            self.llm, fallback = load_with_fallback(self._load, self.placement.n_gpu_layers)
        except (ValueError, RuntimeError):
            raise EngineError(
                f"llama.cpp could not load {path.name} ({load_failure_reason()}); "
                "check that it is a complete gpt-oss GGUF file, or download it again."
            ) from None
        self.placement_note = fallback or self.placement.reason
        self.gpu_layers_used = 0 if fallback else self.placement.n_gpu_layers
        self.load_ms = (time.perf_counter() - started) * 1000
        self.template = self.llm.metadata.get("tokenizer.chat_template")
        self.specials = HarmonyTokens.from_lookup(self._lookup_special)
        self._vocab = llama_cpp.llama_model_get_vocab(self.llm.model)
        self._pieces: dict[int, bytes] = {}

    def _plan_gpu_layers(self, path: Path) -> GpuPlan:
        settings = self.settings
        hardware = detect_hardware()
        estimate = estimate_memory(
            inspect_model(path), settings.n_ctx, n_batch=settings.n_batch,
            flash_attn=settings.flash_attn,
        )  # fmt: skip
        return choose_gpu_layers(
            settings.n_gpu_layers, estimate,
            gpu_offload=hardware.gpu_offload, vram_free=hardware.vram_free,
        )  # fmt: skip

    def _load(self, n_gpu_layers: int) -> llama_cpp.Llama:
        settings = self.settings
        _LOG_LINES.clear()
        return llama_cpp.Llama(
            model_path=settings.model_path,
            n_ctx=settings.n_ctx,
            n_gpu_layers=n_gpu_layers,
            n_threads=settings.n_threads or max(1, (os.cpu_count() or 2)),
            n_batch=settings.n_batch,
            flash_attn=settings.flash_attn,
            swa_full=True,  # without it, prefix reuse on sliding-window layers is wrong
            verbose=False,
        )

    # -- vocabulary -------------------------------------------------------------------
    def _lookup_special(self, text: str) -> int | None:
        ids = self.llm.tokenize(text.encode(), add_bos=False, special=True)
        if len(ids) == 1 and self.llm.detokenize(ids, special=True) == text.encode():
            return ids[0]
        return None

    def piece(self, token: int) -> bytes:
        cached = self._pieces.get(token)
        if cached is None:
            cached = self._pieces[token] = self.llm.detokenize([token], special=True)
        return cached

    def tokenize(self, text: bytes, special: bool) -> list[int]:
        return self.llm.tokenize(text, add_bos=False, special=special)

    def info(self) -> LoadFacts:
        meta = self.llm.metadata
        return LoadFacts(
            model=Path(self.settings.model_path).name,
            n_ctx=self.llm.n_ctx(),
            architecture=meta.get("general.architecture", ""),
            gpu_offload=bool(llama_cpp.llama_supports_gpu_offload()),
            n_gpu_layers=self.gpu_layers_used,
            placement=self.placement_note,
            chat_template=self.template,
            load_ms=self.load_ms,
            special_tokens=tuple((name, self._lookup_special(name)) for name in SPECIALS),
        )

    # -- classification ---------------------------------------------------------------
    def prompt_tokens(self, request: ClassifyRequest) -> list[int]:
        run = request.run
        segments, _ = render(
            run.renderer, self.template, request.policy, request.content, run.effort, run.date
        )
        return tokenize_segments(segments, self.tokenize)

    def _evaluate_prompt(self, tokens: list[int], cancelled: Callable[[], bool]) -> int:
        """Evaluate only the tokens after the cached prefix; returns how many were reused."""
        llm = self.llm
        cached = list(llm._input_ids[: llm.n_tokens])
        reused = common_prefix(cached, tokens)
        reused = min(reused, len(tokens) - 1)  # the last prompt token must run for logits
        llm._ctx.kv_cache_seq_rm(-1, reused, -1)
        llm.n_tokens = reused
        step = self.settings.n_batch
        for start in range(reused, len(tokens), step):
            if cancelled():
                raise InterruptedError
            llm.eval(tokens[start : start + step])
        return reused

    def classify(self, request: ClassifyRequest, cancelled: Callable[[], bool]) -> Iterator[Event]:
        run = request.run
        try:
            tokens = self.prompt_tokens(request)
        except PromptError as exc:
            yield Failed(request.case_id, str(exc), kind="prompt")
            return
        overflow = context_overflow(
            request, len(tokens), self.llm.n_ctx(), remedy="raise the context size in Settings"
        )
        if overflow is not None:
            yield overflow
            return
        grammar = None
        if run.grammar:
            grammar = self._grammar(run.grammar)
        started = time.perf_counter()
        try:
            reused = self._evaluate_prompt(tokens, cancelled)
        except InterruptedError:
            yield Cancelled(request.case_id)
            return
        prompt_ms = (time.perf_counter() - started) * 1000
        yield Started(request.case_id, len(tokens), reused)

        parser = HarmonyStreamParser(self.specials, self.piece)
        generated = 0
        stop_reason = "budget"
        gen_started = time.perf_counter()
        self.llm.set_seed(run.seed)
        generator = self.llm.generate(
            tokens,
            top_k=0,
            top_p=run.top_p,
            min_p=0.0,
            temp=run.temperature,
            repeat_penalty=1.0,
            grammar=grammar,
        )
        for token in generator:
            if llama_cpp.llama_vocab_is_eog(self._vocab, token):
                stop_reason = self._stop_name(token)
                parser.feed(token)
                break
            generated += 1
            yield from deltas(request.case_id, parser.feed(token))
            if cancelled():
                stop_reason = "cancelled"
                break
            if generated >= run.max_tokens:
                break
        generator.close()
        yield from deltas(request.case_id, parser.finish(stop_reason))
        if stop_reason == "cancelled":
            yield Cancelled(request.case_id)
            return
        tokens_used = TokenCounts(
            prompt=len(tokens), evaluated=len(tokens) - reused, reused=reused, generated=generated
        )
        timings = Timings(
            prompt_ms=prompt_ms, generate_ms=(time.perf_counter() - gen_started) * 1000
        )
        model = Path(self.settings.model_path).name
        yield finished(request, parser, stop_reason, tokens_used, timings, model)

    def _stop_name(self, token: int) -> str:
        names = {
            self.specials.return_: "return",
            self.specials.call: "call",
            self.specials.endoftext: "endoftext",
        }
        return names.get(token, "return")

    def _grammar(self, text: str) -> llama_cpp.LlamaGrammar:
        # An unparsable grammar crashes llama.cpp: check it with the sampler first.
        sampler = llama_cpp.llama_sampler_init_grammar(self._vocab, text.encode(), b"root")
        if not sampler:
            raise EngineError("The output grammar is not valid GBNF; fix or remove it.")
        llama_cpp.llama_sampler_free(sampler)
        return llama_cpp.LlamaGrammar.from_string(text, verbose=False)
