"""Run a policy over a test set: cache, store each result at once, cancel and resume.

:func:`run_suite` works against the :class:`~app.engine.protocol.Engine` protocol only; the
caller loads the engine first. For each case the result cache key is computed
(:func:`app.core.fingerprint.result_cache_key`); a stored result under the same key is
copied into this run as *cached* and the engine is not called. Otherwise the engine's events
are iterated; the terminal one decides what is stored:

- ``Finished``: its verdict (a verdict with status ok but no ``violates`` gets it from the
  policy's output format);
- ``Failed``: an ERROR verdict carrying the message, never "does not violate";
- ``Cancelled``: nothing; the case was in flight and the run stops.

Every stored result is committed before the next case starts. ``cancel`` is checked between
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
from dataclasses import dataclass

from app.core.cases import TestCase
from app.core.fingerprint import ModelFingerprint, result_cache_key, settings_dict
from app.core.policy import Policy
from app.core.store import Store, StoredResult
from app.core.verdict import Verdict, VerdictStatus
from app.engine.protocol import (
    Cancelled,
    ClassifyRequest,
    ClassifyResult,
    Engine,
    Failed,
    Finished,
    RunSettings,
)

ORDERS = ("failed-first", "file")


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


@dataclass(frozen=True)
class SuiteEnded:
    summary: SuiteSummary


def order_cases(
    cases: list[TestCase], store: Store, order: str, cases_path: str = ""
) -> list[TestCase]:
    """``file``: as given. ``failed-first``: cases whose latest earlier result of the same
    test set was wrong or had no verdict first (stable), then the rest."""
    if order == "file":
        return list(cases)
    if order != "failed-first":
        raise ValueError(f"Unknown order '{order}'; use one of {', '.join(ORDERS)}.")
    latest = store.latest_results([c.id for c in cases], cases_path)
    failed = {cid for cid, r in latest.items() if not r.correct}
    return [c for c in cases if c.id in failed] + [c for c in cases if c.id not in failed]


def _stored(
    run_id: str, case: TestCase, key: str, result: ClassifyResult, policy: Policy
) -> StoredResult:
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
    )


def _error(run_id: str, case: TestCase, key: str, failed: Failed) -> StoredResult:
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


def run_suite(
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
) -> SuiteSummary:
    """Run ``cases`` under ``policy`` and return what happened (see the module notes)."""
    emit = on_event or (lambda _event: None)
    cancel = cancel or threading.Event()
    policy_hash = store.add_policy_version(policy.text, note, str(policy.path or ""))
    model_name = (
        model_fingerprint.name
        if isinstance(model_fingerprint, ModelFingerprint)
        else str(model_fingerprint)
    )
    settings = settings_dict(run_settings)
    if resume_run_id is None:
        run_id = store.create_run(
            policy_hash, model=model_name, settings=settings, cases_path=cases_path,
            total=len(cases),
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

    todo = [c for c in order_cases(cases, store, order, cases_path) if c.id not in done]
    summary = SuiteSummary(run_id, total=len(cases), resumed=len(cases) - len(todo))
    started = time.monotonic()
    engine_time, engine_cases = 0.0, 0
    emit(SuiteStarted(run_id, len(todo), summary.resumed))
    status = "failed"
    try:
        for index, case in enumerate(todo, start=1):
            if cancel.is_set():
                summary.cancelled = True
                break
            key = result_cache_key(
                model=model_fingerprint,
                template=template_hash,
                policy_text=policy.text,
                content=case.content,
                run=run_settings,
            )
            hit = store.lookup(key)
            stored: StoredResult | None = None
            if hit is not None:
                hit.run_id, hit.case_id, hit.cached, hit.created = run_id, case.id, True, 0.0
                hit.expected, hit.tags = case.expected, list(case.tags)
                stored = hit
            else:
                case_start = time.monotonic()
                request = ClassifyRequest(
                    case.id, policy.body, case.content, run_settings, policy.output
                )
                cancel_sent = False
                for event in engine.classify(request):
                    if cancel.is_set() and not cancel_sent:
                        engine.cancel()
                        cancel_sent = True
                    if isinstance(event, Finished):
                        stored = _stored(run_id, case, key, event.result, policy)
                    elif isinstance(event, Failed):
                        stored = _error(run_id, case, key, event)
                    elif not isinstance(event, Cancelled):
                        emit(event)
                        continue
                    break
                engine_time += time.monotonic() - case_start
                engine_cases += 1
            if stored is None:  # cancelled in flight, or an engine that ended silently
                summary.cancelled = cancel.is_set()
                if summary.cancelled:
                    break
                stored = _error(run_id, case, key, Failed(case.id, "The engine gave no result."))
            store.add_result(stored)
            summary.done += 1
            summary.cached += stored.cached
            summary.failed += stored.status == VerdictStatus.ERROR.value
            left = len(todo) - index
            eta = engine_time / engine_cases * left if engine_cases else (0.0 if not left else None)
            emit(CaseStored(run_id, stored, index, len(todo), stored.cached, eta))
        status = "cancelled" if summary.cancelled else "finished"
    finally:
        store.set_run_status(run_id, status)
        summary.elapsed_s = time.monotonic() - started
    emit(SuiteEnded(summary))
    return summary
