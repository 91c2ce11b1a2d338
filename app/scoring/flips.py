"""The flip report: the comparison of a run before and a run after an edit, read as which
cases an edit fixed, broke or changed.

It is a view of :class:`app.scoring.run_compare.RunComparison` (run A before, run B after),
never a second pairing: each case in both runs comes with both results already judged there
(:func:`app.scoring.outcome.judge`, each run under its own policy version's output format,
both against the later run's expected value). So a tier going from ``DC0`` to ``DC1`` on a
case expecting ``DC0`` is *broken* even though both answers are INVALID.

- fixed: wrong before, right now (the comparison's "right only in B");
- broken: right before, wrong now ("right only in A");
- changed: wrong before and still wrong now, with another answer (label or status,
  tier, pair or escalate flag: :func:`app.scoring.outcome.answer_key`).

With the same expected values on both sides, fixed − broken = (right now − right before),
so the accuracy delta is (fixed − broken) / scored.

Metric deltas are ``after - before`` for each headline metric of
:mod:`app.scoring.metrics` over all of each run's results (``whole_a`` / ``whole_b``);
``None`` where either side is undefined.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.policy import OutputFormat
from app.core.records import StoredResult
from app.scoring.metrics import Metrics
from app.scoring.run_compare import CasePair, RunComparison, compare_runs

KINDS = ("fixed", "broken", "changed")


@dataclass
class Flip:
    case_id: str
    kind: str  # fixed, broken or changed
    expected: str
    before: StoredResult
    after: StoredResult

    @property
    def content(self) -> str:
        return self.after.content or self.before.content


@dataclass
class FlipReport:
    run_before: str
    run_after: str
    flips: list[Flip] = field(default_factory=list)
    metrics_before: Metrics | None = None
    metrics_after: Metrics | None = None
    deltas: dict[str, float | None] = field(default_factory=dict)
    only_before: list[str] = field(default_factory=list)  # case ids missing from the later run
    only_after: list[str] = field(default_factory=list)  # case ids new in the later run

    def of_kind(self, kind: str) -> list[Flip]:
        return [flip for flip in self.flips if flip.kind == kind]

    @property
    def fixed(self) -> list[Flip]:
        return self.of_kind("fixed")

    @property
    def broken(self) -> list[Flip]:
        return self.of_kind("broken")

    @property
    def changed(self) -> list[Flip]:
        return self.of_kind("changed")

    def summary(self) -> str:
        counts = ", ".join(f"{len(self.of_kind(kind))} {kind}" for kind in KINDS)
        return f"{len(self.flips)} cases flipped: {counts}."

    @classmethod
    def of(cls, cmp: RunComparison) -> FlipReport:
        """The flip report of a comparison (run A before, run B after)."""
        report = cls(
            run_before=cmp.run_a, run_after=cmp.run_b, metrics_before=cmp.whole_a,
            metrics_after=cmp.whole_b, only_before=list(cmp.only_a),
            only_after=list(cmp.only_b),
        )  # fmt: skip
        for pair in cmp.pairs:
            kind = flip_kind(pair)
            if kind is not None:
                report.flips.append(Flip(pair.case_id, kind, pair.expected, pair.a, pair.b))
        before = cmp.whole_a.headline()
        for name, value in cmp.whole_b.headline().items():
            previous = before[name]
            report.deltas[name] = None if value is None or previous is None else value - previous
        return report


def flip_kind(pair: CasePair) -> str | None:
    """fixed, broken or changed for a case in both runs; None when it did not flip."""
    if pair.right_a != pair.right_b:
        return "fixed" if pair.right_b else "broken"
    return "changed" if not pair.right_b and pair.differs else None


def compare_results(
    before: list[StoredResult],
    after: list[StoredResult],
    output_before: OutputFormat,
    output_after: OutputFormat | None = None,
    *,
    run_before: str = "",
    run_after: str = "",
) -> FlipReport:
    """The flip report of two lists of results: the flip view of their comparison."""
    cmp = compare_runs(
        before, after, output_before, output_after, run_a=run_before, run_b=run_after
    )
    return FlipReport.of(cmp)
