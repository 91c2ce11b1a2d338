"""``safeguard-studio review``: agreement of a reviewed run, and shared review files.

* ``review [--run RUN] [--json]`` — the agreement figures of a run's reviews (default: the
  newest run), as lines or as JSON;
* ``review export RUN OUT.jsonl`` — the run and its reviews, for a colleague;
* ``review import FILE`` — their reviews back (matched by case id and content hash;
  conflicts listed, never overwritten).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from app.commands import CommandError
from app.commands.backend_options import add_db_argument, open_store
from app.core.reviews import ReviewError
from app.runs.review.files import export_reviews, import_reviews
from app.runs.review.session import run_agreement


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "review",
        help="agreement of reviewed answers; export and import review files",
        description="Print how reviewers agree with the model and with each other on a run, "
        "or move reviews between data folders with a review file.",
    )
    parser.add_argument("--run", default=None, help="run id (default: the newest run)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    add_db_argument(parser)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=False)
    export = actions.add_parser("export", help="write a run and its reviews to a JSONL file")
    export.add_argument("run_id", metavar="RUN")
    export.add_argument("out", type=Path, metavar="OUT.jsonl")
    imported = actions.add_parser("import", help="read a colleague's review file")
    imported.add_argument("file", type=Path, metavar="FILE")
    return parser


def run(args: argparse.Namespace) -> int:
    store = open_store(args.db)
    try:
        if args.action == "export":
            count = export_reviews(store, args.run_id, args.out)
            print(f"{count} reviews of run {args.run_id} written to {args.out}")
        elif args.action == "import":
            for sentence in import_reviews(store, args.file).sentences():
                print(sentence)
        else:
            _show(store, args)
    except ReviewError as exc:
        raise CommandError(str(exc)) from None
    except OSError as exc:
        raise CommandError(
            f"Could not write or read the file ({exc.strerror}); check the path."
        ) from None
    finally:
        store.close()
    return 0


def _show(store, args: argparse.Namespace) -> None:  # noqa: ANN001
    run_id = args.run
    if run_id is None:
        runs = store.list_runs()
        if not runs:
            raise CommandError("There are no runs yet; run a policy over a test set first.")
        run_id = runs[-1].id
    summary = run_agreement(store, run_id)
    if args.json:
        print(json.dumps({"run": run_id, **summary.to_dict()}, indent=2, ensure_ascii=False))
    else:
        print(f"Run {run_id}")
        print("\n".join(summary.lines()))
