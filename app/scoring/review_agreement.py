"""Agreement figures of a reviewed run: reviewers against the model, and against each other.

*Reviewer vs model* pairs each review that chose a label with the model's label at the time
(gold items included, skipped and unsure ones not): accuracy (the share the reviewer
accepted), Cohen's κ, and the same per model label and per rule the model cited, worst
first ("the model and analysts disagree most on SP2.b"). *Between reviewers*: the cases
two or more people labelled — Cohen's κ of the first two, Krippendorff's α (nominal, and
ordinal over the policy's tiers when it has them) and Gwet's AC1. *Gold*: each reviewer's
accuracy on the gold items. Every figure has a seeded 95% bootstrap interval.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from app.core.policy import OutputFormat
from app.core.reviews import Review, review_choices
from app.scoring.agreement import (
    bootstrap_interval,
    cohen_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
)
from app.scoring.metrics import format_ratio

ROUNDS = 500


@dataclass(frozen=True)
class Figure:
    """A statistic with its 95% interval and the number of units behind it."""

    value: float | None
    low: float | None = None
    high: float | None = None
    n: int = 0

    def text(self) -> str:
        if self.value is None:
            return "n/a"
        return f"{format_ratio(self.value)} [{format_ratio(self.low)}–{format_ratio(self.high)}]"

    def to_dict(self) -> dict:
        return {"value": self.value, "low": self.low, "high": self.high, "n": self.n}


@dataclass(frozen=True)
class Breakdown:
    """Agreement on one model label or one cited rule."""

    key: str
    n: int
    agreed: int

    @property
    def share(self) -> float:
        return self.agreed / self.n if self.n else 0.0


@dataclass
class ReviewAgreement:
    reviewed: int = 0
    corrected: int = 0
    accuracy: Figure = field(default_factory=lambda: Figure(None))
    kappa: Figure = field(default_factory=lambda: Figure(None))
    per_label: list[Breakdown] = field(default_factory=list)
    per_rule: list[Breakdown] = field(default_factory=list)
    reviewers: list[str] = field(default_factory=list)
    between: dict[str, Figure] = field(default_factory=dict)  # kappa, alpha, alpha_ordinal, ac1
    gold: dict[str, Figure] = field(default_factory=dict)  # reviewer -> accuracy on gold items

    def worst(self) -> Breakdown | None:
        """Where the model and reviewers disagree most: the first rule with an answer not
        accepted, else the first such model label."""
        for rows in (self.per_rule, self.per_label):
            worst = [b for b in rows if b.agreed < b.n]
            if worst:
                return worst[0]
        return None

    def lines(self) -> list[str]:
        """The figures as plain lines (the window's tab and the CLI print these)."""
        out = [
            f"{self.reviewed} reviewed, {self.corrected} corrected",
            f"reviewer vs model: accuracy {self.accuracy.text()}, κ {self.kappa.text()}",
        ]
        worst = self.worst()
        if worst is not None:
            out.append(f"the model and reviewers disagree most on {worst.key}")
        out += [f"label {b.key}: {b.agreed} of {b.n} accepted" for b in self.per_label]
        out += [f"rule {b.key}: {b.agreed} of {b.n} accepted" for b in self.per_rule]
        out += [f"between reviewers, {name}: {fig.text()}" for name, fig in self.between.items()]
        out += [f"gold items, {who}: accuracy {fig.text()}" for who, fig in self.gold.items()]
        return out

    def to_dict(self) -> dict:
        return {
            "reviewed": self.reviewed,
            "corrected": self.corrected,
            "accuracy": self.accuracy.to_dict(),
            "kappa": self.kappa.to_dict(),
            "per_label": [b.__dict__ for b in self.per_label],
            "per_rule": [b.__dict__ for b in self.per_rule],
            "reviewers": self.reviewers,
            "between": {name: fig.to_dict() for name, fig in self.between.items()},
            "gold": {who: fig.to_dict() for who, fig in self.gold.items()},
        }


def _share(units: list) -> float | None:
    return sum(a == b for a, b in units) / len(units) if units else None


def figure(statistic, units: list, seed: int = 0) -> Figure:  # noqa: ANN001
    low, high = bootstrap_interval(statistic, units, rounds=ROUNDS, seed=seed)
    return Figure(statistic(units), low, high, len(units))


def _breakdown(pairs: list[tuple[str, bool]]) -> list[Breakdown]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for key, agreed in pairs:
        counts[key][0] += 1
        counts[key][1] += agreed
    rows = [Breakdown(key, n, agreed) for key, (n, agreed) in counts.items()]
    return sorted(rows, key=lambda b: (b.share, -b.n, b.key))


def _between(labelled: list[Review], output: OutputFormat) -> tuple[list[str], dict]:
    reviewers = sorted({r.reviewer for r in labelled})
    by_case: dict[str, dict[str, str]] = defaultdict(dict)
    for review in labelled:
        by_case[review.case_id][review.reviewer] = review.label
    units = [
        [labels.get(who) for who in reviewers] for labels in by_case.values() if len(labels) >= 2
    ]
    if len(reviewers) < 2 or not units:
        return reviewers, {}
    choices = review_choices(output)
    between = {
        "agreement": figure(percent_agreement, units),
        "kappa": figure(cohen_kappa, units),
        "alpha": figure(krippendorff_alpha, units),
        "ac1": figure(lambda u: gwet_ac1(u, choices), units),
    }
    if output.tiers:
        tiers = list(output.tiers)
        between["alpha_ordinal"] = figure(lambda u: krippendorff_alpha(u, "ordinal", tiers), units)
    return reviewers, between


def review_agreement(
    reviews: list[Review], output: OutputFormat, rules: dict[str, list[str]] | None = None
) -> ReviewAgreement:
    """The figures of a run's reviews; ``rules`` maps a case id to the rules the model cited."""
    labelled = [r for r in reviews if r.state == "done" and r.label]
    pairs = [(r.label, r.model_label) for r in labelled]
    summary = ReviewAgreement(
        reviewed=sum(r.state != "skip" for r in reviews),
        corrected=sum(r.corrected for r in reviews),
        accuracy=figure(_share, pairs),
        kappa=figure(cohen_kappa, pairs),
        per_label=_breakdown(
            [(r.model_label or "(no verdict)", not r.corrected) for r in labelled]
        ),
        per_rule=_breakdown(
            [(code, not r.corrected) for r in labelled for code in (rules or {}).get(r.case_id, [])]
        ),
    )
    summary.reviewers, summary.between = _between(labelled, output)
    for who in summary.reviewers:
        gold = [(r.label, r.gold) for r in labelled if r.reviewer == who and r.gold]
        if gold:
            summary.gold[who] = figure(_share, gold)
    return summary
