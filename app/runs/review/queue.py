"""Which answers of a run a person reviews, and in what order (the review queue).

Sampling (all seeded, so the same choice gives the same queue):

* ``all`` — every stored answer, in the run's order;
* ``random`` — a random share of them;
* ``stratified`` — the same share of each predicted label or tier (at least one each);
* ``unstable`` — the least stable first (agreement of the k samples of *Run ×k*);
* ``contradicts`` — answers whose reasoning concludes the opposite first.

``share`` (0–1] keeps that part of the ordered list. **Gold items**: ``gold_share`` of the
queue's length is drawn from the run's cases with a known expected label and mixed in at
random places, unmarked on screen; their review measures the reviewer, not the model.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from app.core.policy import OutputFormat
from app.core.records import StoredResult
from app.runs.stored.analysis import sample_results
from app.scoring.stability import stabilities
from app.scoring.triage import contradicts
from app.store import Store

SAMPLINGS = ("all", "random", "stratified", "unstable", "contradicts")
SAMPLING_NAMES = {
    "all": "All answers",
    "random": "A random share",
    "stratified": "A share of each label",
    "unstable": "Least stable first",
    "contradicts": "Reasoning contradicts answer first",
}


@dataclass(frozen=True)
class QueueItem:
    result: StoredResult
    gold: str = ""  # the known label of a gold item ('' for an ordinary item)

    @property
    def case_id(self) -> str:
        return self.result.case_id


def model_choice(result: StoredResult, output: OutputFormat) -> str:
    """The model's answer as a reviewer's choice: its tier for a tiered policy, else its
    label; '' when it gave no verdict."""
    if result.status != "ok" or not result.label:
        return ""
    if output.tiers:
        return result.tier or output.tier_of_label(result.label) or result.label
    return result.label


def _take(results: list[StoredResult], share: float) -> list[StoredResult]:
    count = max(1, round(share * len(results))) if results else 0
    return results[:count]


def _stability_order(store: Store, run_id: str, results: list[StoredResult]) -> list:
    samples = sample_results(store, run_id)
    table = stabilities(samples) if samples else {}
    return sorted(results, key=lambda r: table[r.case_id].agreement if r.case_id in table else 1.0)


def _stratified(
    results: list[StoredResult], output: OutputFormat, share: float, rng: random.Random
) -> list[StoredResult]:
    groups: dict[str, list[StoredResult]] = {}
    for result in results:
        groups.setdefault(model_choice(result, output), []).append(result)
    chosen = {
        r.case_id
        for group in groups.values()
        for r in rng.sample(group, max(1, round(share * len(group))))
    }
    return [r for r in results if r.case_id in chosen]


def ordered_results(
    store: Store,
    run_id: str,
    output: OutputFormat,
    sampling: str = "all",
    share: float = 1.0,
    seed: int = 0,
    results: list[StoredResult] | None = None,
) -> list[StoredResult]:
    """The run's answers a queue holds, in queue order, before gold items (``results``: the
    run's results when already read)."""
    if sampling not in SAMPLINGS:
        raise ValueError(f"Unknown sampling '{sampling}'; use one of {', '.join(SAMPLINGS)}.")
    if not 0 < share <= 1:
        raise ValueError("The share to review must be above 0 and at most 1 (100%).")
    results = store.results(run_id) if results is None else results
    rng = random.Random(seed)
    if sampling == "random":
        chosen = {r.case_id for r in rng.sample(results, len(_take(results, share)))}
        return [r for r in results if r.case_id in chosen]
    if sampling == "stratified":
        return _stratified(results, output, share, rng)
    if sampling == "unstable":
        return _take(_stability_order(store, run_id, results), share)
    if sampling == "contradicts":
        rank = {True: 0, None: 1, False: 2}
        return _take(sorted(results, key=lambda r: rank[contradicts(r, output)]), share)
    return _take(results, share)


def build_queue(
    store: Store,
    run_id: str,
    output: OutputFormat,
    *,
    sampling: str = "all",
    share: float = 1.0,
    seed: int = 0,
    gold_share: float = 0.0,
    results: list[StoredResult] | None = None,
) -> list[QueueItem]:
    """The review queue of a run (see the module notes; ``results``: the run's results when
    already read, :func:`app.runs.stored.history.stored_run`)."""
    if not 0 <= gold_share < 1:
        raise ValueError("The share of gold items must be at least 0 and below 1.")
    results = store.results(run_id) if results is None else results
    ordered = ordered_results(store, run_id, output, sampling, share, seed, results)
    queue = [QueueItem(result) for result in ordered]
    if not gold_share or not queue:
        return queue
    rng = random.Random(seed + 1)
    known = [r for r in results if output.label_of(r.expected or "") is not None]
    count = min(len(known), max(1, round(gold_share * len(queue))))
    for result in rng.sample(known, count):
        gold = QueueItem(result, gold=result.expected)
        queue = [item for item in queue if item.case_id != result.case_id]
        queue.insert(rng.randrange(len(queue) + 1), gold)
    return queue
