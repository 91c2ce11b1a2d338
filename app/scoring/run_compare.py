"""The one comparison of two runs: their results paired by case and judged once.

Any two stored runs compare (two models, two efforts, local against remote, two policy
versions, a run before and after an edit). :func:`pair_results` pairs the results of both
runs by case id (in run B's order: B is the later run wherever one is) and judges each
result once with :func:`app.scoring.outcome.judge`, each run under its own policy version's
output format and both against B's expected value (test sets get corrected between runs; the
later one is what the user now believes). Every view of two runs reads these pairs: the flip
report (:mod:`app.scoring.flips`), ``compare``, *History ▸ Compare runs…* and the report's
comparison section. Over the cases both runs hold:

- the agreement matrix: predictions of run A (rows) against run B (columns), predictions
  being labels or the no-verdict columns, as in the confusion matrix;
- accuracy and F1 of each run (under its own policy version's output format) and B − A;
- McNemar's exact test on the scored cases: b = A right and B wrong, c = A wrong and B
  right, so accuracy(B) − accuracy(A) = (c − b) / scored; p = min(1, 2 · P(X ≤ min(b, c)))
  with X ~ Binomial(b + c, ½); p = 1 when b + c = 0;
- tokens (prompt + generated) and seconds (prompt + generation) per case of each run;
- the cases where the answers differ (label, status, tier, pair or escalate flag,
  :func:`app.scoring.outcome.answer_key`), with both results (answers and reasonings).

``whole_a`` / ``whole_b`` are the metrics over all of each run's results (cases in one run
only included): what the flip report's deltas compare.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from app.core.policy import OutputFormat
from app.core.records import StoredResult
from app.scoring.metrics import Metrics, format_ratio, run_metrics
from app.scoring.outcome import Judgement, answer_key, judge, prediction
from app.scoring.stats import mcnemar_exact


def _amount(value: float | None, digits: int) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


@dataclass(frozen=True)
class CasePair:
    """One case in both runs: its two results, each judged once."""

    case_id: str
    expected: str  # run B's expected value, the one both are judged against
    a: StoredResult
    b: StoredResult
    judged_a: Judgement
    judged_b: Judgement
    differs: bool  # the answers say something different (label, status, tier, pair, escalate)

    @property
    def right_a(self) -> bool:
        return self.judged_a is Judgement.RIGHT

    @property
    def right_b(self) -> bool:
        return self.judged_b is Judgement.RIGHT


@dataclass
class RunCost:
    tokens_per_case: float | None
    seconds_per_case: float | None


@dataclass
class RunComparison:
    run_a: str
    run_b: str
    pairs: list[CasePair]  # the cases in both runs, in B's order
    labels: list[str]  # rows and columns of the agreement matrix
    matrix: dict[tuple[str, str], int]
    metrics_a: Metrics  # over the cases in both runs
    metrics_b: Metrics
    whole_a: Metrics  # over all of each run's results
    whole_b: Metrics
    cost_a: RunCost
    cost_b: RunCost
    only_a: list[str] = field(default_factory=list)
    only_b: list[str] = field(default_factory=list)

    @property
    def cases(self) -> int:
        """Cases in both runs."""
        return len(self.pairs)

    def swapped(self) -> RunComparison:
        """The same comparison with runs A and B exchanged: each pair's results and
        judgements, the matrix (transposed), metrics, costs and the cases in one run only."""
        pairs = [
            replace(p, a=p.b, b=p.a, judged_a=p.judged_b, judged_b=p.judged_a) for p in self.pairs
        ]
        return replace(
            self, run_a=self.run_b, run_b=self.run_a, pairs=pairs,
            matrix={(b, a): n for (a, b), n in self.matrix.items()},
            metrics_a=self.metrics_b, metrics_b=self.metrics_a, whole_a=self.whole_b,
            whole_b=self.whole_a, cost_a=self.cost_b, cost_b=self.cost_a,
            only_a=list(self.only_b), only_b=list(self.only_a),
        )  # fmt: skip

    @property
    def a_only_right(self) -> int:  # McNemar b
        return sum(p.right_a and not p.right_b for p in self.pairs)

    @property
    def b_only_right(self) -> int:  # McNemar c
        return sum(p.right_b and not p.right_a for p in self.pairs)

    @property
    def mcnemar_p(self) -> float:
        return mcnemar_exact(self.a_only_right, self.b_only_right)

    @property
    def disagreements(self) -> list[CasePair]:
        return [p for p in self.pairs if p.differs]

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


def pair_results(
    a: list[StoredResult], b: list[StoredResult], output_a: OutputFormat, output_b: OutputFormat
) -> list[CasePair]:
    """The results of two runs paired by case (B's order; a case stored twice counts once,
    its last result), each judged once: A under ``output_a``, B under ``output_b``, both
    against B's expected value."""
    by_a = {r.case_id: r for r in a}
    pairs = []
    for case_id, rb in {r.case_id: r for r in b}.items():
        ra = by_a.get(case_id)
        if ra is not None:
            expected = rb.expected
            judged_a, judged_b = (
                judge(ra, output_a, expected=expected), judge(rb, output_b, expected=expected)
            )  # fmt: skip
            differs = answer_key(ra) != answer_key(rb)
            pairs.append(CasePair(case_id, expected, ra, rb, judged_a, judged_b, differs))
    return pairs


