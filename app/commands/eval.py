"""``safeguard-studio eval``: run a policy over its test set headlessly, for CI.

Uses the same store and result cache as the GUI (unchanged cases cost nothing), prints a
metrics table and a confusion matrix, writes optional JSON / JUnit / CSV / HTML / Markdown
reports, and exits 0 when every ``--fail-under`` threshold holds, 1 when one fails, and 2
for bad input (with one sentence on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.commands import CommandError
from app.commands.backend_options import (
    add_backend_arguments,
    check_backend_arguments,
    concurrent_factory,
)
from app.commands.backend_options import make_engine as backend_make_engine
from app.commands.run_options import add_run_arguments, engine_settings, run_settings
from app.core.cases import CasesError, cases_path_for, load_cases
from app.core.errors import EngineError
from app.core.fingerprint import ModelFingerprint, model_fingerprint, template_hash
from app.core.metrics import (
    Metrics,
    check_thresholds,
    format_ratio,
    parse_thresholds,
)
from app.core.policy import PolicyError, load_policy
from app.core.report import (
    ReportError,
    build_run_report,
    check_report_path,
    write_html,
    write_markdown,
    write_report_text,
)
from app.core.report_formats import junit_xml, results_csv
from app.core.store import Store, StoreError
from app.engine.protocol import Engine
from app.runs.suite import ORDERS, run_suite

REPORT_KINDS = ("json", "junit", "csv", "html", "markdown")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "eval",
        help="run a policy over a labelled test set and report metrics",
        description="Run a policy over a labelled test set with the result cache, print "
        "metrics and a confusion matrix; exit 1 when a --fail-under threshold fails.",
    )
    parser.add_argument("--policy", required=True, type=Path, help="policy Markdown file")
    parser.add_argument("--cases", type=Path, help="test set JSONL (default: beside the policy)")
    add_run_arguments(parser)
    add_backend_arguments(parser)
    parser.add_argument("--order", choices=ORDERS, default="file")
    parser.add_argument("--fail-under", default="", metavar="NAME=VALUE,...")
    parser.add_argument("--db", type=Path, help="results database (default: in the data folder)")
    parser.add_argument("--note", default="", help="note stored with this policy version")
    for fmt in REPORT_KINDS:
        parser.add_argument(f"--{fmt}", type=Path, metavar="PATH", help=f"write a {fmt} report")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the metrics")
    return parser


def make_engine(args: argparse.Namespace) -> tuple[Engine, dict]:
    """Build the engine the options ask for; return it with the facts ``load`` gave.

    The local model is loaded only when a case misses the cache (see LazyEngine)."""
    if args.backend == "remote":
        return backend_make_engine(args, None)
    from app.engine.lazy import LazyEngine
    from app.engine.local.engine import LocalEngine

    engine = LazyEngine(LocalEngine())
    try:
        return engine, engine.load(engine_settings(args))
    except EngineError as exc:
        raise CommandError(str(exc)) from None


def model_identity(args: argparse.Namespace) -> ModelFingerprint | str:
    """What the result cache keys on: the GGUF's fingerprint, or the server and model name."""
    if args.backend == "remote":
        return f"{args.base_url.rstrip('/')}#{args.remote_model}"
    return model_fingerprint(args.model)


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


def confusion_table(metrics: Metrics) -> str:
    cm = metrics.confusion
    corner = "expected \\ predicted"
    first = max(len(corner), *(len(r) for r in cm.rows))
    width = max(6, *(len(c) for c in cm.columns)) + 1
    lines = [corner.ljust(first) + "".join(c.rjust(width) for c in cm.columns)]
    for row, counts in zip(cm.rows, cm.matrix(), strict=True):
        lines.append(row.ljust(first) + "".join(str(n).rjust(width) for n in counts))
    return "\n".join(lines)


def _load_inputs(args: argparse.Namespace):
    try:
        thresholds = parse_thresholds(args.fail_under)
    except ValueError as exc:
        raise CommandError(f"--fail-under: {exc}.") from None
    try:
        policy = load_policy(args.policy)
        cases_path = args.cases or cases_path_for(args.policy)
        if not Path(cases_path).is_file():
            raise CommandError(f"Test set {cases_path} does not exist; pass --cases.")
        cases = load_cases(cases_path)
    except (PolicyError, CasesError) as exc:
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
    settings = run_settings(args)
    try:
        for kind in REPORT_KINDS:
            if getattr(args, kind):
                check_report_path(getattr(args, kind))
    except ReportError as exc:
        raise CommandError(str(exc)) from None
    if args.backend == "local":
        engine_settings(args)  # every setting checked before the database or model opens
    try:
        store = Store(args.db)
    except StoreError as exc:
        raise CommandError(str(exc)) from None
    try:
        engine, info = make_engine(args)
    except (EngineError, CommandError) as exc:
        store.close()
        raise CommandError(str(exc)) from None
    try:
        template = info.get("template_hash") or template_hash(
            info.get("chat_template"), settings.renderer
        )
        summary = run_suite(
            engine, policy, cases, settings, store=store,
            model_fingerprint=model_identity(args), template_hash=template,
            order=args.order, cases_path=str(cases_path.resolve()), note=args.note,
            concurrency=args.concurrency,
            engine_factory=(
                concurrent_factory(engine)
                if args.concurrency > 1 and args.backend == "remote"
                else None
            ),
        )  # fmt: skip
        report = build_run_report(store, summary.run_id)
    finally:
        engine.close()
        store.close()
    metrics, results = report.metrics, report.results
    failures = check_thresholds(metrics, thresholds)
    if not args.quiet:
        print(f"Run {summary.run_id}: {summary.done} cases ({summary.cached} cached, "
              f"{summary.failed} errors) of {policy.name} on {info.get('model', '')}")  # fmt: skip
    print(metrics_table(metrics))
    print()
    print(confusion_table(metrics))
    try:
        if args.json:
            data = {"run": summary.__dict__, "metrics": metrics.to_dict(), "failures": failures}
            data["results"] = [r.__dict__ for r in results]
            write_report_text(args.json, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        if args.junit:
            write_report_text(args.junit, junit_xml(results, failures, policy.name))
        if args.csv:
            write_report_text(args.csv, results_csv(results))
        if args.html:
            write_html(args.html, report)
        if args.markdown:
            write_markdown(args.markdown, report)
    except ReportError as exc:
        raise CommandError(str(exc)) from None
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
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
            return 1
    return 1 if failures else 0
