"""Metrics of a run against the expected labels: binary "violates", per class, confusion, tags.

Definitions (pinned by tests/test_metrics.py):

- A case is *scored* when its expected label is one of the policy's labels; others (no or
  stale expected label) are counted in ``unscored`` and left out of every metric below.
- A *verdict* is a result with status ``ok``. ``no_verdict``, ``unparsable`` and ``error``
  are *no-verdict* results: counted apart, never read as "does not violate".
- Binary view: positive = violates, through ``OutputFormat.is_violating`` for both the
  expected and the predicted label (so a multi-class policy gets binary metrics too).
  TP, FP, TN, FN count verdicts only; ``missed_positive`` / ``missed_negative`` count
  no-verdict results on violating / non-violating cases.
- accuracy = (TP + TN) / scored: a no-verdict counts as wrong.
- precision = TP / (TP + FP): a no-verdict predicts nothing, so it is not in the denominator.
- recall = TP / (TP + FN + missed_positive): a violating case without a verdict was not
  caught, so it stays in the denominator.
- F1 = 2PR / (P + R). coverage = verdicts / scored.
- Any ratio with a zero denominator is ``None`` (shown as "n/a"); a threshold on it fails.
- Per class c: precision = verdicts c that are right / verdicts c; recall = right verdicts
  c / scored cases expecting c (no-verdicts in the denominator, as for binary recall).
  Macro averages are unweighted means over the classes that occur as expected or predicted
  label, an undefined per-class value counting as 0. Label accuracy = exact matches / scored.
- Tag agreement: for each tag, the share of scored cases with that tag whose verdict label
  equals the expected label (no-verdicts count as disagreement).
- Tiers (policies with severity tiers): an expected label may be a tier (``DC2``); it is
  scored as its label for everything above (``DC2`` -> INVALID) and is right only when the
  verdict's tier is that tier. When any scored case expects a tier, ``tiers`` holds the
  tier confusion matrix (rows: expected tiers; columns: tiers, ``<no tier>`` for a verdict
  without one, then the no-verdict columns), the tier accuracy, and the share of verdicts
  with a tier that are off by exactly one tier (adjacent in the policy's tier order).
- Two labels (depiction and request): ``part`` says which one is scored (default: the
  policy's ``score_on``, itself depiction unless the front matter says request); the label
  and tier of that part stand for the verdict.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, replace

from app.core.metrics_tiers import ConfusionMatrix, TierMetrics, scored_part, tier_metrics
from app.core.policy import OutputFormat
from app.core.verdict import VerdictStatus, status_word

_STATUS_COLUMN = {
    status.value: f"<{status_word(status)}>"
    for status in (VerdictStatus.NO_VERDICT, VerdictStatus.UNPARSABLE, VerdictStatus.ERROR)
}
NO_VERDICT_COLUMNS = tuple(_STATUS_COLUMN.values())  # "<no verdict>", "<unparsable>", ...
__all__ = ["ConfusionMatrix", "Metrics", "Outcome", "TierMetrics", "compute_metrics"]
THRESHOLD_NAMES = (
    "accuracy",
    "precision",
    "recall",
    "f1",
    "coverage",
    "label_accuracy",
    "macro_precision",
    "macro_recall",
    "macro_f1",
)


@dataclass(frozen=True)
class Outcome:
    """One case's expected label next to what the run said about it."""

    case_id: str
    expected: str
    status: str  # a VerdictStatus value
    label: str | None = None
    tags: tuple[str, ...] = ()
    tier: str | None = None  # the verdict's severity tier, if the answer gave one
    depiction: str | None = None  # two-label answers
    request: str | None = None

    @property
    def prediction(self) -> str:
        """The predicted label, or the confusion-matrix column of a no-verdict status."""
        if self.status == VerdictStatus.OK.value and self.label is not None:
            return self.label
        return _STATUS_COLUMN.get(self.status, NO_VERDICT_COLUMNS[2])

    @property
    def correct(self) -> bool:
        return self.status == VerdictStatus.OK.value and self.label == self.expected


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
    accuracy: float | None
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


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _f1(p: float | None, r: float | None) -> float | None:
    if p is None or r is None:
        return None
    return 2 * p * r / (p + r) if p + r else 0.0


def _mean(values: list[float | None]) -> float | None:
    return sum(v or 0.0 for v in values) / len(values) if values else None


def _is_right(o: Outcome, output: OutputFormat) -> bool:
    """Label right, or for an expected tier, tier right."""
    if o.status != VerdictStatus.OK.value or o.label is None:
        return False
    if o.expected in output.tiers and o.expected not in output.labels:
        return o.tier == o.expected
    return o.label == o.expected


def compute_metrics(
    outcomes: list[Outcome], output: OutputFormat, part: str | None = None
) -> Metrics:
    """All metrics of a run; see the module notes for what each one means."""
    outcomes = [scored_part(o, output, part or output.score_on) for o in outcomes]
    graded = [o for o in outcomes if output.label_of(o.expected) is not None]
    right = {id(o) for o in graded if _is_right(o, output)}
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
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn + missed_pos)

    predicted_labels = [o.label for o in verdicts if o.label not in known]
    classes = list(output.labels) + list(dict.fromkeys(str(x) for x in predicted_labels))
    per_class: list[ClassMetrics] = []
    for label in classes:
        support = sum(o.expected == label for o in scored)
        predicted = sum(o.label == label for o in verdicts)
        correct = sum(o.label == label and o.expected == label for o in verdicts)
        p, r = _ratio(correct, predicted), _ratio(correct, support)
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
        accuracy=_ratio(tp + tn, len(scored)),
        precision=precision,
        recall=recall,
        f1=_f1(precision, recall),
        coverage=_ratio(len(verdicts), len(scored)),
        label_accuracy=_ratio(len(right), len(scored)),
        per_class=per_class,
        macro_precision=_mean([c.precision for c in present]),
        macro_recall=_mean([c.recall for c in present]),
        macro_f1=_mean([c.f1 for c in present]),
        confusion=confusion,
        tags=agreements,
        tiers=tier_metrics(graded, output),
    )


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


def format_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
