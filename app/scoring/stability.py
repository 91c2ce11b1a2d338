"""Label stability: a case sampled k times, its majority label and how much the samples agree.

*Run ×k* classifies each case k times with seeds ``seed … seed+k-1`` (see
:func:`sample_seeds`). Per case the *prediction* of each sample is its whole answer as
:func:`app.scoring.outcome.answer_text` writes it (label, tier, both parts, escalate flag:
``INVALID DC2``), or the no-verdict column of its status, so "no verdict" can win a vote too
and two samples with the same label but different tiers do not count as agreeing. The
majority is the most frequent prediction, a tie going to the one the earliest sample gave; *agreement* is the share of samples with the majority; a case is *unstable*
when agreement is below the threshold (0.8 by default: 4 of 5 agree, 3 of 5 do not).

Metrics of a sampled run use the majority label (the majority run stores the first sample
that gave it) and add the share of unstable cases and a bootstrap 95% interval of accuracy
and F1 over cases (accuracy with right as :func:`app.scoring.outcome.judge` says, as in
:mod:`app.scoring.metrics`): cases are drawn with replacement ``rounds`` times with a seeded generator,
so the same run always gives the same interval.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from app.core import setting_limits as limits
from app.core.policy import OutputFormat
from app.core.records import StoredResult
from app.scoring.outcome import Outcome, answer_text, is_right, is_scored, scored_part
from app.scoring.stats import percentile

SAMPLE_COUNTS = limits.SAMPLE_COUNTS
UNSTABLE_BELOW = limits.UNSTABLE_BELOW.default


def sample_seeds(seed: int, k: int) -> list[int]:
    """The seeds of k samples: seed, seed+1, ..., seed+k-1 (sample 0 is the plain run)."""
    return [seed + index for index in range(k)]


@dataclass(frozen=True)
class CaseStability:
    case_id: str
    predictions: tuple[str, ...]  # one per sample, in sample order
    majority: str
    majority_sample: int  # the first sample that gave the majority
    agreement: float
    unstable: bool

    @property
    def votes(self) -> str:
        """The answers counted, most frequent first: "1 ×4, 0 ×1"."""
        counts = Counter(self.predictions).most_common()
        return ", ".join(f"{label} ×{count}" for label, count in counts)


def case_stability(
    case_id: str, predictions: list[str], threshold: float = UNSTABLE_BELOW
) -> CaseStability:
    """Majority, agreement and stability of one case's k sample predictions."""
    if not predictions:
        raise ValueError(f"Case {case_id} has no samples; run it first.")
    counts = Counter(predictions)
    best = max(counts.values())
    majority = next(p for p in predictions if counts[p] == best)  # ties: earliest sample
    agreement = best / len(predictions)
    return CaseStability(
        case_id=case_id,
        predictions=tuple(predictions),
        majority=majority,
        majority_sample=predictions.index(majority),
        agreement=agreement,
        unstable=agreement < threshold - 1e-12,
    )


def stabilities(
    samples: list[list[StoredResult]], threshold: float = UNSTABLE_BELOW
) -> dict[str, CaseStability]:
    """Stability per case from the results of each sample run (cases in all of them)."""
    by_case: dict[str, list[str]] = {}
    for results in samples:
        for result in results:
            by_case.setdefault(result.case_id, []).append(answer_text(result))
    complete = {cid: preds for cid, preds in by_case.items() if len(preds) == len(samples)}
    return {cid: case_stability(cid, preds, threshold) for cid, preds in complete.items()}


@dataclass(frozen=True)
class Interval:
    low: float | None
    high: float | None

    def text(self) -> str:
        if self.low is None or self.high is None:
            return "n/a"
        return f"{self.low:.3f}–{self.high:.3f}"


@dataclass(frozen=True)
class StabilitySummary:
    cases: int
    unstable: int
    share_unstable: float | None
    accuracy_ci: Interval
    f1_ci: Interval


def _binary_kind(outcome: Outcome, output: OutputFormat) -> str:
    """tp/fp/tn/fn for verdicts, mp/mn for no-verdicts (as app.scoring.metrics counts them),
    with "+" added when the case is right."""
    one = scored_part(outcome, output)
    positive = output.is_violating(output.label_of(one.expected) or "")
    right = "+" if is_right(outcome, output) else ""
    if one.status != "ok" or one.label is None:
        return ("mp" if positive else "mn") + right
    predicted = output.is_violating(one.label)
    return ("t" if predicted == positive else "f") + ("p" if predicted else "n") + right


def _accuracy_f1(kinds: Counter, n: int) -> tuple[float, float | None]:
    counts: Counter = Counter()
    for kind, count in kinds.items():
        counts[kind.rstrip("+")] += count
    tp, fp, fn, mp = counts["tp"], counts["fp"], counts["fn"], counts["mp"]
    accuracy = sum(count for kind, count in kinds.items() if kind.endswith("+")) / n
    if not tp + fp or not tp + fn + mp:
        return accuracy, None
    precision, recall = tp / (tp + fp), tp / (tp + fn + mp)
    return accuracy, (2 * precision * recall / (precision + recall) if tp else 0.0)


def bootstrap_intervals(
    outcomes: list[Outcome], output: OutputFormat, *, rounds: int = 1000, seed: int = 0
) -> tuple[Interval, Interval]:
    """95% bootstrap intervals of accuracy and F1 over the scored cases (seeded)."""
    graded = [o for o in outcomes if is_scored(o.expected, output)]
    kinds = [_binary_kind(o, output) for o in graded]
    if not kinds:
        return Interval(None, None), Interval(None, None)
    rng = random.Random(seed)
    accuracies: list[float] = []
    f1s: list[float] = []
    for _ in range(rounds):
        accuracy, f1 = _accuracy_f1(Counter(rng.choices(kinds, k=len(kinds))), len(kinds))
        accuracies.append(accuracy)
        if f1 is not None:
            f1s.append(f1)
    return _interval(accuracies), _interval(f1s)


def _interval(values: list[float]) -> Interval:
    """The 95% interval of bootstrap values (none without values)."""
    if not values:
        return Interval(None, None)
    ordered = sorted(values)
    return Interval(percentile(ordered, 0.025), percentile(ordered, 0.975))


def summarize(
    table: dict[str, CaseStability], outcomes: list[Outcome], output: OutputFormat
) -> StabilitySummary:
    """Share of unstable cases and the bootstrap intervals of the majority outcomes."""
    unstable = sum(s.unstable for s in table.values())
    accuracy_ci, f1_ci = bootstrap_intervals(outcomes, output)
    share = unstable / len(table) if table else None
    return StabilitySummary(len(table), unstable, share, accuracy_ci, f1_ci)
