"""``safeguard-studio compare RUN_A RUN_B``: two stored runs side by side.

Prints the agreement matrix, accuracy and F1 of each with the difference and McNemar's exact
p-value, tokens and seconds per case, and the cases where the runs disagree; ``--json`` and
``--markdown`` write the same (the JSON carries ``mcnemar_p``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from app.commands import CommandError
from app.commands.backend_options import add_db_argument, open_store
from app.commands.run_options import check_report_paths
from app.reports.analysis import comparison_markdown
from app.reports.report import ReportError, write_report_text
from app.runs.stored.history import compare_stored_runs
from app.scoring.outcome import prediction
from app.scoring.run_compare import RunComparison


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "compare",
        help="compare two stored runs over the same cases",
        description="Compare two runs (ids from 'safeguard-studio runs'): agreement, "
        "accuracy/F1 with McNemar's exact test, cost per case, and the disagreements.",
    )
    parser.add_argument("run_a", metavar="RUN_A")
    parser.add_argument("run_b", metavar="RUN_B")
    add_db_argument(parser)
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the comparison as JSON")
    parser.add_argument("--markdown", type=Path, metavar="PATH", help="write it as Markdown")
    return parser


def comparison_text(cmp: RunComparison) -> str:
    """The comparison as plain text for the terminal."""
    lines = [f"A = {cmp.run_a}", f"B = {cmp.run_b}", cmp.summary(), ""]
    width = max(8, *(len(label) + 1 for label in cmp.labels)) if cmp.labels else 8
    lines.append("A \\ B".ljust(width) + "".join(b.rjust(width) for b in cmp.labels))
    for a in cmp.labels:
        lines.append(a.ljust(width) + "".join(str(cmp.cell(a, b)).rjust(width) for b in cmp.labels))
    lines.append("")
    lines.append(f"{'':<18}{'A':>10}{'B':>10}{'B - A':>10}")
    for name, a, b, delta in cmp.table_rows():
        lines.append(f"{name:<18}{a:>10}{b:>10}{delta:>10}")
    if cmp.disagreements:
        lines += ["", f"Disagreements ({len(cmp.disagreements)}):"]
        for d in cmp.disagreements:
            lines.append(
                f"  {d.case_id}: expected {d.expected or '—'}, "
                f"A {prediction(d.a)}, B {prediction(d.b)}"
            )
    if cmp.only_a or cmp.only_b:
        lines.append(f"Cases in one run only: {len(cmp.only_a)} in A, {len(cmp.only_b)} in B.")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    check_report_paths(args.json, args.markdown)  # refused before any work
    store = open_store(args.db, must_exist=True)
    try:
        cmp = compare_stored_runs(store, args.run_a, args.run_b)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    finally:
        store.close()
    if not cmp.cases:
        raise CommandError(
            f"Runs {args.run_a} and {args.run_b} share no case; compare runs of one test set."
        )
    print(comparison_text(cmp))
    try:
        if args.json:
            text = json.dumps(cmp.to_dict(), indent=2, ensure_ascii=False)
            write_report_text(args.json, text + "\n")
        if args.markdown:
            write_report_text(args.markdown, comparison_markdown(cmp))
    except ReportError as exc:
        raise CommandError(str(exc)) from None
    return 0
