"""Several cases of a suite decoded at once, in parallel sequences of one llama.cpp context.

The policy prefix (everything the prompts share) is evaluated once into sequence 0, or
restored from a saved state, and shared with the other sequences (a unified KV cache shares
the cells, it does not copy them). Decoding is continuous: every ``llama_decode`` carries
the next token of each sequence that is generating *and* chunks of the prompts of cases
that are starting, up to a per-step token budget, so no sequence idles while another case is
prefilled. A finished sequence drops its tail and takes the next case.

Requests whose whole prompt is the same (one case sampled with several seeds) evaluate it
once: a later one copies the prompt's cells from the sequence that holds them
(``llama_memory_seq_cp``) and runs only the last prompt token itself, for its logits.

This runs in the engine's child process beside :class:`~app.engine.local.runner.LlamaRunner`,
whose loaded weights it reuses through a second context. Batched and one-at-a-time outputs
can differ slightly (floating-point order), so a result computed here is as reproducible as
any other for the same setting, not bit-equal to the sequential one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import llama_cpp

from app.core.errors import EngineError
from app.core.run_types import Cancelled, ClassifyRequest, Event
from app.engine.answer import context_overflow
from app.engine.local.batch_slots import Slot, SlotStepper
from app.engine.local.prefix_cache import Prompt
from app.engine.local.runner import LlamaRunner, common_prefix

STEP_TOKENS = 256  # tokens per llama_decode: running sequences first, then prefill chunks

Entry = tuple[int, int, int, bool]  # token, position, sequence, wants logits


class BatchDecoder:
    """Decodes requests sharing one policy in ``n_seq`` parallel sequences."""

    def __init__(self, runner: LlamaRunner, n_seq: int, step_tokens: int = STEP_TOKENS) -> None:
        self.runner = runner
        self.n_seq = max(1, n_seq)
        self.step_tokens = max(step_tokens, self.n_seq + 1)

    def run(
        self, requests: list[ClassifyRequest], cancelled: Callable[[], bool]
    ) -> Iterator[Event]:
        runner = self.runner
        n_ctx = runner.llm.n_ctx()
        work: list[tuple[ClassifyRequest, Prompt]] = []
        for request in requests:
            prompt = runner.prompt(request)
            overflow = context_overflow(
                request, len(prompt.tokens), n_ctx, remedy="raise the context size in Settings"
            )
            if overflow is not None:
                yield overflow
            else:
                work.append((request, prompt))
        if not work:
            return
        first = work[0][1]
        shared = min(common_prefix(first.tokens, p.tokens) for _, p in work)
        shared = min(shared, min(len(p.tokens) for _, p in work) - 1)  # each case runs one
        longest = max(len(p.tokens) - shared + r.run.max_tokens for r, p in work)
        ctx = self._context(shared + self.n_seq * longest + 64)
        batch = llama_cpp.llama_batch_init(self.step_tokens, 0, 1)
        try:
            yield from self._decode(ctx, batch, work, shared, cancelled)
        finally:
            llama_cpp.llama_batch_free(batch)
            llama_cpp.llama_free(ctx)

    def _context(self, n_ctx: int):
        settings = self.runner.settings
        params = llama_cpp.llama_context_default_params()
        params.n_ctx = n_ctx
        params.n_batch = params.n_ubatch = max(settings.n_batch, self.step_tokens)
        params.n_seq_max = self.n_seq
        params.kv_unified = True  # the policy prefix is stored once for every sequence
        params.swa_full = True  # as in LlamaRunner: sliding-window layers keep everything
        own = self.runner.llm.context_params
        params.flash_attn_type = own.flash_attn_type  # the same V layout: states interchange
        params.type_k, params.type_v = own.type_k, own.type_v
        threads = own.n_threads
        params.n_threads = params.n_threads_batch = threads
        ctx = llama_cpp.llama_init_from_model(self.runner.llm.model, params)
        if not ctx:
            raise EngineError(
                f"llama.cpp could not make a context of {n_ctx} tokens for {self.n_seq} "
                "cases at once; lower the parallel cases or the token budget."
            )
        return ctx

    # -- decoding -----------------------------------------------------------------------
    def _run_batch(self, ctx, batch, entries: list[Entry]) -> None:
        """One llama_decode of entries (at most step_tokens of them)."""
        for i, (token, position, seq, logits) in enumerate(entries):
            batch.token[i] = token
            batch.pos[i] = position
            batch.n_seq_id[i] = 1
            batch.seq_id[i][0] = seq
            batch.logits[i] = logits
        batch.n_tokens = len(entries)
        if llama_cpp.llama_decode(ctx, batch) != 0:
            raise EngineError(
                "llama.cpp could not decode the batch (out of context space); lower "
                "the parallel cases or the token budget."
            )

    def _prefix(self, ctx, batch, prompt: Prompt, shared: int, cancelled) -> tuple[int, object]:
        """Put the shared prefix in sequence 0: restored when saved, else evaluated.
        Returns the tokens restored and the key to save the policy prefix under (or None)."""
        cache = self.runner.prefixes
        key = cache.key(prompt) if shared >= prompt.prefix else None
        start = prompt.prefix if cache.restore(ctx, 0, key) else 0
        tokens = prompt.tokens
        for at in range(start, shared, self.step_tokens):
            if cancelled():
                return start, None  # a partial prefix is never saved
            chunk = range(at, min(shared, at + self.step_tokens))
            self._run_batch(ctx, batch, [(tokens[i], i, 0, False) for i in chunk])
        return start, (None if start else key)

    def _decode(self, ctx, batch, work, shared: int, cancelled) -> Iterator[Event]:
        memory = llama_cpp.llama_get_memory(ctx)
        restored, save_key = self._prefix(ctx, batch, work[0][1], shared, cancelled)
        for seq in range(1, self.n_seq):
            llama_cpp.llama_memory_seq_cp(memory, 0, seq, 0, shared)
        stepper = SlotStepper(self.runner, ctx)
        slots = [Slot(seq) for seq in range(self.n_seq)]
        queue = list(work)
        paid = False  # the first case to start pays for the shared prefix
        try:
            while True:
                if cancelled():
                    ids = [s.request.case_id for s in slots if s.request is not None]
                    yield from (Cancelled(case_id) for case_id in ids)
                    yield from (Cancelled(request.case_id) for request, _ in queue)
                    return
                for slot in slots:  # a free sequence takes the next case
                    if slot.request is None and queue:
                        request, prompt = queue.pop(0)
                        stepper.assign(slot, request, prompt.tokens, shared if paid else restored)
                        paid = True
                for slot in slots:
                    if slot.waiting:
                        self._place(memory, slot, slots, shared)
                entries, owners = self._entries(slots)
                if not entries:
                    break
                self._run_batch(ctx, batch, entries)
                for index, slot in owners:
                    yield from stepper.step(slot, index)
        finally:
            for slot in slots:
                stepper.release(slot)
        if save_key is not None:  # after every result: sequence 0 back to the policy only
            llama_cpp.llama_memory_seq_rm(memory, 0, work[0][1].prefix, -1)
            self.runner.prefixes.save(ctx, 0, save_key)

    def _place(self, memory, slot: Slot, slots: list[Slot], shared: int) -> None:
        """Clear slot's sequence down to the shared prefix, or to its whole prompt but the
        last token when another sequence (or its own) already holds that prompt; wait while
        another sequence is still evaluating the same prompt."""
        end = len(slot.prompt) - 1
        source = next((s for s in [slot, *slots] if s.holds == slot.prompt and s.fed >= end), None)
        busy = any(
            s is not slot and s.request is not None and not s.waiting and s.holds == slot.prompt
            for s in slots
        )
        if source is None and busy:
            return  # copy it once that sequence has evaluated it
        slot.waiting = False
        if source is None:
            llama_cpp.llama_memory_seq_rm(memory, slot.seq, shared, -1)
            slot.fed = shared
            slot.holds = slot.prompt
            return
        llama_cpp.llama_memory_seq_rm(memory, slot.seq, end if source is slot else shared, -1)
        if source is not slot:
            llama_cpp.llama_memory_seq_cp(memory, source.seq, slot.seq, shared, end)
        slot.fed, slot.holds, slot.reused = end, slot.prompt, end

    def _entries(self, slots: list[Slot]) -> tuple[list[Entry], list[tuple[int, Slot]]]:
        """The next decode: one token per generating sequence, then prompt chunks up to the
        step budget; with the batch index of every entry that wants logits."""
        entries: list[Entry] = []
        owners: list[tuple[int, Slot]] = []
        for slot in slots:
            if slot.request is not None and not slot.waiting and slot.fed == len(slot.prompt):
                owners.append((len(entries), slot))
                entries.append((slot.tokens[-1], len(slot.tokens) - 1, slot.seq, True))
        for slot in slots:
            room = self.step_tokens - len(entries)
            if slot.request is None or slot.waiting or slot.fed == len(slot.prompt) or room <= 0:
                continue
            end = min(len(slot.prompt), slot.fed + room)
            for position in range(slot.fed, end):
                last = position == len(slot.prompt) - 1
                if last:
                    owners.append((len(entries), slot))
                entries.append((slot.prompt[position], position, slot.seq, last))
            slot.fed = end
        return entries, owners
