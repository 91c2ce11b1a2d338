"""Two runs over the same cases side by side: agreement, metrics, McNemar's test, cost.

Any two stored runs compare (two models, two efforts, local against remote, two policy
versions). Over the cases both runs hold:

- the agreement matrix: predictions of run A (rows) against run B (columns), predictions
  being labels or the no-verdict columns, as in the confusion matrix;
- accuracy and F1 of each run (under its own policy version's output format) and B − A;
- McNemar's exact test on the scored cases: b = A right and B wrong, c = A wrong and B
  right, right as :func:`app.scoring.outcome.judge` says (each run under its own output
  format, both against B's expected value), so accuracy(B) − accuracy(A) = (c − b) / scored; p = min(1, 2 · P(X ≤ min(b, c))) with X ~ Binomial(b + c, ½); p = 1 when b + c = 0;
- tokens (prompt + generated) and seconds (prompt + generation) per case of each run;
- the cases where the answers differ (label, status, tier, pair or escalate flag), with both
  results (answers and reasonings).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.records import StoredResult
from app.scoring.flips import prediction, run_metrics
from app.scoring.metrics import Metrics, format_ratio
from app.scoring.outcome import answer_key, is_right
from app.scoring.stats import mcnemar_exact


def _amount(value: float | None, digits: int) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


@dataclass
class Disagreement:
    case_id: str
    expected: str
    a: StoredResult
    b: StoredResult


@dataclass
class RunCost:
    tokens_per_case: float | None
    seconds_per_case: float | None


@dataclass
class RunComparison:
    run_a: str
    run_b: str
    cases: int  # cases in both runs
    labels: list[str]  # rows and columns of the agreement matrix
    matrix: dict[tuple[str, str], int]
    metrics_a: Metrics
    metrics_b: Metrics
    a_only_right: int  # McNemar b
    b_only_right: int  # McNemar c
    mcnemar_p: float
    cost_a: RunCost
    cost_b: RunCost
    disagreements: list[Disagreement] = field(default_factory=list)
    only_a: list[str] = field(default_factory=list)
    only_b: list[str] = field(default_factory=list)

    @property
    def agreement(self) -> float | None:
        same = sum(n for (a, b), n in self.matrix.items() if a == b)
        return same / self.cases if self.cases else None

    def cell(self, a: str, b: str) -> int:
        return self.matrix.get((a, b), 0)

    def delta(self, name: str) -> float | None:
        a, b = self.metrics_a.value(name), self.metrics_b.value(name)
        return None if a is None or b is None else b - a

    def table_rows(self) -> list[list[str]]:
        """[what, A, B, B − A] as text: accuracy, F1, tokens and seconds per case, and
        McNemar's p (the table every view of a comparison shows)."""
        rows = []
        for name in ("accuracy", "f1"):
            delta = self.delta(name)
            rows.append([name, format_ratio(self.metrics_a.value(name)),
                         format_ratio(self.metrics_b.value(name)),
                         "n/a" if delta is None else f"{delta:+.3f}"])  # fmt: skip
        for name, a, b, digits in (
            ("tokens per case", self.cost_a.tokens_per_case, self.cost_b.tokens_per_case, 0),
            ("seconds per case", self.cost_a.seconds_per_case, self.cost_b.seconds_per_case, 2),
        ):
            rows.append([name, _amount(a, digits), _amount(b, digits), ""])
        rows.append(["McNemar p", f"{self.mcnemar_p:.4g}", "", ""])
        return rows

    def summary(self) -> str:
        agreement = "n/a" if self.agreement is None else f"{self.agreement:.0%}"
        return (
            f"{self.cases} cases in both runs, {agreement} agree; {self.a_only_right} right "
            f"only in A, {self.b_only_right} right only in B (McNemar p = {self.mcnemar_p:.3g})."
        )

    def to_dict(self) -> dict:
        """Plain data for ``compare --json``."""
        return {
            "run_a": self.run_a,
            "run_b": self.run_b,
            "cases": self.cases,
            "agreement": self.agreement,
            "matrix": {
                "labels": self.labels,
                "counts": [[self.cell(a, b) for b in self.labels] for a in self.labels],
            },  # fmt: skip
            "accuracy": [self.metrics_a.accuracy, self.metrics_b.accuracy],
            "f1": [self.metrics_a.f1, self.metrics_b.f1],
            "delta": {"accuracy": self.delta("accuracy"), "f1": self.delta("f1")},
            "a_only_right": self.a_only_right,
            "b_only_right": self.b_only_right,
            "mcnemar_p": self.mcnemar_p,
            "tokens_per_case": [self.cost_a.tokens_per_case, self.cost_b.tokens_per_case],
            "seconds_per_case": [self.cost_a.seconds_per_case, self.cost_b.seconds_per_case],
            "disagreements": [
                {
                    "case_id": d.case_id,
                    "expected": d.expected,
                    "a": {
                        "prediction": prediction(d.a),
                        "final": d.a.final,
                        "analysis": d.a.analysis,
                    },
                    "b": {
                        "prediction": prediction(d.b),
                        "final": d.b.final,
                        "analysis": d.b.analysis,
                    },
                }
                for d in self.disagreements
            ],  # fmt: skip
            "only_a": self.only_a,
            "only_b": self.only_b,
        }


