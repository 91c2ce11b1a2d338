"""One loaded llama.cpp model and the classification loop, inside the engine's child process.

Kept free of process plumbing so it can be read (and benchmarked) on its own: the child
process in ``llama_worker`` feeds it requests and forwards the events it yields.
"""

from __future__ import annotations

import functools
import os
import time
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
    RunSettings,
    Started,
    Timings,
    TokenCounts,
)
from app.engine.answer import context_overflow, deltas, finished
from app.engine.harmony.events import SPECIALS, HarmonyTokens
from app.engine.harmony.prompt import PromptError, render, tokenize_segments
from app.engine.harmony.stream import HarmonyStreamParser
from app.engine.local.grammar import GrammarError, grammar_sampler
from app.engine.local.llama_log import clear_log, install_log_capture, load_failure_reason
from app.engine.local.prefix_cache import PrefixCache, Prompt
from app.engine.local.prefix_store import PrefixStore
from app.library.hardware import GpuPlan, choose_gpu_layers, detect_hardware, load_with_fallback
from app.library.memory import estimate_memory
from app.library.modelfile import inspect_model


def common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class LlamaRunner:
    """Loads a model once and classifies requests, reusing the KV cache between them."""

    def __init__(self, settings: EngineSettings, store: PrefixStore | None = None) -> None:
        install_log_capture()
        clear_log()
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
        # a policy's prefix is tokenized once for all its cases (the 4 latest policies)
        self._prefix_tokens = functools.lru_cache(maxsize=4)(self._tokenize_prefix)
        self.prefixes = PrefixCache(
            store, settings.model_path, settings.n_ctx, self.llm.context_params,
            self.gpu_layers_used, self.template,
        )  # fmt: skip

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
        clear_log()
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
        return self.prompt(request).tokens

    def prompt(self, request: ClassifyRequest) -> Prompt:
        """The request's tokens; the policy prefix is every segment before the content."""
        run = request.run
        segments, used = render(
            run.renderer, self.template, request.policy, request.content, run.effort, run.date
        )
        content = max(i for i, segment in enumerate(segments) if not segment.trusted)
        prefix = self._prefix_tokens(tuple(segments[:content]))
        tokens = prefix + tokenize_segments(segments[content:], self.tokenize)
        return Prompt(tokens, len(prefix), used, run.date)

    def _tokenize_prefix(self, segments: tuple) -> list[int]:
        """The policy prefix's tokens (cached per policy text in ``_prefix_tokens``)."""
        return tokenize_segments(list(segments), self.tokenize)

    def _evaluate_prompt(self, prompt: Prompt, cancelled: Callable[[], bool]) -> tuple[int, bool]:
        """Evaluate only the tokens after the cached prefix (in memory, or restored from
        disk); returns how many were reused and whether the policy prefix was evaluated."""
        llm, tokens = self.llm, prompt.tokens
        cached = list(llm._input_ids[: llm.n_tokens])
        reused = common_prefix(cached, tokens)
        reused = min(reused, len(tokens) - 1)  # the last prompt token must run for logits
        evaluated_prefix = reused < prompt.prefix
        if evaluated_prefix:
            if self.prefixes.restore(llm.ctx, 0, self.prefixes.key(prompt)):
                llm.input_ids[: prompt.prefix] = tokens[: prompt.prefix]
                reused, evaluated_prefix = prompt.prefix, False
            else:  # a refused state leaves the sequence empty
                memory = llama_cpp.llama_get_memory(llm.ctx)
                reused = min(reused, llama_cpp.llama_memory_seq_pos_max(memory, 0) + 1)
        llm._ctx.kv_cache_seq_rm(-1, reused, -1)
        llm.n_tokens = reused
        step = self.settings.n_batch
        for start in range(reused, len(tokens), step):
            if cancelled():
                raise InterruptedError
            llm.eval(tokens[start : start + step])
        return reused, evaluated_prefix

    def save_prefix(self, prompt: Prompt) -> None:
        """Keep only the policy prefix in the context and save it to the store."""
        llm = self.llm
        llm._ctx.kv_cache_seq_rm(-1, prompt.prefix, -1)
        llm.n_tokens = min(llm.n_tokens, prompt.prefix)
        self.prefixes.save(llm.ctx, 0, self.prefixes.key(prompt))

    def classify(self, request: ClassifyRequest, cancelled: Callable[[], bool]) -> Iterator[Event]:
        run = request.run
        try:
            prompt = self.prompt(request)
        except PromptError as exc:
            yield Failed(request.case_id, str(exc), kind="prompt")
            return
        overflow = context_overflow(
            request,
            len(prompt.tokens),
            self.llm.n_ctx(),
            remedy="raise the context size in Settings",
        )
        if overflow is not None:
            yield overflow
            return
        chain = sampler_chain(self._vocab, run)  # a bad grammar fails before any work
        started = time.perf_counter()
        try:
            reused, evaluated_prefix = self._evaluate_prompt(prompt, cancelled)
        except InterruptedError:
            llama_cpp.llama_sampler_free(chain)
            yield Cancelled(request.case_id)
            return
        prompt_ms = (time.perf_counter() - started) * 1000
        tokens = prompt.tokens
        yield Started(request.case_id, len(tokens), reused)

        parser = HarmonyStreamParser(self.specials, self.piece)
        generated = 0
        stop_reason = "budget"
        gen_started = time.perf_counter()
        try:  # llama.cpp's own sampler chain: the same draws as llama-cpp-python's, faster
            while True:
                token = llama_cpp.llama_sampler_sample(chain, self.llm.ctx, -1)
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
                self.llm.eval([token])
        finally:
            llama_cpp.llama_sampler_free(chain)
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
        if evaluated_prefix:  # after the result went out: it never waits for the disk
            self.save_prefix(prompt)

    def _stop_name(self, token: int) -> str:
        names = {
            self.specials.return_: "return",
            self.specials.call: "call",
            self.specials.endoftext: "endoftext",
        }
        return names.get(token, "return")


def sampler_chain(vocab, run: RunSettings):
    """llama.cpp's sampler chain for a run: grammar (checked: an unparsable one would crash
    llama.cpp), top-p, temperature and a seeded draw. Free it with llama_sampler_free."""
    chain = llama_cpp.llama_sampler_chain_init(llama_cpp.llama_sampler_chain_default_params())
    if run.grammar:
        try:
            grammar = grammar_sampler(vocab, run.grammar)
        except GrammarError:
            llama_cpp.llama_sampler_free(chain)
            raise
        llama_cpp.llama_sampler_chain_add(chain, grammar)
    llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_top_p(run.top_p, 1))
    llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_temp(run.temperature))
    llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_dist(run.seed))
    return chain
