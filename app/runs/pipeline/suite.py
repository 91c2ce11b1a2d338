"""Run a policy over a test set: cache, store each result at once, cancel and resume.

:func:`run_suite` works against the :class:`~app.engine.protocol.Engine` protocol only; the
caller loads the engine first and hands it in with the policy, the cases, the settings and
the store (:class:`~app.runs.pipeline.inputs.SuiteInputs`). For each case the result cache key is computed
(:func:`app.core.fingerprint.result_cache_key`); a stored result under the same key is
copied into this run as *cached* and the engine is not called. Otherwise the engine's events
are iterated; the terminal one decides what is stored:

- ``Finished``: its verdict (a verdict with status ok but no ``violates`` gets it from the
  policy's output format);
- ``Failed``: an ERROR verdict carrying the message, never "does not violate"; an engine
  process that died on the case (``kind="crash"``) is restarted and the case tried once
  more, and a second crash is an error case that says its input crashes the engine (see
  :func:`~app.runs.pipeline.results.classify_case`): a crash never ends the run;
- ``Cancelled``: nothing; the case was in flight and the run stops.

Every engine result is committed before the next case starts; cache hits are written in
batches (a crash can lose only those, and a resume finds them in the cache again). ``cancel`` is checked between
cases and between events; once set, ``engine.cancel()`` is called and the run ends as
"cancelled". An exception from the engine marks the run "failed" and propagates; everything
stored before it stays, and ``resume_run_id`` continues the run without duplicating a case.

``on_event`` receives the engine's own events (``Started``, ``Delta``...) and the suite's:
:class:`SuiteStarted`, :class:`CaseStored` (with progress and an ETA), :class:`SuiteEnded`.
"""

from __future__ import annotations

import time

from app.core.cases import TestCase, model_content
from app.core.fingerprint import settings_dict
from app.core.policy import OutputFormat
from app.core.records import CACHEABLE, StoredResult
from app.core.run_types import Failed
from app.engine.protocol import can_batch
from app.runs.pipeline.inputs import SuiteInputs
from app.runs.pipeline.parallel import run_in_parallel
from app.runs.pipeline.results import (
    CaseStored,
    SuiteEnded,
    SuiteStarted,
    SuiteSummary,
    cached_result,
    classify_case,
    error_result,
)
from app.scoring.outcome import is_right
from app.store import Store, StoreError

ORDERS = ("failed-first", "file")
FLUSH_EVERY = 500  # cache hits written per transaction (bigger: longer GUI stalls)
Todo = list[tuple[TestCase, str]]  # the cases of this call with their cache keys, in order


def order_cases(
    cases: list[TestCase],
    store: Store,
    order: str,
    cases_path: str = "",
    output: OutputFormat | None = None,
) -> list[TestCase]:
    """``file``: as given. ``failed-first``: cases whose latest earlier result of the same
    test set was wrong or had no verdict first (stable), then the rest."""
    if order == "file":
        return list(cases)
    if order != "failed-first":
        raise ValueError(f"Unknown order '{order}'; use one of {', '.join(ORDERS)}.")
    latest = store.latest_results([c.id for c in cases], cases_path)
    output = output or OutputFormat()
    failed = {cid for cid, r in latest.items() if not is_right(r, output)}
    return [c for c in cases if c.id in failed] + [c for c in cases if c.id not in failed]


def run_suite(
    inputs: SuiteInputs,
    *,
    resume_run_id: str | None = None,
    order: str = "failed-first",
    kind: str = "suite",
) -> SuiteSummary:
    """Run the cases of ``inputs`` and return what happened (see the module notes).

    With a ``concurrency`` above 1 and either an ``engine_factory`` (more engines like the
    engine, one per thread: a remote server's parallel slots) or an engine that decodes
    several cases at once itself (``classify_many``: the local engine's parallel sequences),
    the cache hits are stored first and the rest run ``concurrency`` at a time; each result
    is still stored the moment it arrives.
    """
    store, cases = inputs.store, inputs.cases
    run_id, done = _open_run(inputs, resume_run_id, kind)
    ordered = order_cases(cases, store, order, inputs.cases_path, inputs.policy.output)
    todo = [case for case in ordered if case.id not in done]
    summary = SuiteSummary(run_id, total=len(cases), resumed=len(cases) - len(todo))
    make_key = inputs.cache_keys()
    keys = [make_key(model_content(case)) for case in todo]
    hits = store.lookup_many(keys)
    recorder = _Recorder(inputs, summary, len(todo), sum(key not in hits for key in keys))
    started = time.monotonic()
    inputs.on_event(SuiteStarted(run_id, len(todo), summary.resumed))
    status = "failed"
    try:
        _run_cases(inputs, list(zip(todo, keys, strict=True)), hits, recorder)
        status = "cancelled" if summary.cancelled else "finished"
    except StoreError:
        status = "interrupted"  # the database failed (a full disk): resumable, nothing lost
        raise
    finally:
        try:
            recorder.flush()
        finally:
            store.set_run_status(run_id, status)
            summary.elapsed_s = time.monotonic() - started
    inputs.on_event(SuiteEnded(summary))
    return summary


