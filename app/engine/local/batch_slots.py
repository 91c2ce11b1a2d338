"""One sequence of a batched context and the case it works on: sampling and events.

:class:`~app.engine.local.batch.BatchDecoder` decides what goes into each ``llama_decode``;
this module turns a sequence's logits into its next token and the case's events, so each
case ends with exactly one terminal event with the same counts and timings as a case run
alone: ``Started`` when its prompt is in, deltas while it generates, ``Finished`` at a stop
token or its budget.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import llama_cpp

from app.core.run_types import ClassifyRequest, Event, Started, Timings, TokenCounts
from app.engine.answer import deltas, finished
from app.engine.harmony.stream import HarmonyStreamParser
from app.engine.local.runner import LlamaRunner, sampler_chain


@dataclass
class Slot:
    """One sequence of the context and the case it is working on."""

    seq: int
    request: ClassifyRequest | None = None
    prompt: list[int] = field(default_factory=list)
    tokens: list[int] = field(default_factory=list)  # prompt, then generated tokens
    holds: list[int] = field(default_factory=list)  # the prompt whose cells it has
    fed: int = 0  # prompt tokens in the sequence's cache
    waiting: bool = False  # not placed yet (another sequence evaluates the same prompt)
    reused: int = 0  # prompt tokens it did not evaluate itself
    parser: HarmonyStreamParser | None = None
    sampler: object = None
    generated: int = 0
    started: float = 0.0
    prompt_ms: float = 0.0


class SlotStepper:
    """Samples and reports for the slots of one batched context."""

    def __init__(self, runner: LlamaRunner, ctx) -> None:
        self.runner = runner
        self.ctx = ctx
        self._vocab = llama_cpp.llama_model_get_vocab(runner.llm.model)
        self._model = Path(runner.settings.model_path).name

    def assign(self, slot: Slot, request: ClassifyRequest, prompt: list[int], reused: int) -> None:
        """Give slot a new case; it waits to be placed in the cache by the decoder."""
        chain = sampler_chain(self._vocab, request.run)
        slot.request, slot.sampler, slot.prompt = request, chain, prompt
        slot.tokens, slot.reused, slot.waiting = list(prompt), reused, True
        slot.parser = HarmonyStreamParser(self.runner.specials, self.runner.piece)
        slot.generated, slot.started = 0, time.perf_counter()

    def step(self, slot: Slot, index: int) -> Iterator[Event]:
        """Sample slot's next token from the logits at batch index ``index``."""
        request = slot.request
        if not slot.generated and len(slot.tokens) == len(slot.prompt):
            slot.prompt_ms = (time.perf_counter() - slot.started) * 1000
            yield Started(request.case_id, len(slot.prompt), slot.reused)
        token = llama_cpp.llama_sampler_sample(slot.sampler, self.ctx, index)
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
        prompt_len = len(slot.prompt)
        tokens = TokenCounts(prompt_len, prompt_len - slot.reused, slot.reused, slot.generated)
        total_ms = (time.perf_counter() - slot.started) * 1000
        timings = Timings(prompt_ms=slot.prompt_ms, generate_ms=total_ms - slot.prompt_ms)
        yield finished(request, slot.parser, stop, tokens, timings, self._model)
        self.release(slot)

    def release(self, slot: Slot) -> None:
        """Free slot's sampler; its cells stay until it takes another case."""
        if slot.sampler is not None:
            llama_cpp.llama_sampler_free(slot.sampler)
        slot.request, slot.sampler = None, None
