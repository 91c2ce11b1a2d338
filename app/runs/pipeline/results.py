"""What a suite run reports and stores: its events, and the StoredResult of each case.

:class:`SuiteStarted`, :class:`CaseStored` and :class:`SuiteEnded` (carrying the
:class:`SuiteSummary`) go to ``on_event`` beside the engine's own events (see
:mod:`app.runs.pipeline.suite`). The builders turn an engine's terminal event, or a cache hit, into
the row the store keeps; the serial and the parallel path both use them.

:func:`classify_case` runs one case and gives an engine that died on it (a native crash, a
kill) a second try on a fresh process: the run goes on either way, and a case whose input
crashes the engine twice is stored as an error that says so (:func:`repeated_crash`).
"""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from app.core.cases import TestCase
from app.core.policy import Policy
from app.core.records import StoredResult
from app.core.run_types import Cancelled, ClassifyRequest, ClassifyResult, Failed, Finished
from app.core.verdict import Verdict, VerdictStatus
from app.engine.protocol import Engine

E = TypeVar("E")


@dataclass(frozen=True)
class SuiteStarted:
    run_id: str
    total: int  # cases in this call (after resume skipped the done ones)
    resumed: int  # cases already done in the run being resumed


@dataclass(frozen=True)
class CaseStored:
    run_id: str
    result: StoredResult
    index: int  # 1-based position in this call
    total: int
    cached: bool
    eta_s: float | None  # from the mean time of the engine-run cases so far


@dataclass
class SuiteSummary:
    run_id: str
    total: int = 0  # cases asked for, including those a resume skipped
    done: int = 0  # results stored by this call (engine-run and cached)
    cached: int = 0
    failed: int = 0  # results with status error
    resumed: int = 0  # skipped because the resumed run already had them
    cancelled: bool = False
    elapsed_s: float = 0.0

    def count(self, stored: StoredResult) -> None:
        """One engine result stored by this call (an error counts as failed)."""
        self.done += 1
        self.failed += stored.status == VerdictStatus.ERROR.value


@dataclass(frozen=True)
class SuiteEnded:
    summary: SuiteSummary


def stored_result(
    run_id: str, case: TestCase, key: str, result: ClassifyResult, policy: Policy
) -> StoredResult:
    """What is stored for a finished classification of ``case``."""
    verdict = result.verdict
    violates = verdict.violates
    if verdict.status is VerdictStatus.OK and violates is None and verdict.label is not None:
        violates = policy.output.is_violating(verdict.label)
    return StoredResult(
        run_id=run_id,
        case_id=case.id,
        cache_key=key,
        status=verdict.status.value,
        expected=case.expected,
        label=verdict.label if verdict.status is VerdictStatus.OK else None,
        violates=violates if verdict.status is VerdictStatus.OK else None,
        rule_codes=list(verdict.rule_codes),
        rationale=verdict.rationale,
        analysis=result.analysis,
        final=result.final,
        message=verdict.message,
        stop_reason=result.stop_reason,
        content=case.content,
        tags=list(case.tags),
        prompt_tokens=result.tokens.prompt,
        evaluated_tokens=result.tokens.evaluated,
        reused_tokens=result.tokens.reused,
        generated_tokens=result.tokens.generated,
        load_ms=result.timings.load_ms,
        prompt_ms=result.timings.prompt_ms,
        generate_ms=result.timings.generate_ms,
        tier=verdict.tier,
        escalate=verdict.escalate,
        depiction=verdict.depiction,
        request=verdict.request,
    )


def error_result(run_id: str, case: TestCase, key: str, failed: Failed) -> StoredResult:
    """What is stored for a case that failed: an ERROR verdict, never "does not violate"."""
    verdict = Verdict(status=VerdictStatus.ERROR, message=failed.message)
    return StoredResult(
        run_id=run_id,
        case_id=case.id,
        cache_key=key,
        status=verdict.status.value,
        expected=case.expected,
        message=f"{failed.kind}: {failed.message}",
        stop_reason="error",
        content=case.content,
        tags=list(case.tags),
    )


def cached_result(hit: StoredResult, run_id: str, case: TestCase) -> StoredResult:
    """A stored result of an earlier run reused for ``case`` in this run, marked cached."""
    stored = copy.copy(hit)  # a shallow copy: much cheaper than dataclasses.replace
    stored.run_id, stored.case_id, stored.cached, stored.created = run_id, case.id, True, 0.0
    stored.expected, stored.tags, stored.content = case.expected, list(case.tags), case.content
    return stored


def terminal_result(
    run_id: str, case: TestCase, key: str, event: Finished | Failed, policy: Policy
) -> StoredResult:
    """What is stored for the engine's terminal event for ``case``."""
    if isinstance(event, Finished):
        return stored_result(run_id, case, key, event.result, policy)
    return error_result(run_id, case, key, event)


def terminal_id(event: Finished | Failed) -> str:
    """The request id a terminal event ends."""
    return event.result.case_id if isinstance(event, Finished) else event.case_id


def is_crash(event: object) -> bool:
    """Whether the engine process died during the request this event ends."""
    return isinstance(event, Failed) and event.kind == "crash"


def crashed(stored: StoredResult) -> bool:
    """Whether the engine process died while running this case."""
    return stored.status == VerdictStatus.ERROR.value and stored.message.startswith("crash:")


def repeated_crash(failed: Failed) -> Failed:
    """The second crash on one case's input, named as such (with the first reason given)."""
    found = re.search(r"\(([^()]*)\)", failed.message)
    reason = f" ({found.group(1)})" if found else ""
    return Failed(
        failed.case_id,
        f"The model engine crashed twice on this case's input{reason}, so the input itself "
        "crashes it every time; shorten or change this case's content.",
        "crash",
    )


def cancel_once(events: Iterable[E], engine: Engine, cancel: threading.Event) -> Iterator[E]:
    """The engine's ``events``, calling ``engine.cancel()`` once, at the first event after
    ``cancel`` is set (the engine then ends the case, or every case, with Cancelled)."""
    cancel_sent = False
    for event in events:
        if cancel.is_set() and not cancel_sent:
            engine.cancel()
            cancel_sent = True
        yield event


def _classify_once(
    engine: Engine,
    request: ClassifyRequest,
    cancel: threading.Event,
    emit: Callable[[object], None],
) -> Finished | Failed | None:
    """The terminal event of one case; None when it was cancelled (or ended silently)."""
    for event in cancel_once(engine.classify(request), engine, cancel):
        if isinstance(event, (Finished, Failed)):
            return event
        if isinstance(event, Cancelled):
            return None
        emit(event)
    return None


def classify_case(
    engine: Engine,
    run_id: str,
    case: TestCase,
    key: str,
    policy: Policy,
    request: ClassifyRequest,
    cancel: threading.Event,
    emit: Callable[[object], None],
    *,
    crashed_before: bool = False,
) -> StoredResult | None:
    """Run one case; a crash gets one more try on a fresh engine process (none when it
    ``crashed_before``), a second crash is a :func:`repeated_crash` error. None: cancelled."""
    crashes = 1 if crashed_before else 0
    while True:
        event = _classify_once(engine, request, cancel, emit)
        if event is None:
            return None
        if not is_crash(event):
            return terminal_result(run_id, case, key, event, policy)
        crashes += 1
        if crashes >= 2:
            return error_result(run_id, case, key, repeated_crash(event))
        if cancel.is_set():  # no second try after a cancel: the crash as it came
            return error_result(run_id, case, key, event)
