"""Several cases of a suite decoded at once, in parallel sequences of one llama.cpp context.

The policy prefix (everything before the case's content) is evaluated once into sequence 0
and shared with the other sequences (a unified KV cache shares the cells, it does not copy
them); each sequence then evaluates only its own case and generates its answer, one token per
sequence per ``llama_decode``. A finished sequence drops its tail and takes the next case.
This runs in the engine's child process beside :class:`~app.engine.local.runner.LlamaRunner`,
whose loaded weights it reuses through a second context.

Batched and one-at-a-time outputs can differ slightly (floating-point order), so a result
computed here is as reproducible as any other for the same setting, not bit-equal to the
sequential one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import llama_cpp

from app.core.errors import EngineError
from app.core.run_types import Cancelled, ClassifyRequest, Event, Started, Timings, TokenCounts
from app.engine.answer import context_overflow, deltas, finished
from app.engine.harmony.stream import HarmonyStreamParser
from app.engine.local.runner import LlamaRunner, common_prefix


@dataclass
class _Slot:
    """One sequence of the context and the case it is working on."""

    seq: int
    request: ClassifyRequest | None = None
    tokens: list[int] = field(default_factory=list)
    parser: HarmonyStreamParser | None = None
    sampler: object = None
    generated: int = 0
    started: float = 0.0
    prompt_ms: float = 0.0


class BatchDecoder:
    """Decodes requests sharing one policy in ``n_seq`` parallel sequences."""

    def __init__(self, runner: LlamaRunner, n_seq: int) -> None:
        self.runner = runner
        self.n_seq = max(1, n_seq)
        self._vocab = llama_cpp.llama_model_get_vocab(runner.llm.model)

    def run(
        self, requests: list[ClassifyRequest], cancelled: Callable[[], bool]
    ) -> Iterator[Event]:
        runner = self.runner
        n_ctx = runner.llm.n_ctx()
        work: list[tuple[ClassifyRequest, list[int]]] = []
        for request in requests:
            prompt = runner.prompt_tokens(request)
            overflow = context_overflow(
                request, len(prompt), n_ctx, remedy="raise the context size in Settings"
            )
            if overflow is not None:
                yield overflow
            else:
                work.append((request, prompt))
        if not work:
            return
        requests, prompts = [w[0] for w in work], [w[1] for w in work]
        shared = min(common_prefix(prompts[0], p) for p in prompts)
        shared = min(shared, min(len(p) for p in prompts) - 1)  # each case runs one token
        longest = max(len(p) - shared + r.run.max_tokens for r, p in work)
        ctx = self._context(shared + self.n_seq * longest + 64)
        batch = llama_cpp.llama_batch_init(max(runner.settings.n_batch, self.n_seq), 0, 1)
        try:
            yield from self._decode(ctx, batch, requests, prompts, shared, cancelled)
        finally:
            llama_cpp.llama_batch_free(batch)
            llama_cpp.llama_free(ctx)

    def _context(self, n_ctx: int):
        settings = self.runner.settings
        params = llama_cpp.llama_context_default_params()
        params.n_ctx = n_ctx
        params.n_batch = params.n_ubatch = max(settings.n_batch, self.n_seq)
        params.n_seq_max = self.n_seq
        params.kv_unified = True  # the policy prefix is stored once for every sequence
        params.swa_full = True  # as in LlamaRunner: sliding-window layers keep everything
        threads = self.runner.llm.context_params.n_threads
        params.n_threads = params.n_threads_batch = threads
        ctx = llama_cpp.llama_init_from_model(self.runner.llm.model, params)
        if not ctx:
            raise EngineError(
                f"llama.cpp could not make a context of {n_ctx} tokens for {self.n_seq} "
                "cases at once; lower the parallel cases or the token budget."
            )
        return ctx

    # -- decoding -----------------------------------------------------------------------
    def _fill(self, batch, entries: list[tuple[int, int, int, bool]]) -> None:
        """entries: (token, position, sequence, wants logits)."""
        for i, (token, position, seq, logits) in enumerate(entries):
            batch.token[i] = token
            batch.pos[i] = position
            batch.n_seq_id[i] = 1
            batch.seq_id[i][0] = seq
            batch.logits[i] = logits
        batch.n_tokens = len(entries)

    def _run_batch(self, ctx, batch, entries: list[tuple[int, int, int, bool]]) -> None:
        """Decode entries; the ones that want logits go last, in one final call, so that
        every sequence's logits are readable afterwards."""
        quiet = [e for e in entries if not e[3]]
        loud = [e for e in entries if e[3]]
        step = max(self.runner.settings.n_batch, self.n_seq)
        chunks = [quiet[i : i + step] for i in range(0, len(quiet), step)]
        for chunk in [*chunks, loud] if loud else chunks:
            self._fill(batch, chunk)
            if llama_cpp.llama_decode(ctx, batch) != 0:
                raise EngineError(
                    "llama.cpp could not decode the batch (out of context space); lower "
                    "the parallel cases or the token budget."
                )

    def _decode(self, ctx, batch, requests, prompts, shared, cancelled) -> Iterator[Event]:
        memory = llama_cpp.llama_get_memory(ctx)
        self._run_batch(ctx, batch, [(t, i, 0, False) for i, t in enumerate(prompts[0][:shared])])
        for seq in range(1, self.n_seq):
            llama_cpp.llama_memory_seq_cp(memory, 0, seq, 0, shared)
        first_case = requests[0].case_id  # the one that paid for the shared prefix
        queue = list(zip(requests, prompts, strict=True))
        slots = [_Slot(seq) for seq in range(self.n_seq)]
        while True:
            if cancelled():
                for slot in slots:
                    if slot.request is not None:
                        yield Cancelled(slot.request.case_id)
                for request, _ in queue:
                    yield Cancelled(request.case_id)
                return
            entries: list[tuple[int, int, int, bool]] = []
            for slot in slots:
                if slot.request is None and queue:  # a free sequence takes the next case
                    request, tokens = queue.pop(0)
                    self._assign(slot, request, tokens, shared, memory)
                    tail = tokens[shared:]
                    last = len(tail) - 1
                    entries += [(t, shared + i, slot.seq, i == last) for i, t in enumerate(tail)]
                elif slot.request is not None:  # its last sampled token, at its position
                    entries.append((slot.tokens[-1], len(slot.tokens) - 1, slot.seq, True))
            if not entries:
                return
            self._run_batch(ctx, batch, entries)
            loud = [e for e in entries if e[3]]
            for index, entry in enumerate(loud):
                slot = slots[entry[2]]
                if not slot.generated:
                    slot.prompt_ms = (time.perf_counter() - slot.started) * 1000
                    reused = 0 if slot.request.case_id == first_case else shared
                    yield Started(slot.request.case_id, len(slot.tokens), reused)
                yield from self._step(ctx, slot, index, shared, first_case)

    def _assign(self, slot: _Slot, request, tokens, shared: int, memory) -> None:
        llama_cpp.llama_memory_seq_rm(memory, slot.seq, shared, -1)  # keep the policy only
        run = request.run
        chain = llama_cpp.llama_sampler_chain_init(llama_cpp.llama_sampler_chain_default_params())
        if run.grammar:
            grammar = llama_cpp.llama_sampler_init_grammar(
                self._vocab, run.grammar.encode(), b"root"
            )
            if not grammar:
                raise EngineError("The output grammar is not valid GBNF; fix or remove it.")
            llama_cpp.llama_sampler_chain_add(chain, grammar)
        llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_top_p(run.top_p, 1))
        llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_temp(run.temperature))
        llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_dist(run.seed))
        slot.request, slot.tokens, slot.sampler = request, list(tokens), chain
        slot.parser = HarmonyStreamParser(self.runner.specials, self.runner.piece)
        slot.generated, slot.started = 0, time.perf_counter()

    def _step(
        self, ctx, slot: _Slot, logits_index: int, shared: int, first_case: str
    ) -> Iterator[Event]:
        request = slot.request
        token = llama_cpp.llama_sampler_sample(slot.sampler, ctx, logits_index)
        stop = None
        if llama_cpp.llama_vocab_is_eog(self._vocab, token):
            stop = self.runner._stop_name(token)
        else:
            slot.generated += 1
            slot.tokens.append(token)
            yield from deltas(request.case_id, slot.parser.feed(token))
            if slot.generated >= request.run.max_tokens:
                stop = "budget"
        if stop is None:
            return
        yield from deltas(request.case_id, slot.parser.finish(stop))
        prompt_len = len(slot.tokens) - slot.generated
        reused = 0 if request.case_id == first_case else shared
        tokens = TokenCounts(prompt_len, prompt_len - reused, reused, slot.generated)
        total_ms = (time.perf_counter() - slot.started) * 1000
        timings = Timings(prompt_ms=slot.prompt_ms, generate_ms=total_ms - slot.prompt_ms)
        model = Path(self.runner.settings.model_path).name
        yield finished(request, slot.parser, stop, tokens, timings, model)
        llama_cpp.llama_sampler_free(slot.sampler)
        slot.request, slot.sampler = None, None
