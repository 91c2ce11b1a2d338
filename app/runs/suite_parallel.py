"""The parallel path of a suite run: the cache misses on several engines at once.

Used by :func:`app.runs.suite.run_suite` when it is given a ``concurrency`` above 1 and an
``engine_factory`` (a remote server's parallel slots) or an engine that decodes several cases
at once (the local engine's parallel sequences); the cache hits are stored before this starts. Each result is stored the moment its case ends, whatever order the cases end in.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from app.core.cases import TestCase, model_content
from app.core.policy import Policy
from app.core.records import StoredResult
from app.core.run_types import Cancelled, ClassifyRequest, Failed, Finished, RunSettings
from app.core.verdict import VerdictStatus
from app.engine.protocol import Engine, can_batch
from app.runs.suite_results import (
    CaseStored,
    SuiteSummary,
    classify_case,
    crashed,
    terminal_result,
)
from app.store import Store


def run_in_parallel(  # noqa: C901 (on the shrinking list)
    engines: Callable[[], Engine] | Engine,
    concurrency: int,
    misses: list[tuple[int, TestCase, str]],
    policy: Policy,
    run_settings: RunSettings,
    *,
    run_id: str,
    store: Store,
    summary: SuiteSummary,
    cancel: threading.Event,
    emit: Callable[[object], None],
    total: int,
) -> None:
    """Run the cases not in the cache ``concurrency`` at a time, storing each as it ends.

    ``engines`` is a factory (one engine per thread) or one engine with ``classify_many``.
    A case of a batch during which the engine process died is tried again on its own
    (:func:`~app.runs.suite_results.classify_case`): the case that crashed it twice is
    stored as an error, the others' results as they come, and the rest of the batch goes
    on decoded together."""
    from app.engine.pool import run_concurrent

    slots = {case.id: (index, case, key) for index, case, key in misses}
    stored_ids: set[str] = set()
    crashes: list[tuple[int, TestCase, str]] = []  # the engine process died in them
    started = time.monotonic()
    batched = not callable(engines) and can_batch(engines)

    def keep(index: int, stored: StoredResult) -> None:
        store.add_result(stored)
        stored_ids.add(stored.case_id)
        summary.done += 1
        summary.failed += stored.status == VerdictStatus.ERROR.value
        left = len(misses) - len(stored_ids)
        eta = (time.monotonic() - started) / len(stored_ids) * left
        emit(CaseStored(run_id, stored, index, total, False, eta))

    def on_event(event: object) -> None:
        if isinstance(event, Cancelled):
            summary.cancelled = True
            return
        if not isinstance(event, (Finished, Failed)):
            emit(event)
            return
        case_id = event.result.case_id if isinstance(event, Finished) else event.case_id
        if case_id in stored_ids or case_id not in slots:
            return
        if batched and isinstance(event, Failed) and event.kind == "crash":
            crashes.append(slots[case_id])  # tried again below, one at a time
            stored_ids.add(case_id)
            return
        index, case, key = slots[case_id]
        keep(index, terminal_result(run_id, case, key, event, policy))

    requests = [_request(case, policy, run_settings) for _, case, _ in misses]
    if batched:
        cancel_sent = False
        for event in engines.classify_many(requests, concurrency):
            if cancel.is_set() and not cancel_sent:
                engines.cancel()  # the engine ends every case with Cancelled
                cancel_sent = True
            on_event(event)
    else:
        for event in run_concurrent(engines, requests, concurrency, on_event, stop=cancel):
            on_event(event)  # terminal events the pool made itself (an engine failed to load)
    summary.cancelled = summary.cancelled or cancel.is_set()
    stored_ids.difference_update(case.id for _, case, _ in crashes)
    retry = dict(run_id=run_id, store=store, summary=summary, cancel=cancel, emit=emit, total=total)
    for position, (index, case, key) in enumerate(crashes):
        if summary.cancelled:
            return
        request = _request(case, policy, run_settings)
        stored = classify_case(
            engines, run_id, case, key, policy, request, cancel, emit, crashed_before=True
        )
        if stored is None:
            summary.cancelled = True
            return
        keep(index, stored)
        if crashed(stored):  # the case that crashed it: the others go back to the batch
            rest = crashes[position + 1 :]
            if rest:
                run_in_parallel(engines, concurrency, rest, policy, run_settings, **retry)
            return


def _request(case: TestCase, policy: Policy, run_settings: RunSettings) -> ClassifyRequest:
    return ClassifyRequest(case.id, policy.body, model_content(case), run_settings, policy.output)
