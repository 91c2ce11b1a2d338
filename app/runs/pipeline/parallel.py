"""The parallel path of a suite run: the cache misses on several engines at once.

Used by :func:`app.runs.pipeline.suite.run_suite` when it is given a ``concurrency`` above 1 and an
``engine_factory`` (a remote server's parallel slots) or an engine that decodes several cases
at once (the local engine's parallel sequences); the cache hits are stored before this starts. Each result is stored the moment its case ends, whatever order the cases end in.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from app.core.cases import TestCase
from app.core.records import StoredResult
from app.core.run_types import Cancelled, ClassifyRequest, Failed, Finished
from app.engine.protocol import Engine, can_batch
from app.runs.pipeline.inputs import SuiteInputs
from app.runs.pipeline.results import (
    CaseStored,
    SuiteSummary,
    cancel_once,
    classify_case,
    crashed,
    is_crash,
    terminal_id,
    terminal_result,
)

Miss = tuple[int, TestCase, str]  # position in the call, the case, its cache key


def run_in_parallel(
    inputs: SuiteInputs,
    misses: list[Miss],
    *,
    summary: SuiteSummary,
    total: int,
) -> None:
    """Run the cases not in the cache ``concurrency`` at a time, storing each as it ends.

    The engines are the factory of ``inputs`` (one engine per thread) or else its one
    engine, which has ``classify_many``. A case of a batch during which the engine process
    died is tried again on its own (:func:`~app.runs.pipeline.results.classify_case`): the case
    that crashed it twice is stored as an error, the others' results as they come, and the
    rest of the batch goes on decoded together."""
    engines = inputs.engine if inputs.engine_factory is None else inputs.engine_factory
    batched = not callable(engines) and can_batch(engines)
    batch = _Batch(inputs, misses, summary, total, batched=batched)
    requests = [inputs.request(case) for _, case, _ in misses]
    if batched:
        _on_sequences(engines, requests, inputs.concurrency, batch.on_event, inputs.cancel)
    else:
        _on_threads(engines, requests, inputs.concurrency, batch.on_event, inputs.cancel)
    summary.cancelled = summary.cancelled or inputs.cancel.is_set()
    _retry_crashes(engines, inputs, batch)


class _Batch:
    """The misses of one parallel pass: each stored as its terminal event comes, those
    during which the engine process died kept for :func:`_retry_crashes`."""

    def __init__(
        self,
        inputs: SuiteInputs,
        misses: list[Miss],
        summary: SuiteSummary,
        total: int,
        *,
        batched: bool,
    ) -> None:
        self._store, self._emit, self._policy = inputs.store, inputs.on_event, inputs.policy
        self.run_id, self.summary, self.total = summary.run_id, summary, total
        self._batched = batched
        self._misses = len(misses)
        self.slots = {case.id: (index, case, key) for index, case, key in misses}
        self.stored_ids: set[str] = set()
        self.crashes: list[Miss] = []  # the engine process died in them
        self._started = time.monotonic()

    def keep(self, index: int, stored: StoredResult) -> None:
        """Store one case's result and announce it, with an ETA over the misses left."""
        self._store.add_result(stored)
        self.stored_ids.add(stored.case_id)
        self.summary.count(stored)
        left = self._misses - len(self.stored_ids)
        eta = (time.monotonic() - self._started) / len(self.stored_ids) * left
        self._emit(CaseStored(self.run_id, stored, index, self.total, False, eta))

    def on_event(self, event: object) -> None:
        """An engine event: a terminal one stored (or kept for a retry after a crash), a
        cancel noted, the others passed on."""
        if isinstance(event, Cancelled):
            self.summary.cancelled = True
            return
        if not isinstance(event, (Finished, Failed)):
            self._emit(event)
            return
        case_id = terminal_id(event)
        if case_id in self.stored_ids or case_id not in self.slots:
            return
        if self._batched and is_crash(event):
            self.crashes.append(self.slots[case_id])  # tried again below, one at a time
            self.stored_ids.add(case_id)
            return
        index, case, key = self.slots[case_id]
        self.keep(index, terminal_result(self.run_id, case, key, event, self._policy))


def _on_sequences(
    engines: Engine,
    requests: list[ClassifyRequest],
    concurrency: int,
    on_event: Callable[[object], None],
    cancel: threading.Event,
) -> None:
    """One engine decoding ``concurrency`` cases together (its ``classify_many``); after a
    cancel the engine ends every case with Cancelled."""
    for event in cancel_once(engines.classify_many(requests, concurrency), engines, cancel):
        on_event(event)


def _on_threads(
    engines: Callable[[], Engine],
    requests: list[ClassifyRequest],
    concurrency: int,
    on_event: Callable[[object], None],
    cancel: threading.Event,
) -> None:
    """An engine per thread from the factory (a server's parallel slots)."""
    from app.engine.pool import run_concurrent

    for event in run_concurrent(engines, requests, concurrency, on_event, stop=cancel):
        on_event(event)  # terminal events the pool made itself (an engine failed to load)


def _retry_crashes(engines: Engine, inputs: SuiteInputs, batch: _Batch) -> None:
    """The cases of a batch during which the engine process died, one at a time on a fresh
    process; once the case that crashed it is found, the rest go back to a batch."""
    summary, crashes = batch.summary, batch.crashes
    batch.stored_ids.difference_update(case.id for _, case, _ in crashes)
    for position, (index, case, key) in enumerate(crashes):
        if summary.cancelled:
            return
        stored = classify_case(
            engines, batch.run_id, case, key, inputs.policy, inputs.request(case),
            inputs.cancel, inputs.on_event, crashed_before=True,
        )  # fmt: skip
        if stored is None:
            summary.cancelled = True
            return
        batch.keep(index, stored)
        if crashed(stored):  # the case that crashed it: the others go back to the batch
            rest = crashes[position + 1 :]
            if rest:
                run_in_parallel(inputs, rest, summary=summary, total=batch.total)
            return
