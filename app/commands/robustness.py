"""``safeguard-studio robustness``: does the policy hold under attack?

Makes seeded variants of the test set's cases (``--families leet,homoglyph,base64``,
``--variants N`` per case per family), runs the clean cases and the variants through the
same store and result cache as ``eval``, and prints per family the share of cases whose
label changed, evasions (violating → allowed) and false alarms with 95% intervals, McNemar's
exact p against the clean run and hit@k. Exit 1 when a family's evasion rate is over
``--fail-over``, 2 on bad input (one sentence on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.commands import CommandError
from app.commands.backend_options import (
    add_backend_arguments,
    add_db_argument,
    backend_config,
    open_service,
)
from app.commands.eval import _load_inputs
from app.commands.run_options import add_run_arguments, check_report_paths, run_settings
from app.reports.report import ReportError, write_report_text
from app.reports.robustness import (
    family_row,
    header,
    render_html,
    render_junit,
    render_markdown,
    report_json,
)
from app.runs.pipeline.selection import RunJob
from app.runs.robustness import WHICH, RobustnessJob, run_robustness
from app.scoring.stability import SAMPLE_COUNTS
from app.variants.families import FAMILIES, PRESETS

REPORT_KINDS = ("json", "junit", "html", "markdown")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "robustness",
        help="run seeded adversarial variants of the test set and report label flips",
        description="Make seeded variants of each case (leetspeak, homoglyphs, encodings, "
        "framing, injection...), run them with the result cache and report which labels "
        "gave way per family, rule and tier; exit 1 when --fail-over is exceeded.",
    )
    parser.add_argument("--policy", required=True, type=Path, help="policy Markdown file")
    parser.add_argument("--cases", type=Path, help="test set JSONL (default: beside the policy)")
    parser.add_argument(
        "--families", default="obfuscation", metavar="NAMES",
        help=f"comma-separated families, presets ({', '.join(PRESETS)}) or two joined by + "
        f"(leet+spaced); families: {', '.join(FAMILIES)}",
    )  # fmt: skip
    parser.add_argument("--variants", type=int, default=1, metavar="N", help="per case and family")
    parser.add_argument("--which", choices=[w for w in WHICH if w != "selected"], default="all",
                        help="which cases to make variants of")  # fmt: skip
    parser.add_argument("--variant-seed", type=int, default=None, metavar="SEED",
                        help="seed of the variants (default: --seed)")  # fmt: skip
    parser.add_argument("--family-file", type=Path, action="append", default=[], metavar="PATH",
                        help="a JSON family file of your own (repeatable)")  # fmt: skip
    add_run_arguments(parser)
    add_backend_arguments(parser)
    parser.add_argument(
        "--samples", type=int, choices=(1, *SAMPLE_COUNTS), default=1, metavar="K",
        help="sample every case and variant K times (3, 5 or 10); a case counts as changed "
        "when any sample flips (hit@K)",
    )  # fmt: skip
    parser.add_argument("--fail-over", type=float, default=None, metavar="RATE",
                        help="exit 1 when any family's evasion rate is over RATE (0.1)")  # fmt: skip
    parser.add_argument("--against", metavar="RUN_ID",
                        help="an earlier robustness run (before a policy edit): print per "
                        "family which variants this edit fixed and broke")  # fmt: skip
    add_db_argument(parser)
    for fmt in REPORT_KINDS:
        parser.add_argument(f"--{fmt}", type=Path, metavar="PATH", help=f"write a {fmt} report")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the table")
    return parser


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
                     for row in rows)  # fmt: skip


def _check_options(args: argparse.Namespace) -> None:
    """One sentence for an option that cannot work, before anything runs."""
    if args.fail_over is not None and not 0 <= args.fail_over <= 1:
        raise CommandError("--fail-over must be a share between 0 and 1, e.g. 0.1.")
    check_report_paths(*(getattr(args, kind) for kind in REPORT_KINDS))


def run(args: argparse.Namespace) -> int:
    _check_options(args)
    args.fail_under = ""  # eval's input loader reads it
    policy, cases, cases_path, _ = _load_inputs(args)
    base = RunJob(policy, cases, run_settings(args), backend_config(args),
                  cases_path=str(cases_path.resolve()), samples=args.samples)  # fmt: skip
    families = tuple(name for name in args.families.split(",") if name.strip())
    job = RobustnessJob(base, families, args.variants, args.which, args.variant_seed,
                        tuple(args.family_file), against=args.against or "")  # fmt: skip
    with open_service(args.db) as service:
        outcome = run_robustness(service, job)
    if outcome.report is None:
        raise CommandError(outcome.message or "The robustness run did not finish.")
    report = outcome.report
    if not args.quiet:
        print(f"Robustness run {outcome.run_id}: {outcome.variants} variants of {len(cases)} "
              f"cases, against clean run {outcome.clean_run_id} of {policy.name}")  # fmt: skip
    if not report.families:  # nothing compared: no gate may pass on it (exit 1, not 2)
        print("safeguard-studio: no variant could be compared with its case: no clean case "
              "got a verdict, or no variant did; run `eval` on the clean cases, fix what it "
              "reports, then run this again.", file=sys.stderr)  # fmt: skip
        return 1
    rows = [header(report.k)] + [family_row(f) for f in report.families]
    print(_table(rows))
    for line in outcome.edit:
        print(line)
    _write_reports(args, report, f"Robustness of {policy.name}")
    over = report.over(args.fail_over) if args.fail_over is not None else []
    for f in over:
        print(f"FAIL: {f.family} evasion {f.evasion_rate:.3f} over {args.fail_over}",
              file=sys.stderr)  # fmt: skip
    return 1 if over else 0


def _write_reports(args: argparse.Namespace, report, title: str) -> None:
    try:
        if args.json:
            data = report_json(report, args.fail_over)
            write_report_text(args.json, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        if args.junit:
            write_report_text(args.junit, render_junit(report, args.fail_over, title))
        if args.html:
            write_report_text(args.html, render_html(report, title))
        if args.markdown:
            write_report_text(args.markdown, render_markdown(report, title))
    except ReportError as exc:
        raise CommandError(str(exc)) from None
