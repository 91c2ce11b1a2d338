"""``safeguard-studio label``: the model labels every row of a file under a policy.

Every row goes through the one run pipeline (:func:`app.runs.label_rows.label_rows`, shared
with the window's *Test set ▸ Label a file…*, over :class:`~app.runs.pipeline.service.RunService`: result
cache, concurrency, the same engine options as ``eval``), so a second call on the same file
costs nothing for the rows already answered, and an interrupted call (Ctrl+C) resumes its
unfinished run. Progress goes to stderr (``-q`` silences it); the input rows come back in
``--out`` with the answer columns of :mod:`app.importing.label_file` appended.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.commands import CommandError
from app.commands.backend_options import (
    add_backend_arguments,
    add_db_argument,
    backend_config,
    check_backend_arguments,
    open_service,
)
from app.commands.policies import add_policy_arguments
from app.commands.run_options import (
    add_run_arguments,
    check_report_paths,
    load_policy_arg,
    run_settings,
)
from app.importing.label_file import (
    LabelFileError,
    default_out,
    read_label_input,
)
from app.runs.label_rows import label_rows
from app.runs.pipeline.results import CaseStored


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "label",
        help="label every row of a CSV, TSV or JSONL file with the model",
        description="Run a policy over every row of a file and write the rows back with "
        "label, tier, rules, escalate, status, rationale and reasoning columns.",
    )
    add_policy_arguments(parser)  # --policy FILE or --starter KEY
    parser.add_argument("file", type=Path, metavar="FILE", help="a .csv, .tsv or .jsonl file")
    parser.add_argument("--content-col", default=None, metavar="C",
                        help="the column with the content (default: content or text)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=None, metavar="OUT",
                        help="where to write (.csv or .jsonl; default FILE.labelled.csv)")  # fmt: skip
    add_run_arguments(parser)
    add_backend_arguments(parser)
    add_db_argument(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    return parser


def _progress(quiet: bool):  # noqa: ANN202
    def show(event: object) -> None:
        if isinstance(event, CaseStored):
            end = "\n" if event.index == event.total else ""
            print(f"\rlabelled {event.index} of {event.total}", end=end, file=sys.stderr)

    return (lambda _event: None) if quiet else show


def run(args: argparse.Namespace) -> int:
    policy = load_policy_arg(args.policy, args.verbose)
    try:
        data = read_label_input(args.file, args.content_col)
    except LabelFileError as exc:
        raise CommandError(str(exc)) from None
    out = args.out or default_out(args.file)
    if out.suffix.lower() not in (".csv", ".jsonl"):
        raise CommandError(f"Write the labels to a .csv or .jsonl file, not {out.name}.")
    check_report_paths(out)
    check_backend_arguments(args)
    with open_service(args.db) as service:
        done = label_rows(
            service, policy, data, run_settings(args), backend_config(args),
            source=args.file, out=out, on_event=_progress(args.quiet),
        )  # fmt: skip
    if not args.quiet:
        print(done.summary(), file=sys.stderr)
    if not done.finished:
        print(f"safeguard-studio: {done.stop_reason()}; run the same command again to resume.",
              file=sys.stderr)  # fmt: skip
        return 1
    return 0
