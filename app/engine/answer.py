"""What every backend does with a model's answer: the context check before it, the streamed
deltas during it, and the finished result after it — one implementation for all of them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from app.core.run_types import (
    ClassifyRequest,
    ClassifyResult,
    Delta,
    Failed,
    Finished,
    Timings,
    TokenCounts,
)
from app.core.verdict import parse_verdict
from app.engine.harmony.events import TextDelta
from app.engine.harmony.stream import HarmonyMachine


def context_overflow(
    request: ClassifyRequest, prompt_tokens: int, n_ctx: int | None, *, remedy: str
) -> Failed | None:
    """A ``Failed`` event when prompt + answer budget exceed the context, else None."""
    budget = request.run.max_tokens
    if not n_ctx or prompt_tokens + budget <= n_ctx:
        return None
    return Failed(
        request.case_id,
        f"The prompt takes {prompt_tokens} tokens and the answer budget {budget} more, over "
        f"the context size of {n_ctx}; shorten the policy or content, lower the token "
        f"budget, or {remedy}.",
        kind="context",
    )


def deltas(case_id: str, events: Iterable[object]) -> Iterator[Delta]:
    """The harmony parser's text deltas as protocol events."""
    for event in events:
        if isinstance(event, TextDelta) and event.text:
            yield Delta(case_id, event.channel, event.text)


def finished(
    request: ClassifyRequest,
    machine: HarmonyMachine,
    stop_reason: str,
    tokens: TokenCounts,
    timings: Timings,
    model: str,
    *,
    analysis: str | None = None,
) -> Finished:
    """The terminal event: the verdict read under the policy's output format."""
    return Finished(
        ClassifyResult(
            case_id=request.case_id,
            verdict=parse_verdict(machine.final, request.output, stop_reason=stop_reason),
            analysis=machine.analysis if analysis is None else analysis,
            final=machine.final or "",
            stop_reason=stop_reason,
            tokens=tokens,
            timings=timings,
            model=model,
        )
    )