def run_cost(results: list[StoredResult]) -> RunCost:
    """Mean tokens and seconds per case over the results the engine ran (not cache copies)."""
    ran = [r for r in results if not r.cached] or results
    if not ran:
        return RunCost(None, None)
    tokens = sum(r.prompt_tokens + r.generated_tokens for r in ran) / len(ran)
    seconds = sum(r.prompt_ms + r.generate_ms for r in ran) / 1000 / len(ran)
    return RunCost(tokens, seconds)


def compare_runs(
    a: list[StoredResult],
    b: list[StoredResult],
    output_a,
    output_b=None,
    *,
    run_a: str = "",
    run_b: str = "",
) -> RunComparison:
    """The comparison of two lists of results (see the module notes)."""
    output_b = output_b or output_a
    by_a = {r.case_id: r for r in a}
    by_b = {r.case_id: r for r in b}
    common = [cid for cid in by_a if cid in by_b]
    matrix: dict[tuple[str, str], int] = {}
    disagreements: list[Disagreement] = []
    a_only = b_only = 0
    for cid in common:
        ra, rb = by_a[cid], by_b[cid]
        pa, pb = prediction(ra), prediction(rb)
        matrix[(pa, pb)] = matrix.get((pa, pb), 0) + 1
        expected = rb.expected  # the later belief, as the flip report takes it
        if answer_key(ra) != answer_key(rb):
            disagreements.append(Disagreement(cid, expected, ra, rb))
        right_a = is_right(ra, output_a, expected=expected)
        right_b = is_right(rb, output_b, expected=expected)
        a_only += right_a and not right_b
        b_only += right_b and not right_a
    seen = [p for pair in matrix for p in pair]
    labels = [x for x in output_a.labels if x in seen] + [x for x in output_b.labels if x in seen]
    labels = list(dict.fromkeys(labels + seen))
    return RunComparison(
        run_a=run_a or (a[0].run_id if a else ""),
        run_b=run_b or (b[0].run_id if b else ""),
        cases=len(common),
        labels=labels,
        matrix=matrix,
        metrics_a=run_metrics([by_a[c] for c in common], output_a),
        metrics_b=run_metrics([by_b[c] for c in common], output_b),
        a_only_right=a_only,
        b_only_right=b_only,
        mcnemar_p=mcnemar_exact(a_only, b_only),
        cost_a=run_cost(a),
        cost_b=run_cost(b),
        disagreements=disagreements,
        only_a=[cid for cid in by_a if cid not in by_b],
        only_b=[cid for cid in by_b if cid not in by_a],
    )
