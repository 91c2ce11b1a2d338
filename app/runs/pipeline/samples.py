"""*Run ×k*: every case sampled k times, and a majority run over the samples.

Sample j runs the suite with seed ``seed + j`` as an ordinary run of its own: the result
cache key holds the seed, so each sample is cached apart and k = 5 after k = 3 runs only the
two new seeds (:func:`app.runs.pipeline.suite.run_suite` finds the first three in the cache). Then
a *majority run* is stored: per case the first sample whose answer is the majority (see
:mod:`app.scoring.stability`), its settings carrying ``samples: k``, and the sample runs linked
to it (``run_samples``), so metrics, reports and comparisons read the majority run like any
other while the stability views read the samples behind it.

An engine that decodes several sequences at once gets the k samples of each case together
(:mod:`app.runs.pipeline.samples_batch`: one prompt evaluation, copied); others run one sample run
after the other. Progress is the whole run's (:mod:`app.runs.pipeline.samples_progress`): one
``SuiteStarted`` with total = cases × k and every sample result counted against it. The
majority rows are announced as ``CaseStored`` (cached, at the full count) at the end, so
a view of the cases shows the majority. A cancelled or failed sample ends the whole run there; the samples stored so far stay in the
cache, so running again costs only what is missing.

A sample whose run failed (an error: a server failure, a crash) does not vote: the majority
and the agreement are over the samples that gave an answer (a case with no such sample keeps
its first error as its row), and :attr:`SamplesSummary.errors` lists the failed samples so
that the caller says so and does not pass the run.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from app.core.records import StoredResult
from app.engine.protocol import can_batch
from app.runs.pipeline.inputs import SuiteInputs
from app.runs.pipeline.results import CaseStored, SuiteSummary
from app.runs.pipeline.samples_batch import run_samples_together
from app.runs.pipeline.samples_progress import SamplesProgress
from app.runs.pipeline.suite import run_suite
from app.scoring.outcome import answer_text
from app.scoring.stability import UNSTABLE_BELOW, CaseStability, case_stability, sample_seeds


@dataclass
class SamplesSummary:
    run_id: str  # the majority run ("" when a sample was cancelled)
    k: int
    samples: list[SuiteSummary] = field(default_factory=list)
    stability: dict[str, CaseStability] = field(default_factory=dict)
    cancelled: bool = False
    errors: list[StoredResult] = field(default_factory=list)  # failed samples: no vote

    @property
    def cached(self) -> int:
        return sum(s.cached for s in self.samples)

    def suite_summary(self, cases: int) -> SuiteSummary:
        """The majority run as one suite summary (cached and failed summed over samples)."""
        failed = sum(s.failed for s in self.samples)
        elapsed = sum(s.elapsed_s for s in self.samples)
        return SuiteSummary(self.run_id, cases, cases, self.cached, failed, elapsed_s=elapsed)


def run_samples(
    inputs: SuiteInputs, k: int, *, threshold: float = UNSTABLE_BELOW
) -> SamplesSummary:
    """Sample each case k times (seeds seed…seed+k-1) and store the majority run."""
    if k < 1:
        raise ValueError("The number of samples must be at least 1; use 3, 5 or 10.")
    summary = SamplesSummary("", k)
    seeds = sample_seeds(inputs.run_settings.seed, k)
    progress = SamplesProgress(inputs.on_event, len(inputs.cases) * k)
    engine, engine_factory = inputs.engine, inputs.engine_factory
    if can_batch(engine) and engine_factory is None:
        summary.samples = run_samples_together(inputs, seeds, progress)
    else:
        summary.samples = _one_after_another(inputs, seeds, progress)
    summary.cancelled = any(s.cancelled for s in summary.samples)
    if not summary.cancelled:
        _store_majority(inputs, summary, seeds, threshold, progress)
    return summary


def _one_after_another(
    inputs: SuiteInputs, seeds: list[int], progress: SamplesProgress
) -> list[SuiteSummary]:
    """One ordinary suite run per seed, in file order, until one is cancelled."""
    samples: list[SuiteSummary] = []
    for seed in seeds:
        settings = dataclasses.replace(inputs.run_settings, seed=seed)
        sample_inputs = dataclasses.replace(
            inputs, run_settings=settings, on_event=progress.forward
        )
        sample = run_suite(sample_inputs, order="file", kind="sample")
        samples.append(sample)
        if sample.cancelled:
            break
    return samples


def _store_majority(
    inputs: SuiteInputs,
    summary: SamplesSummary,
    seeds: list[int],
    threshold: float,
    progress: SamplesProgress,
) -> None:
    """The majority run over the sample runs, linked to them, and its rows announced."""
    store = inputs.store
    results = [store.results(s.run_id) for s in summary.samples]
    chosen, summary.stability = vote(results, threshold)
    summary.errors = [r for rows in results for r in rows if r.status == "error"]
    run_id = inputs.create_run(
        inputs.policy_version(), inputs.run_settings, "suite", samples=summary.k
    )
    for index, sample in enumerate(summary.samples):
        store.link_sample_run(run_id, index, seeds[index], sample.run_id)
    majority = [dataclasses.replace(r, run_id=run_id, created=0.0) for r in chosen]
    store.add_results(majority)
    store.set_run_status(run_id, "finished")
    for result in majority:  # the case table shows the majority; the count stays full
        inputs.on_event(CaseStored(run_id, result, progress.total, progress.total, True, 0.0))
    summary.run_id = run_id


def vote(
    samples: list[list[StoredResult]], threshold: float = UNSTABLE_BELOW
) -> tuple[list[StoredResult], dict[str, CaseStability]]:
    """Per case (in the first sample's order) the row of the majority run and its stability:
    the majority of the samples that did not fail (an error does not vote), each counted by
    its whole answer (:func:`app.scoring.outcome.answer_text`, as the stability views count
    it: the same label under another tier is another answer); a case whose every sample
    failed keeps its first error and has no stability."""
    by_sample = [{r.case_id: r for r in results} for results in samples]
    chosen: list[StoredResult] = []
    table: dict[str, CaseStability] = {}
    for first in samples[0] if samples else []:
        rows = [rows[first.case_id] for rows in by_sample if first.case_id in rows]
        voting = [row for row in rows if row.status != "error"]
        if not voting:
            chosen.append(rows[0])
            continue
        counted = case_stability(first.case_id, [answer_text(r) for r in voting], threshold)
        every = tuple(answer_text(row) for row in rows)
        table[first.case_id] = dataclasses.replace(
            counted, predictions=every, majority_sample=every.index(counted.majority)
        )
        chosen.append(voting[counted.majority_sample])
    return chosen, table
