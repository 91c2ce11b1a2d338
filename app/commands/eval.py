"""``safeguard-studio eval``: run a policy over its test set headlessly, for CI.

Uses the same store and result cache as the GUI (unchanged cases cost nothing), prints a
metrics table and a confusion matrix, writes optional JSON / JUnit / CSV / HTML / Markdown
reports, and exits 0 when every ``--fail-under`` threshold holds, 1 when one fails or the
run did not cover every case (an engine that could not load, a cancel: the sentence says how
many cases were not run; metrics of part of a set never pass a gate), and 2 for bad input
(with one sentence on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from app.commands import CommandError
from app.commands.backend_options import (
    add_backend_arguments,
    add_db_argument,
    backend_config,
    check_backend_arguments,
    open_service,
    say_injection_note,
)
from app.commands.policies import add_policy_arguments
from app.commands.run_options import (
    add_run_arguments,
    check_report_paths,
    load_policy_arg,
    run_settings,
)
from app.core import setting_limits as limits
from app.core.cases import CasesError, TestCase, cases_path_for, load_cases
from app.core.policy import Policy
from app.core.records import StoredResult
from app.reports.formats import junit_xml, results_csv
from app.reports.report import (
    ReportError,
    RunReport,
    write_html,
    write_markdown,
    write_report_text,
)
from app.runs.pipeline.selection import LAST_RUN, RunJob, RunOutcome
from app.runs.pipeline.suite import ORDERS
from app.runs.stored.report import build_run_report
from app.scoring.metrics import (
    ConfusionMatrix,
    Metrics,
    check_thresholds,
    format_ratio,
    met_thresholds,
    parse_thresholds,
)
from app.scoring.outcome import outcome_of as result_outcome
from app.scoring.stability import SAMPLE_COUNTS, UNSTABLE_BELOW, CaseStability, summarize

REPORT_KINDS = ("json", "junit", "csv", "html", "markdown")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "eval",
        help="run a policy over a labelled test set and report metrics",
        description="Run a policy over a labelled test set with the result cache, print "
        "metrics and a confusion matrix; exit 1 when a --fail-under threshold fails.",
    )
    add_policy_arguments(parser)  # --policy FILE or --starter KEY
    parser.add_argument("--cases", type=Path, help="test set JSONL (default: beside the policy)")
    add_run_arguments(parser)
    add_backend_arguments(parser)
    parser.add_argument("--order", choices=ORDERS, default="file")
    parser.add_argument(
        "--samples", type=int, choices=(1, *SAMPLE_COUNTS), default=1, metavar="K",
        help="sample each case K times (3, 5 or 10; seeds SEED…SEED+K-1) and score the "
        "majority label; the JSON report gives each case's agreement",
    )  # fmt: skip
    parser.add_argument(
        "--unstable-below", type=float, default=UNSTABLE_BELOW, metavar="SHARE",
        help=f"a case is unstable when its agreement is below this (default {UNSTABLE_BELOW:g}, "
        f"{limits.UNSTABLE_BELOW.words()})",
    )  # fmt: skip
    parser.add_argument("--fail-under", default="", metavar="NAME=VALUE,...")
    add_db_argument(parser)
    parser.add_argument("--note", default="", help="note stored with this policy version")
    parser.add_argument(
        "--resume", nargs="?", const=LAST_RUN, metavar="RUN_ID",
        help="continue an interrupted run (default: the last unfinished one of this policy "
        "and test set) instead of starting a new one",
    )  # fmt: skip
    for fmt in REPORT_KINDS:
        parser.add_argument(f"--{fmt}", type=Path, metavar="PATH", help=f"write a {fmt} report")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the metrics")
    return parser


def metrics_table(metrics: Metrics) -> str:
    lines = [f"{'metric':<16} value"]
    lines += [f"{name:<16} {format_ratio(value)}" for name, value in metrics.headline().items()]
    counts = ", ".join(f"{s} {n}" for s, n in metrics.status_counts.items())
    lines.append(f"cases: {metrics.scored} scored, {metrics.unscored} unscored; {counts}")
    if len(metrics.per_class) > 2:
        lines.append(f"{'class':<16} {'support':>7} {'prec':>6} {'recall':>6} {'f1':>6}")
        for c in metrics.per_class:
            cells = (format_ratio(c.precision), format_ratio(c.recall), format_ratio(c.f1))
            lines.append(f"{c.label:<16} {c.support:>7} {cells[0]:>6} {cells[1]:>6} {cells[2]:>6}")
    return "\n".join(lines)


def stability_line(stability: dict, results: list[StoredResult], output, k: int) -> str:
    """One line on the samples: unstable cases and the bootstrap intervals."""
    s = summarize(stability, [result_outcome(r) for r in results], output)
    return (
        f"samples: {k} per case, {s.unstable} of {s.cases} cases unstable; 95% interval "
        f"accuracy {s.accuracy_ci.text()}, F1 {s.f1_ci.text()}"
    )


def confusion_table(metrics: Metrics) -> str:
    """The label confusion matrix; for a test set with tiers, the tier matrix after it."""
    text = matrix_table(metrics.confusion)
    if metrics.tiers is not None:
        text += f"\n\nTiers: {metrics.tiers.summary()}\n{matrix_table(metrics.tiers.confusion)}"
    return text


def matrix_table(cm: ConfusionMatrix) -> str:
    corner = "expected \\ predicted"
    first = max(len(corner), *(len(r) for r in cm.rows))
    width = max(6, *(len(c) for c in cm.columns)) + 1
    lines = [corner.ljust(first) + "".join(c.rjust(width) for c in cm.columns)]
    for row, counts in zip(cm.rows, cm.matrix(), strict=True):
        lines.append(row.ljust(first) + "".join(str(n).rjust(width) for n in counts))
    return "\n".join(lines)


def _result_json(result: StoredResult, stability: CaseStability | None) -> dict:
    """A result for the JSON report; after --samples with its majority and agreement."""
    data = dict(result.__dict__)
    if stability is not None:
        data.update(majority=stability.majority, agreement=stability.agreement,
                    unstable=stability.unstable, samples=list(stability.predictions))  # fmt: skip
    return data


def _load_inputs(args: argparse.Namespace):
    try:
        thresholds = parse_thresholds(args.fail_under)
    except ValueError as exc:
        raise CommandError(f"--fail-under: {exc}.") from None
    policy = load_policy_arg(args.policy, args.verbose)  # warnings; -v: the format line
    try:
        cases_path = args.cases or cases_path_for(args.policy)
        if not Path(cases_path).is_file():
            raise CommandError(f"Test set {cases_path} does not exist; pass --cases.")
        cases = load_cases(cases_path, policy.output)
    except CasesError as exc:
        raise CommandError(str(exc)) from None
    if not cases:
        raise CommandError(f"Test set {cases_path} has no cases; add some or pick another.")
    check_backend_arguments(args)
    if args.backend == "local":
        if args.model is None or not Path(args.model).is_file():
            raise CommandError(
                "No model file found; pass --model PATH to a gpt-oss-safeguard GGUF."
            )
        args.model = Path(args.model)
    return policy, cases, Path(cases_path), thresholds


def run(args: argparse.Namespace) -> int:
    policy, cases, cases_path, thresholds = _load_inputs(args)
    # every report file asked for can be written: checked before the run, not after it
    check_report_paths(*(getattr(args, kind) for kind in REPORT_KINDS))
    outcome, report, model_name = _run_job(args, policy, cases, cases_path)
    summary = outcome.summary
    metrics, results = report.metrics, report.results
    total = summary.total if summary else len(cases)
    not_run = max(0, total - len(results))
    if outcome.status == "failed" and outcome.message and not not_run:
        print(f"safeguard-studio: {outcome.message}", file=sys.stderr)
    failures = check_thresholds(metrics, thresholds)
    _print_run(args, outcome, report, policy, model_name)
    try:
        met = met_thresholds(metrics, thresholds)
        unrun = [f"{not_run} of {total} cases were not run"] if not_run else []
        gate = (failures + unrun, met)  # the JUnit gate fails on a partial run too
        _write_reports(args, report, summary, gate, policy.name, outcome.stability)
    except ReportError as exc:
        raise CommandError(str(exc)) from None
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    if not_run:  # scored on part of the set: no threshold can pass on it
        print(not_run_sentence(not_run, total, outcome.message), file=sys.stderr)
        return 1
    answered = _answers_pass(args, outcome, results)  # says why not, thresholds or not
    return 0 if answered and not failures else 1


def _run_job(
    args: argparse.Namespace, policy: Policy, cases: list[TestCase], cases_path: Path
) -> tuple[RunOutcome, RunReport, str]:
    """The run the options describe, its report and the model's name; CommandError when
    nothing ran (an engine that could not load, a bad job) or the grammar was bad input."""
    job = RunJob(
        policy, cases, run_settings(args), backend_config(args),
        failed_first=args.order == "failed-first", cases_path=str(cases_path.resolve()),
        note=args.note, samples=args.samples, unstable_below=args.unstable_below,
        resume_run_id=args.resume,
    )  # fmt: skip
    with open_service(args.db) as service:
        outcome = service.run(job)
        say_injection_note(service.facts)
        model_name = service.facts.model if service.facts else ""
        if not outcome.run_id:  # nothing ran: the engine could not load, or a bad job
            raise CommandError(outcome.message or "The run was cancelled before it ended.")
        if outcome.stopped_by == "grammar":  # bad input: exit 2 like any other
            raise CommandError(outcome.message)
        return outcome, build_run_report(service.store, outcome.run_id), model_name


def _print_run(
    args: argparse.Namespace,
    outcome: RunOutcome,
    report: RunReport,
    policy: Policy,
    model_name: str,
) -> None:
    """The run's line (unless --quiet), its metrics, the samples' line and the confusion."""
    summary = outcome.summary
    if not args.quiet and summary is not None:
        samples = f" × {args.samples} samples" if args.samples > 1 else ""
        print(f"Run {summary.run_id}: {summary.done} cases{samples} ({summary.cached} cached, "
              f"{summary.failed} errors) of {policy.name} on {model_name}")  # fmt: skip
    print(metrics_table(report.metrics))
    if outcome.stability:
        print(stability_line(outcome.stability, report.results, policy.output, args.samples))
    print()
    print(confusion_table(report.metrics))


def _answers_pass(
    args: argparse.Namespace, outcome: RunOutcome, results: list[StoredResult]
) -> bool:
    """Whether the answers can pass a gate: no failed sample of a ×k run, not every case
    an error, at least one verdict; says why not on stderr (some errors: said, not failed)."""
    summary = outcome.summary
    if args.samples > 1 and summary is not None and summary.failed:  # errors do not vote
        detail = outcome.message.rstrip(" .") or f"{summary.failed} samples failed"
        print(f"safeguard-studio: {detail}; a sampled run passes only when every sample "
              "answered, so fix the cause and run it again.", file=sys.stderr)  # fmt: skip
        return False
    errors = [r for r in results if r.status == "error"]
    if errors:
        every = len(errors) == len(results)
        lead = "no case produced a verdict" if every else "some cases produced no verdict"
        print(
            f"safeguard-studio: {lead}: {len(errors)} of {len(results)} failed; the first "
            f"({errors[0].case_id}): {errors[0].message}",
            file=sys.stderr,
        )
        if every:
            return False
    if results and not any(r.status == "ok" for r in results):
        # answers came back but none reads as a label: the policy's output format or the
        # budget is wrong, and a pipeline must not pass on a run without a single verdict
        first = next(r for r in results if r.status != "error")
        counts = Counter(r.status.replace("_", " ") for r in results)
        kinds = ", ".join(f"{n} {status}" for status, n in counts.most_common())
        detail = (first.message or "its answer has no label").rstrip(" .") + "."
        print(
            f"safeguard-studio: no case produced a verdict ({kinds}); the first "
            f"({first.case_id}): {detail}",
            file=sys.stderr,
        )
        return False
    return True


def not_run_sentence(not_run: int, total: int, reason: str) -> str:
    """Why a run that did not cover its cases fails the gate, in one sentence."""
    why = f" ({reason.rstrip(' .')})" if reason else ""
    return (
        f"safeguard-studio: {not_run} of {total} cases were not run{why}, so the run does "
        "not pass; fix the cause and run eval again with --resume to finish it."
    )


def _write_reports(args, report, summary, gate: tuple[list[str], list[str]], name: str, stability):
    """The report files the options ask for; a failure is one ReportError sentence. ``gate``:
    the thresholds failed and the thresholds met."""
    results, (failures, met) = report.results, gate
    if args.json:
        data = {
            "run": summary.__dict__ if summary else {},
            "metrics": report.metrics.to_dict(),
            "failures": failures,
        }
        if report.review is not None:  # people reviewed this run's answers (eval --resume)
            data["review"] = report.review.to_dict()
        data["results"] = [_result_json(r, stability.get(r.case_id)) for r in results]
        write_report_text(args.json, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    if args.junit:
        write_report_text(args.junit, junit_xml(results, failures, name, report.output, met=met))
    if args.csv:
        write_report_text(args.csv, results_csv(results, report.output))
    if args.html:
        write_html(args.html, report)
    if args.markdown:
        write_markdown(args.markdown, report)
