"""Severity-tier metrics and two-label scoring (see the notes in :mod:`app.scoring.metrics`).

``tier_metrics`` builds the tier confusion matrix, the tier accuracy and the share of
verdicts off by exactly one tier (the published guidance says "if unclear, downgrade
severity by 1", so an off-by-one answer is a near miss worth telling apart).
``ConfusionMatrix`` (expected rows x predicted columns with the case ids of each cell) serves
both the label matrix of :mod:`app.scoring.metrics` and the tier matrix. Outcomes come in as
their scored part (:func:`app.scoring.outcome.scored_part`); a tier is exact when the verdict's
tier is the expected tier, which is how :func:`app.scoring.outcome.judge` compares tiers (an
expected escalation is judged there and in ``accuracy``, not in the tier matrix).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.policy import OutputFormat
from app.core.verdict import VerdictStatus
from app.scoring.outcome import Outcome

NO_TIER = "<no tier>"
_STATUS_COLUMNS = {
    VerdictStatus.NO_VERDICT.value: "<no verdict>",
    VerdictStatus.UNPARSABLE.value: "<unparsable>",
    VerdictStatus.ERROR.value: "<error>",
}


@dataclass
class ConfusionMatrix:
    """Counts of expected (rows) x predicted (columns, then the no-verdict columns)."""

    rows: list[str]
    columns: list[str]
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    case_ids: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def cell(self, expected: str, predicted: str) -> int:
        return self.counts.get((expected, predicted), 0)

    def matrix(self) -> list[list[int]]:
        return [[self.cell(r, c) for c in self.columns] for r in self.rows]

    def add(self, expected: str, predicted: str, case_id: str) -> None:
        key = (expected, predicted)
        self.counts[key] = self.counts.get(key, 0) + 1
        self.case_ids.setdefault(key, []).append(case_id)


@dataclass
class TierMetrics:
    """Tier-level results over the scored cases whose expected label is a tier."""

    # rows: expected tiers, mildest first; columns: tiers, <no tier>, then the no-verdicts
    confusion: ConfusionMatrix
    scored: int = 0  # cases expecting a tier
    exact: int = 0  # verdicts giving exactly the expected tier
    with_tier: int = 0  # verdicts that gave a tier
    off_by_one: int = 0  # verdicts one tier away from the expected one
    accuracy: float | None = None  # exact / scored
    off_by_one_share: float | None = None  # off_by_one / with_tier

    def cell(self, expected: str, predicted: str) -> int:
        return self.confusion.cell(expected, predicted)

    def summary(self) -> str:
        """One line: tier accuracy and the off-by-one share, with their counts."""
        accuracy = "n/a" if self.accuracy is None else f"{self.accuracy:.3f}"
        share = "n/a" if self.off_by_one_share is None else f"{self.off_by_one_share:.3f}"
        return (
            f"tier accuracy {accuracy} ({self.exact} of {self.scored}) · off by one tier "
            f"{share} ({self.off_by_one} of {self.with_tier} verdicts with a tier)"
        )

    def to_dict(self) -> dict:
        return {
            "rows": self.confusion.rows,
            "columns": self.confusion.columns,
            "matrix": self.confusion.matrix(),
            "scored": self.scored,
            "exact": self.exact,
            "with_tier": self.with_tier,
            "off_by_one": self.off_by_one,
            "accuracy": self.accuracy,
            "off_by_one_share": self.off_by_one_share,
        }


def tier_metrics(outcomes: list[Outcome], output: OutputFormat) -> TierMetrics | None:
    """Tier metrics over outcomes expecting a tier of ``output``; None when there are none."""
    tiered = [o for o in outcomes if o.expected in output.tiers]
    if not tiered:
        return None
    order = {tier: index for index, tier in enumerate(output.tiers)}
    columns = [*output.tiers, NO_TIER, *_STATUS_COLUMNS.values()]
    metrics = TierMetrics(ConfusionMatrix(list(output.tiers), columns), scored=len(tiered))
    for o in tiered:
        if o.status != VerdictStatus.OK.value or o.label is None:
            column = _STATUS_COLUMNS.get(o.status, "<error>")
        elif o.tier in order:
            column = o.tier
            metrics.with_tier += 1
            metrics.exact += o.tier == o.expected
            metrics.off_by_one += abs(order[o.tier] - order[o.expected]) == 1
        else:
            column = NO_TIER
        metrics.confusion.add(o.expected, column, o.case_id)
    metrics.accuracy = metrics.exact / metrics.scored
    if metrics.with_tier:
        metrics.off_by_one_share = metrics.off_by_one / metrics.with_tier
    return metrics
