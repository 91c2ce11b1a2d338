"""Run a policy over a test set: cache, store each result at once, cancel and resume.

:func:`run_suite` works against the :class:`~app.engine.protocol.Engine` protocol only; the
caller loads the engine first. For each case the result cache key is computed
(:func:`app.core.fingerprint.result_cache_key`); a stored result under the same key is
copied into this run as *cached* and the engine is not called. Otherwise the engine's events
are iterated; the terminal one decides what is stored:

- ``Finished``: its verdict (a verdict with status ok but no ``violates`` gets it from the
  policy's output format);
- ``Failed``: an ERROR verdict carrying the message, never "does not violate"; an engine
  process that died on the case (``kind="crash"``) is restarted and the case tried once
  more, and a second crash is an error case that says its input crashes the engine (see
  :func:`~app.runs.suite_results.classify_case`): a crash never ends the run;
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

import threading
import time
from collections.abc import Callable

from app.core.cases import TestCase, model_content
from app.core.fingerprint import ModelFingerprint, cache_key_factory, settings_dict
from app.core.policy import OutputFormat, Policy
from app.core.records import CACHEABLE, StoredResult
from app.core.run_types import ClassifyRequest, Failed, RunSettings
from app.core.verdict import VerdictStatus
from app.engine.protocol import Engine, can_batch
from app.runs.backend import recorded_model
from app.runs.stored_policy import format_record
from app.runs.suite_parallel import run_in_parallel
from app.runs.suite_results import (
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


def run_suite(  # noqa: C901 (on the shrinking list)
    engine: Engine,
    policy: Policy,
    cases: list[TestCase],
    run_settings: RunSettings,
    *,
    store: Store,
    model_fingerprint: ModelFingerprint | str,
    template_hash: str,
    resume_run_id: str | None = None,
    order: str = "failed-first",
    cancel: threading.Event | None = None,
    on_event: Callable[[object], None] | None = None,
    cases_path: str = "",
    note: str = "",
    concurrency: int = 1,
    engine_factory: Callable[[], Engine] | None = None,
    kind: str = "suite",
) -> SuiteSummary:
    """Run ``cases`` under ``policy`` and return what happened (see the module notes).

    With ``concurrency`` above 1 and either an ``engine_factory`` (more engines like
    ``engine``, one per thread: a remote server's parallel slots) or an engine that decodes
    several cases at once itself (``classify_many``: the local engine's parallel sequences),
    the cache hits are stored first and the rest run ``concurrency`` at a time; each result
    is still stored the moment it arrives.
    """
    emit = on_event or (lambda _event: None)
    cancel = cancel or threading.Event()
    policy_hash = store.add_policy_version(policy.text, note, str(policy.path or ""))
    model_name = recorded_model(model_fingerprint)
    settings = settings_dict(run_settings)
    if resume_run_id is None:
        run_id = store.create_run(
            policy_hash, model=model_name, settings=settings, cases_path=cases_path,
            total=len(cases), kind=kind, output_format=format_record(policy.output),
        )  # fmt: skip
        done: set[str] = set()
    else:
        run = store.get_run(resume_run_id)
        if run is None:
            raise ValueError(f"There is no run {resume_run_id} to resume; start a new run.")
        if run.policy_hash != policy_hash or run.settings != settings:
            raise ValueError(
                f"Run {resume_run_id} used another policy text or other settings; "
                "start a new run instead of resuming it."
            )
        run_id = run.id
        done = store.done_case_ids(run_id)
        store.set_run_status(run_id, "running", total=len(cases))

    todo = [
        c for c in order_cases(cases, store, order, cases_path, policy.output) if c.id not in done
    ]
    summary = SuiteSummary(run_id, total=len(cases), resumed=len(cases) - len(todo))
    make_key = cache_key_factory(
        model=model_fingerprint, template=template_hash, policy_text=policy.text, run=run_settings
    )
    keys = [make_key(model_content(case)) for case in todo]
    hits = store.lookup_many(keys)
    misses_left = sum(key not in hits for key in keys)
    started = time.monotonic()
    engine_time, engine_cases = 0.0, 0
    pending: list[tuple[int, StoredResult]] = []  # cache hits not yet written

    def flush() -> None:
        store.add_results([stored for _, stored in pending])
        for index, stored in pending:
            eta = engine_time / engine_cases * misses_left if engine_cases else None
            emit(CaseStored(run_id, stored, index, len(todo), True, eta if misses_left else 0.0))
        pending.clear()

    emit(SuiteStarted(run_id, len(todo), summary.resumed))
    status = "failed"
    try:
        batched = can_batch(engine)  # local: parallel sequences of one model
        parallel = concurrency > 1 and (engine_factory is not None or batched)
        if parallel:
            misses = []
            for index, (case, key) in enumerate(zip(todo, keys, strict=True), start=1):
                hit = hits.get(key)
                if hit is None:
                    misses.append((index, case, key))
                    continue
                pending.append((index, cached_result(hit, run_id, case)))
                summary.done += 1
                summary.cached += 1
            flush()
            run_in_parallel(
                engine if engine_factory is None else engine_factory, concurrency, misses, policy, run_settings,
                run_id=run_id, store=store, summary=summary, cancel=cancel, emit=emit,
                total=len(todo),
            )  # fmt: skip
        else:
            for index, (case, key) in enumerate(zip(todo, keys, strict=True), start=1):
                if cancel.is_set():
                    summary.cancelled = True
                    break
                hit = hits.get(key)
                if hit is not None:
                    pending.append((index, cached_result(hit, run_id, case)))
                    summary.done += 1
                    summary.cached += 1
                    if len(pending) >= FLUSH_EVERY:
                        flush()
                    continue
                flush()
                misses_left -= 1
                case_start = time.monotonic()
                request = ClassifyRequest(
                    case.id, policy.body, model_content(case), run_settings, policy.output
                )
                stored = classify_case(engine, run_id, case, key, policy, request, cancel, emit)
                engine_time += time.monotonic() - case_start
                engine_cases += 1
                if stored is None:  # cancelled in flight, or an engine that ended silently
                    summary.cancelled = cancel.is_set()
                    if summary.cancelled:
                        break
                    stored = error_result(
                        run_id, case, key, Failed(case.id, "The engine gave no result.")
                    )
                store.add_result(stored)
                if stored.status in CACHEABLE:
                    hits[key] = stored  # the same content later in this set is a cache hit
                summary.done += 1
                summary.failed += stored.status == VerdictStatus.ERROR.value
                eta = engine_time / engine_cases * misses_left
                emit(CaseStored(run_id, stored, index, len(todo), False, eta))
        status = "cancelled" if summary.cancelled else "finished"
    except StoreError:
        status = "interrupted"  # the database failed (a full disk): resumable, nothing lost
        raise
    finally:
        try:
            flush()
        finally:
            store.set_run_status(run_id, status)
            summary.elapsed_s = time.monotonic() - started
    emit(SuiteEnded(summary))
    return summary
