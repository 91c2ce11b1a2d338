"""Metrics of a run against the expected labels: binary "violates", per class, confusion, tags.

Definitions (pinned by tests/test_metrics.py):

- Right, wrong and unscored come from :mod:`app.scoring.outcome`, the one definition every
  view uses (tiers, two-label pairs, escalation and plain labels alike). A case is *scored*
  when its expected value is a label or a tier of the policy; others (no or stale expected
  value) are counted in ``unscored`` and left out of every metric below.
- A *verdict* is a result with status ``ok``. ``no_verdict``, ``unparsable`` and ``error``
  are *no-verdict* results: counted apart, never read as "does not violate", always wrong.
- **accuracy = right / scored**, right as :func:`app.scoring.outcome.judge` says. So for two
  runs over the same cases, accuracy(A) − accuracy(B) = (right only in A − right only in
  B) / scored, the counts the flip report and *Compare runs* show. On a plain binary policy
  it is (TP + TN) / scored, as before; on a tiered set an answer with the right label and
  the wrong tier is wrong.
- Binary "violates" view: positive = violates, through ``OutputFormat.is_violating`` for
  both the expected and the predicted label (so a multi-class policy gets binary metrics
  too; an expected tier reads as its label, ``DC2`` -> INVALID). TP, FP, TN, FN count
  verdicts only; ``missed_positive`` / ``missed_negative`` count no-verdict results on
  violating / non-violating cases.
- violation_accuracy = (TP + TN) / scored: right about "violates or not", tier aside.
- precision = TP / (TP + FP): a no-verdict predicts nothing, so it is not in the denominator.
- recall = TP / (TP + FN + missed_positive): a violating case without a verdict was not
  caught, so it stays in the denominator.
- F1 = 2PR / (P + R). coverage = verdicts / scored.
- Any ratio with a zero denominator is ``None`` (shown as "n/a"); a threshold on it fails.
- Label view (per class, confusion matrix, label_accuracy): an expected tier reads as its
  label and a two-label answer as its scored part's label. Per class c: precision = verdicts
  c that are right / verdicts c; recall = right verdicts c / scored cases expecting c
  (no-verdicts in the denominator, as for binary recall). Macro averages are unweighted
  means over the classes that occur as expected or predicted label, an undefined per-class
  value counting as 0. label_accuracy = verdicts with the expected label / scored (the
  diagonal of the confusion matrix; equal to accuracy unless tiers or escalations are
  expected).
- Tag agreement: for each tag, the share of scored cases with that tag that are right
  (no-verdicts count as disagreement).
- Tiers (policies with severity tiers): when any scored case expects a tier, ``tiers`` holds
  the tier confusion matrix (rows: expected tiers; columns: tiers, ``<no tier>`` for a
  verdict without one, then the no-verdict columns), the tier accuracy, and the share of
  verdicts with a tier that are off by exactly one tier (adjacent in the policy's tier order).
- Two labels (depiction and request): ``part`` says which one is scored (default: the
  policy's ``score_on``, itself depiction unless the front matter says request); the label
  and tier of that part stand for the verdict, and an expected pair for its tier of that part.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field, replace

from app.core.policy import OutputFormat
from app.core.verdict import VerdictStatus
from app.scoring.metrics_tiers import ConfusionMatrix, TierMetrics, tier_metrics
from app.scoring.outcome import (
    NO_VERDICT_COLUMNS,
    Judgement,
    Outcome,
    judge,
    outcome_of,
    scored_part,
)
from app.scoring.stats import ratio

__all__ = [
    "NO_VERDICT_COLUMNS", "ConfusionMatrix", "Metrics", "Outcome", "TierMetrics",
    "compute_metrics", "run_metrics",
]  # fmt: skip
THRESHOLD_NAMES = (
    "accuracy",
    "violation_accuracy",
    "precision",
    "recall",
    "f1",
    "coverage",
    "label_accuracy",
    "macro_precision",
    "macro_recall",
    "macro_f1",
)


@dataclass
class ClassMetrics:
    label: str
    support: int  # scored cases expecting this label
    predicted: int  # verdicts giving this label
    correct: int
    precision: float | None
    recall: float | None
    f1: float | None


@dataclass
class TagAgreement:
    tag: str
    cases: int
    agree: int
    no_verdict: int
    agreement: float | None


@dataclass
class Metrics:
    total: int
    scored: int
    unscored: int
    verdicts: int
    status_counts: dict[str, int]  # over scored cases, every VerdictStatus value present
    tp: int
    fp: int
    tn: int
    fn: int
    missed_positive: int
    missed_negative: int
    accuracy: float | None  # right / scored (app.scoring.outcome)
    violation_accuracy: float | None  # (TP + TN) / scored
    precision: float | None
    recall: float | None
    f1: float | None
    coverage: float | None
    label_accuracy: float | None
    per_class: list[ClassMetrics]
    macro_precision: float | None
    macro_recall: float | None
    macro_f1: float | None
    confusion: ConfusionMatrix
    tags: list[TagAgreement]
    tiers: TierMetrics | None = None  # only when the test set expects tiers
    wrong_cases: list[str] = field(default_factory=list)  # scored and not right, in order

    def value(self, name: str) -> float | None:
        if name not in THRESHOLD_NAMES:
            raise KeyError(name)
        return getattr(self, name)

    def headline(self) -> dict[str, float | None]:
        return {name: self.value(name) for name in THRESHOLD_NAMES}

    def to_dict(self) -> dict:
        data = asdict(self)
        confusion = self.confusion
        data["confusion"] = {
            "rows": confusion.rows,
            "columns": confusion.columns,
            "matrix": confusion.matrix(),
        }
        if self.tiers is not None:
            data["tiers"] = self.tiers.to_dict()
        return data


def _f1(p: float | None, r: float | None) -> float | None:
    if p is None or r is None:
        return None
    return 2 * p * r / (p + r) if p + r else 0.0


def _mean(values: list[float | None]) -> float | None:
    return sum(v or 0.0 for v in values) / len(values) if values else None


def compute_metrics(
    outcomes: list[Outcome], output: OutputFormat, part: str | None = None
) -> Metrics:
    """All metrics of a run; see the module notes for what each one means."""
    part = part or output.score_on
    judged = [judge(o, output, part) for o in outcomes]
    outcomes = [scored_part(o, output, part) for o in outcomes]
    graded = [o for o, j in zip(outcomes, judged, strict=True) if j is not Judgement.UNSCORED]
    right = {id(o) for o, j in zip(outcomes, judged, strict=True) if j is Judgement.RIGHT}
    # the label-level views read an expected tier as its label (DC2 -> INVALID)
    scored = [
        o if o.expected in output.labels else replace(o, expected=output.label_of(o.expected))
        for o in graded
    ]
    known = set(output.labels)
    ok = VerdictStatus.OK.value
    status_counts = {status.value: 0 for status in VerdictStatus}
    status_counts.update(Counter(o.status for o in scored))
    verdicts = [o for o in scored if o.status == ok and o.label is not None]
    tp = fp = tn = fn = missed_pos = missed_neg = 0
    for o in scored:
        positive = output.is_violating(o.expected)
        if o.status != ok or o.label is None:
            missed_pos += positive
            missed_neg += not positive
        elif output.is_violating(o.label):
            tp += positive
            fp += not positive
        else:
            fn += positive
            tn += not positive
    precision = ratio(tp, tp + fp)
    recall = ratio(tp, tp + fn + missed_pos)

    predicted_labels = [o.label for o in verdicts if o.label not in known]
    classes = list(output.labels) + list(dict.fromkeys(str(x) for x in predicted_labels))
    per_class: list[ClassMetrics] = []
    for label in classes:
        support = sum(o.expected == label for o in scored)
        predicted = sum(o.label == label for o in verdicts)
        correct = sum(o.label == label and o.expected == label for o in verdicts)
        p, r = ratio(correct, predicted), ratio(correct, support)
        per_class.append(ClassMetrics(label, support, predicted, correct, p, r, _f1(p, r)))
    present = [c for c in per_class if c.support or c.predicted]

    confusion = ConfusionMatrix(rows=list(output.labels), columns=classes + [*NO_VERDICT_COLUMNS])
    for o in scored:
        confusion.add(o.expected, o.prediction, o.case_id)

    tags: dict[str, list[Outcome]] = {}
    for o in graded:
        for tag in o.tags:
            tags.setdefault(tag, []).append(o)
    agreements = []
    for tag in sorted(tags):
        group = tags[tag]
        agree = sum(id(o) in right for o in group)
        missing = sum(o.status != ok for o in group)
        agreements.append(TagAgreement(tag, len(group), agree, missing, agree / len(group)))

    return Metrics(
        total=len(outcomes),
        scored=len(scored),
        unscored=len(outcomes) - len(scored),
        verdicts=len(verdicts),
        status_counts=status_counts,
        tp=tp,
        fp=fp,
        tn=tn,
        fn=fn,
        missed_positive=missed_pos,
        missed_negative=missed_neg,
        accuracy=ratio(len(right), len(scored)),
        violation_accuracy=ratio(tp + tn, len(scored)),
        precision=precision,
        recall=recall,
        f1=_f1(precision, recall),
        coverage=ratio(len(verdicts), len(scored)),
        label_accuracy=ratio(sum(o.label == o.expected for o in verdicts), len(scored)),
        per_class=per_class,
        macro_precision=_mean([c.precision for c in present]),
        macro_recall=_mean([c.recall for c in present]),
        macro_f1=_mean([c.f1 for c in present]),
        confusion=confusion,
        tags=agreements,
        tiers=tier_metrics(graded, output),
        wrong_cases=[o.case_id for o in graded if id(o) not in right],
    )


def run_metrics(results: list, output: OutputFormat) -> Metrics:
    """The metrics of stored results (or anything :func:`app.scoring.outcome.outcome_of`
    reads) under ``output``."""
    return compute_metrics([outcome_of(r) for r in results], output)


def parse_thresholds(text: str) -> dict[str, float]:
    """Parse ``f1=0.85,recall=90%`` into {"f1": 0.85, "recall": 0.9}; ValueError if bad."""
    thresholds: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, raw = part.partition("=")
        name, raw = name.strip().lower(), raw.strip()
        if not sep or name not in THRESHOLD_NAMES:
            known = ", ".join(THRESHOLD_NAMES)
            raise ValueError(f"'{part}' is not NAME=VALUE with NAME one of {known}")
        try:
            value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
        except ValueError:
            raise ValueError(f"'{raw}' in '{part}' is not a number") from None
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"'{part}' is outside 0..1")
        thresholds[name] = value
    return thresholds


def check_thresholds(metrics: Metrics, thresholds: dict[str, float]) -> list[str]:
    """One sentence per failed threshold; an undefined metric fails its threshold."""
    failures = []
    for name, minimum in thresholds.items():
        value = metrics.value(name)
        if value is None:
            failures.append(f"{name} is undefined on this run (needs at least {minimum:.3f})")
        elif value + 1e-12 < minimum:
            failures.append(f"{name} {value:.3f} is below {minimum:.3f}")
    return failures


def met_thresholds(metrics: Metrics, thresholds: dict[str, float]) -> list[str]:
    """One line per threshold the run meets: "accuracy 0.912 meets 0.850"."""
    return [
        f"{name} {value:.3f} meets {minimum:.3f}"
        for name, minimum in thresholds.items()
        if (value := metrics.value(name)) is not None and value + 1e-12 >= minimum
    ]


def format_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
