"""Run ×k on an engine that decodes several sequences at once: the k samples of a case
go to the engine together.

The local engine's ``classify_many`` evaluates a prompt once and copies the sequence when
several requests carry the same prompt with other seeds, so the k samples of one case cost
about one prompt evaluation. :func:`run_samples_together` therefore makes the k sample runs
itself, looks every (case, seed) up in the result cache, and sends the misses in case-major
order (``c1`` seeds 0…k-1, then ``c2``…) in one ``classify_many`` call; each result is
stored in its sample run the moment it lands. Request ids are ``{case id}\\x1f{sample}``;
the engine's streaming events of those ids are not forwarded (no view shows a sample live).
Samples during which the engine process died are tried again one at a time on a fresh
process (:func:`~app.runs.suite_results.classify_case`); a second crash is an error sample.
"""

from __future__ import annotations

import dataclasses
import threading

from app.core.cases import TestCase, model_content
from app.core.fingerprint import ModelFingerprint, cache_key_factory, settings_dict
from app.core.policy import Policy
from app.core.records import StoredResult
from app.core.run_types import Cancelled, ClassifyRequest, Failed, Finished, RunSettings
from app.core.verdict import VerdictStatus
from app.engine.protocol import Engine
from app.runs.backend import recorded_model
from app.runs.samples_progress import SamplesProgress
from app.runs.suite_results import (
    SuiteSummary,
    cached_result,
    classify_case,
    terminal_result,
)
from app.store import Store

SEPARATOR = "\x1f"
MAX_TOGETHER = 5  # sequences of one context: k = 10 goes in two waves of five


def run_samples_together(  # noqa: C901 (on the shrinking list)
    engine: Engine,
    policy: Policy,
    cases: list[TestCase],
    seeds: list[int],
    run_settings: RunSettings,
    *,
    store: Store,
    model_fingerprint: ModelFingerprint | str,
    template_hash: str,
    cancel: threading.Event,
    progress: SamplesProgress,
    cases_path: str = "",
    note: str = "",
    concurrency: int = 1,
) -> list[SuiteSummary]:
    """One sample run per seed, filled from the cache and one ``classify_many`` call."""
    policy_hash = store.add_policy_version(policy.text, note, str(policy.path or ""))
    runs: list[tuple[str, RunSettings]] = []
    keys: dict[tuple[str, int], str] = {}
    for index, seed in enumerate(seeds):
        settings = dataclasses.replace(run_settings, seed=seed)
        run_id = store.create_run(
            policy_hash, model=recorded_model(model_fingerprint), settings=settings_dict(settings),
            cases_path=cases_path, total=len(cases), kind="sample",
        )  # fmt: skip
        runs.append((run_id, settings))
        make_key = cache_key_factory(
            model=model_fingerprint, template=template_hash, policy_text=policy.text, run=settings
        )
        keys.update(((case.id, index), make_key(model_content(case))) for case in cases)
    summaries = [SuiteSummary(run_id, total=len(cases)) for run_id, _ in runs]
    hits = store.lookup_many(list(keys.values()))
    misses: dict[str, tuple[TestCase, int, str]] = {}
    progress.start(runs[0][0])  # progress counts every (case, sample), the cached ones too
    for index, (run_id, _) in enumerate(runs):
        cached = [cached_result(hits[keys[(c.id, index)]], run_id, c) for c in cases
                  if keys[(c.id, index)] in hits]  # fmt: skip
        store.add_results(cached)
        summaries[index].done = summaries[index].cached = len(cached)
        for stored in cached:
            progress.stored(run_id, stored, True)
    for case in cases:  # case-major: the k samples of a case sit next to each other
        for index in range(len(seeds)):
            if keys[(case.id, index)] not in hits:
                misses[f"{case.id}{SEPARATOR}{index}"] = (case, index, keys[(case.id, index)])
    requests = [
        ClassifyRequest(rid, policy.body, model_content(case), runs[index][1], policy.output)
        for rid, (case, index, _) in misses.items()
    ]
    cancel_sent = False
    crashed: list[ClassifyRequest] = []  # the engine process died in them: tried again below

    def keep(request_id: str, stored: StoredResult) -> None:
        index = misses[request_id][1]
        store.add_result(stored)
        summaries[index].done += 1
        summaries[index].failed += stored.status == VerdictStatus.ERROR.value
        progress.stored(runs[index][0], stored, False)

    if requests:
        together = max(concurrency, min(len(seeds), MAX_TOGETHER))
        by_id = {request.case_id: request for request in requests}
        for event in engine.classify_many(requests, together):
            if cancel.is_set() and not cancel_sent:
                engine.cancel()
                cancel_sent = True
            if isinstance(event, Cancelled):
                summaries[misses[event.case_id][1]].cancelled = True
            if not isinstance(event, (Finished, Failed)):
                continue
            request_id = event.result.case_id if isinstance(event, Finished) else event.case_id
            if isinstance(event, Failed) and event.kind == "crash":
                crashed.append(by_id[request_id])
                continue
            case, index, key = misses[request_id]
            keep(request_id, terminal_result(runs[index][0], case, key, event, policy))
    for request in crashed:  # one at a time, on a fresh process: a second crash is an error
        if cancel.is_set():
            break
        case, index, key = misses[request.case_id]
        stored = classify_case(
            engine, runs[index][0], case, key, policy, request, cancel, lambda _e: None,
            crashed_before=True,
        )  # fmt: skip
        if stored is None:
            break
        keep(request.case_id, stored)
    stopped = cancel.is_set() or any(s.cancelled for s in summaries)
    for summary in summaries:
        summary.cancelled = stopped
        store.set_run_status(summary.run_id, "cancelled" if stopped else "finished")
    return summaries