def _open_run(inputs: SuiteInputs, resume_run_id: str | None, kind: str) -> tuple[str, set[str]]:
    """The run this call writes to and the ids of the cases it already holds: a new run,
    or the one resumed (which must have the same policy text and settings)."""
    store = inputs.store
    policy_hash = inputs.policy_version()
    if resume_run_id is None:
        return inputs.create_run(policy_hash, inputs.run_settings, kind), set()
    run = store.get_run(resume_run_id)
    if run is None:
        raise ValueError(f"There is no run {resume_run_id} to resume; start a new run.")
    if run.policy_hash != policy_hash or run.settings != settings_dict(inputs.run_settings):
        raise ValueError(
            f"Run {resume_run_id} used another policy text or other settings; "
            "start a new run instead of resuming it."
        )
    done = store.done_case_ids(run.id)
    store.set_run_status(run.id, "running", total=len(inputs.cases))
    return run.id, done


class _Recorder:
    """Stores this call's results and announces each with an ETA (the engine's mean time
    per case so far, times the cache misses left): engine results at once, cache hits in
    batches (:meth:`flush`)."""

    def __init__(self, inputs: SuiteInputs, summary: SuiteSummary, todo: int, misses: int):
        self._store, self._emit = inputs.store, inputs.on_event
        self.summary = summary
        self._todo = todo  # cases in this call
        self.misses_left = misses
        self._engine_time, self._engine_cases = 0.0, 0
        self._pending: list[tuple[int, StoredResult]] = []  # cache hits not yet written

    def cached(self, index: int, stored: StoredResult) -> int:
        """A cache hit, counted and held for the next flush; how many are held."""
        self._pending.append((index, stored))
        self.summary.done += 1
        self.summary.cached += 1
        return len(self._pending)

    def flush(self) -> None:
        """Write the cache hits held so far in one transaction and announce them."""
        self._store.add_results([stored for _, stored in self._pending])
        for index, stored in self._pending:
            eta = self._eta() if self._engine_cases else None
            self._emit(self._event(index, stored, True, eta if self.misses_left else 0.0))
        self._pending.clear()

    def engine_ran(self, seconds: float) -> None:
        """One cache miss went to the engine and took ``seconds``."""
        self._engine_time += seconds
        self._engine_cases += 1

    def stored(self, index: int, stored: StoredResult) -> None:
        """An engine result: written at once, counted and announced."""
        self._store.add_result(stored)
        self.summary.count(stored)
        self._emit(self._event(index, stored, False, self._eta()))

    def _eta(self) -> float:
        return self._engine_time / self._engine_cases * self.misses_left

    def _event(
        self, index: int, stored: StoredResult, cached: bool, eta: float | None
    ) -> CaseStored:
        return CaseStored(self.summary.run_id, stored, index, self._todo, cached, eta)


def _run_cases(
    inputs: SuiteInputs, todo: Todo, hits: dict[str, StoredResult], recorder: _Recorder
) -> None:
    """One case after the other, or the cache misses several at a time."""
    engine, engine_factory, concurrency = inputs.engine, inputs.engine_factory, inputs.concurrency
    batched = can_batch(engine)  # local: parallel sequences of one model
    parallel = concurrency > 1 and (engine_factory is not None or batched)
    if parallel:
        _run_parallel(inputs, todo, hits, recorder)
    else:
        _run_serial(inputs, todo, hits, recorder)


def _run_parallel(
    inputs: SuiteInputs, todo: Todo, hits: dict[str, StoredResult], recorder: _Recorder
) -> None:
    """The cache hits stored first, then the misses ``concurrency`` at a time."""
    run_id = recorder.summary.run_id
    misses = []
    for index, (case, key) in enumerate(todo, start=1):
        hit = hits.get(key)
        if hit is None:
            misses.append((index, case, key))
            continue
        recorder.cached(index, cached_result(hit, run_id, case))
    recorder.flush()
    run_in_parallel(inputs, misses, summary=recorder.summary, total=len(todo))


def _run_serial(
    inputs: SuiteInputs, todo: Todo, hits: dict[str, StoredResult], recorder: _Recorder
) -> None:
    """One case after the other until the end or a cancel; a result the engine gives is
    a cache hit for the same content later in this set."""
    summary = recorder.summary
    for index, (case, key) in enumerate(todo, start=1):
        if inputs.cancel.is_set():
            summary.cancelled = True
            return
        hit = hits.get(key)
        if hit is not None:
            if recorder.cached(index, cached_result(hit, summary.run_id, case)) >= FLUSH_EVERY:
                recorder.flush()
            continue
        recorder.flush()
        stored = _run_miss(inputs, recorder, case, key)
        if stored is None:  # cancelled in flight
            return
        recorder.stored(index, stored)
        if stored.status in CACHEABLE:
            hits[key] = stored  # the same content later in this set is a cache hit


def _run_miss(
    inputs: SuiteInputs, recorder: _Recorder, case: TestCase, key: str
) -> StoredResult | None:
    """A case not in the cache, on the engine and timed; None when it was cancelled in
    flight (an engine that ended silently is an error result)."""
    run_id, cancel = recorder.summary.run_id, inputs.cancel
    recorder.misses_left -= 1
    case_start = time.monotonic()
    stored = classify_case(
        inputs.engine, run_id, case, key, inputs.policy, inputs.request(case), cancel,
        inputs.on_event,
    )  # fmt: skip
    recorder.engine_ran(time.monotonic() - case_start)
    if stored is None:  # cancelled in flight, or an engine that ended silently
        recorder.summary.cancelled = cancel.is_set()
        if recorder.summary.cancelled:
            return None
        stored = error_result(run_id, case, key, Failed(case.id, "The engine gave no result."))
    return stored
