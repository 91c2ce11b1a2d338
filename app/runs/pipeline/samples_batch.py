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
process (:func:`~app.runs.pipeline.results.classify_case`); a second crash is an error sample.
"""

from __future__ import annotations

import dataclasses
import threading

from app.core.cases import TestCase, model_content
from app.core.records import StoredResult
from app.core.run_types import Cancelled, ClassifyRequest, Failed, Finished
from app.runs.pipeline.inputs import SuiteInputs
from app.runs.pipeline.results import (
    SuiteSummary,
    cached_result,
    cancel_once,
    classify_case,
    is_crash,
    terminal_id,
    terminal_result,
)
from app.runs.pipeline.samples_progress import SamplesProgress

SEPARATOR = "\x1f"
MAX_TOGETHER = 5  # sequences of one context: k = 10 goes in two waves of five

Misses = dict[str, tuple[TestCase, int, str]]  # request id -> case, sample, cache key


def run_samples_together(
    inputs: SuiteInputs, seeds: list[int], progress: SamplesProgress
) -> list[SuiteSummary]:
    """One sample run per seed, filled from the cache and one ``classify_many`` call."""
    runs = _SampleRuns(inputs, seeds, progress)
    hits = inputs.store.lookup_many(list(runs.keys.values()))
    progress.start(runs.run_id(0))  # progress counts every (case, sample), the cached ones too
    runs.store_hits(hits)
    misses = runs.misses(hits)
    crashed = _classify_together(inputs, runs, misses)
    _retry_crashed(inputs, runs, misses, crashed)
    return runs.finish(inputs.cancel)


class _SampleRuns:
    """The k sample runs in the store (one per seed), their cache keys and summaries."""

    def __init__(self, inputs: SuiteInputs, seeds: list[int], progress: SamplesProgress):
        self._inputs, self._progress = inputs, progress
        policy_hash = inputs.policy_version()
        self.settings = [dataclasses.replace(inputs.run_settings, seed=seed) for seed in seeds]
        self.summaries: list[SuiteSummary] = []
        self.keys: dict[tuple[str, int], str] = {}  # (case id, sample) -> cache key
        for index, settings in enumerate(self.settings):
            run_id = inputs.create_run(policy_hash, settings, "sample")
            self.summaries.append(SuiteSummary(run_id, total=len(inputs.cases)))
            make_key = inputs.cache_keys(settings)
            self.keys.update(((c.id, index), make_key(model_content(c))) for c in inputs.cases)

    def run_id(self, index: int) -> str:
        return self.summaries[index].run_id

    def store_hits(self, hits: dict[str, StoredResult]) -> None:
        """Every sample's cache hits, stored (one transaction per sample) and counted."""
        cases, keys = self._inputs.cases, self.keys
        for index, summary in enumerate(self.summaries):
            cached = [cached_result(hits[keys[(c.id, index)]], summary.run_id, c) for c in cases
                      if keys[(c.id, index)] in hits]  # fmt: skip
            self._inputs.store.add_results(cached)
            summary.done = summary.cached = len(cached)
            for stored in cached:
                self._progress.stored(summary.run_id, stored, True)

    def misses(self, hits: dict[str, StoredResult]) -> Misses:
        """The (case, sample) pairs not in the cache, case-major: the k samples of a case
        sit next to each other."""
        misses: Misses = {}
        for case in self._inputs.cases:
            for index in range(len(self.settings)):
                key = self.keys[(case.id, index)]
                if key not in hits:
                    misses[f"{case.id}{SEPARATOR}{index}"] = (case, index, key)
        return misses

    def keep(self, index: int, stored: StoredResult) -> None:
        """One sample result from the engine, stored in its sample run and counted."""
        summary = self.summaries[index]
        self._inputs.store.add_result(stored)
        summary.count(stored)
        self._progress.stored(summary.run_id, stored, False)

    def finish(self, cancel: threading.Event) -> list[SuiteSummary]:
        """Every sample run ends alike: cancelled when any was, else finished."""
        stopped = cancel.is_set() or any(s.cancelled for s in self.summaries)
        for summary in self.summaries:
            summary.cancelled = stopped
            self._inputs.store.set_run_status(
                summary.run_id, "cancelled" if stopped else "finished"
            )
        return self.summaries


def _classify_together(
    inputs: SuiteInputs, runs: _SampleRuns, misses: Misses
) -> list[ClassifyRequest]:
    """The misses in one ``classify_many`` call, each result stored as it lands; returns
    the requests during which the engine process died (tried again one at a time)."""
    requests = [
        inputs.request(case, runs.settings[index], request_id)
        for request_id, (case, index, _) in misses.items()
    ]
    crashed: list[ClassifyRequest] = []
    if not requests:
        return crashed
    engine = inputs.engine
    together = max(inputs.concurrency, min(len(runs.settings), MAX_TOGETHER))
    by_id = {request.case_id: request for request in requests}
    events = engine.classify_many(requests, together)
    for event in cancel_once(events, engine, inputs.cancel):
        if isinstance(event, Cancelled):
            runs.summaries[misses[event.case_id][1]].cancelled = True
        if not isinstance(event, (Finished, Failed)):
            continue
        request_id = terminal_id(event)
        if is_crash(event):
            crashed.append(by_id[request_id])
            continue
        case, index, key = misses[request_id]
        runs.keep(index, terminal_result(runs.run_id(index), case, key, event, inputs.policy))
    return crashed


def _retry_crashed(
    inputs: SuiteInputs, runs: _SampleRuns, misses: Misses, crashed: list[ClassifyRequest]
) -> None:
    """Samples during which the engine died, one at a time on a fresh process: a second
    crash is an error sample; a cancel stops here."""
    for request in crashed:
        if inputs.cancel.is_set():
            break
        case, index, key = misses[request.case_id]
        stored = classify_case(
            inputs.engine, runs.run_id(index), case, key, inputs.policy, request, inputs.cancel,
            lambda _e: None, crashed_before=True,
        )  # fmt: skip
        if stored is None:
            break
        runs.keep(index, stored)