def _both_metrics(
    results: list[StoredResult], others: set[str], output: OutputFormat
) -> tuple[Metrics, Metrics]:
    """A run's metrics over the cases in ``others`` and over all its results (the same
    object when those are the same results), each in the run's own order."""
    by_case = {r.case_id: r for r in results}
    shared = run_metrics([r for r in by_case.values() if r.case_id in others], output)
    if len(by_case) == len(results) and others >= by_case.keys():
        return shared, shared
    return shared, run_metrics(results, output)


def _matrix_labels(
    matrix: dict[tuple[str, str], int], output_a: OutputFormat, output_b: OutputFormat
) -> list[str]:
    """The agreement matrix's rows and columns: both policies' labels that occur, then the
    rest (no-verdict columns, labels outside the policies) in order of appearance."""
    seen = [p for pair in matrix for p in pair]
    labels = [x for x in output_a.labels if x in seen] + [x for x in output_b.labels if x in seen]
    return list(dict.fromkeys(labels + seen))


def compare_runs(
    a: list[StoredResult],
    b: list[StoredResult],
    output_a: OutputFormat,
    output_b: OutputFormat | None = None,
    *,
    run_a: str = "",
    run_b: str = "",
) -> RunComparison:
    """The comparison of two lists of results (see the module notes)."""
    output_b = output_b or output_a
    pairs = pair_results(a, b, output_a, output_b)
    matrix: dict[tuple[str, str], int] = {}
    for pair in pairs:
        key = (prediction(pair.a), prediction(pair.b))
        matrix[key] = matrix.get(key, 0) + 1
    in_a, in_b = {r.case_id: r for r in a}, {r.case_id: r for r in b}
    metrics_a, whole_a = _both_metrics(a, set(in_b), output_a)
    metrics_b, whole_b = _both_metrics(b, set(in_a), output_b)
    return RunComparison(
        run_a=run_a or (a[0].run_id if a else ""),
        run_b=run_b or (b[0].run_id if b else ""),
        pairs=pairs,
        labels=_matrix_labels(matrix, output_a, output_b),
        matrix=matrix,
        metrics_a=metrics_a,
        metrics_b=metrics_b,
        whole_a=whole_a,
        whole_b=whole_b,
        cost_a=run_cost(a),
        cost_b=run_cost(b),
        only_a=[cid for cid in in_a if cid not in in_b],
        only_b=[cid for cid in in_b if cid not in in_a],
    )
