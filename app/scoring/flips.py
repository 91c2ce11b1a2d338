"""Flip report between two runs: which cases changed their predicted label, and how.

A case *flips* when it is in both runs and it went from wrong to right, from right to wrong,
or stayed wrong with another answer: another label or status (``<no verdict>``,
``<unparsable>``, ``<error>``), tier, pair or escalate flag (:func:`app.scoring.outcome.answer_key`).
Right and wrong are :func:`app.scoring.outcome.judge`'s, each run under its own policy
version's output format, so a tier going from ``DC0`` to ``DC1`` on a case expecting ``DC0``
is *broken* even though both answers are INVALID. The expected value is taken from the later
run (test sets get corrected between runs; the later one is what the user now believes).

- fixed: wrong before, right now;
- broken: right before, wrong now;
- changed: wrong before and still wrong now, with another answer.

With the same expected values on both sides, fixed − broken = (right now − right before),
so the accuracy delta is (fixed − broken) / scored.

Metric deltas are ``after - before`` for each headline metric of
:mod:`app.scoring.metrics`, each run scored under its own policy version's output format;
``None`` where either side is undefined.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.policy import OutputFormat
from app.core.records import StoredResult
from app.scoring.metrics import Metrics, Outcome, compute_metrics
from app.scoring.outcome import answer_key, is_right, outcome_of

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


def prediction(result: StoredResult) -> str:
    """The label, or the no-verdict column name for its status (as in the confusion matrix)."""
    return outcome(result).prediction


def outcome(result: StoredResult, expected: str | None = None) -> Outcome:
    """A stored result as the record scoring reads (``app.scoring.outcome.outcome_of``)."""
    return outcome_of(result, expected)


def run_metrics(results: list[StoredResult], output: OutputFormat) -> Metrics:
    return compute_metrics([outcome(r) for r in results], output)


def compare_results(
    before: list[StoredResult],
    after: list[StoredResult],
    output_before: OutputFormat,
    output_after: OutputFormat | None = None,
    *,
    run_before: str = "",
    run_after: str = "",
) -> FlipReport:
    """The flip report of two lists of results (see the module notes)."""
    output_after = output_after or output_before
    old = {r.case_id: r for r in before}
    new = {r.case_id: r for r in after}
    report = FlipReport(
        run_before=run_before or (before[0].run_id if before else ""),
        run_after=run_after or (after[0].run_id if after else ""),
        only_before=[cid for cid in old if cid not in new],
        only_after=[cid for cid in new if cid not in old],
    )
    for case_id, now in new.items():
        was = old.get(case_id)
        if was is None:
            continue
        expected = now.expected
        right_before = is_right(was, output_before, expected=expected)
        right_now = is_right(now, output_after, expected=expected)
        if right_before == right_now and (right_now or answer_key(was) == answer_key(now)):
            continue
        kind = "fixed" if right_now else ("broken" if right_before else "changed")
        report.flips.append(Flip(case_id, kind, expected, was, now))
    report.metrics_before = run_metrics(before, output_before)
    report.metrics_after = run_metrics(after, output_after)
    headline_before = report.metrics_before.headline()
    for name, value in report.metrics_after.headline().items():
        previous = headline_before[name]
        report.deltas[name] = None if value is None or previous is None else value - previous
    return report
