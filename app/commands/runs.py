"""``safeguard-studio runs``: list the stored runs (their ids are what ``compare`` takes)."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from app.commands.backend_options import open_store


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "runs",
        help="list stored runs, newest last",
        description="List the runs in the results database with their policy, model, "
        "cases and status; pass two of their ids to 'compare'.",
    )
    parser.add_argument("--db", type=Path, help="results database (default: in the data folder)")
    parser.add_argument("--json", action="store_true", help="print the runs as JSON")
    parser.add_argument(
        "--all", action="store_true", help="also list sample runs and single-case runs"
    )
    return parser


def run(args: argparse.Namespace) -> int:
    store = open_store(args.db, must_exist=True)
    try:
        runs = store.list_runs(kind=None if args.all else "suite")
        counts = {
            r.id: store.connection()
            .execute("SELECT COUNT(*) FROM results WHERE run_id=?", (r.id,))
            .fetchone()[0]
            for r in runs
        }
        samples = {r.id: len(store.sample_runs(r.id)) for r in runs}
    finally:
        store.close()
    if args.json:
        rows = [
            {"id": r.id, "policy_hash": r.policy_hash, "model": r.model, "status": r.status,
             "cases": counts[r.id], "samples": samples[r.id] or 1, "started": r.started,
             "cases_path": r.cases_path, "settings": r.settings, "kind": r.kind}
            for r in runs
        ]  # fmt: skip
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not runs:
        print("No runs stored yet; run 'safeguard-studio eval' first.")
        return 0
    print(f"{'run id':<26} {'started':<16} {'policy':<8} {'cases':>5} {'k':>2} {'status':<9} model")
    for r in runs:
        started = time.strftime("%Y-%m-%d %H:%M", time.localtime(r.started))
        print(
            f"{r.id:<26} {started:<16} {r.policy_hash[:8]:<8} {counts[r.id]:>5} "
            f"{samples[r.id] or 1:>2} {r.status:<9} {r.model}"
        )
    return 0
