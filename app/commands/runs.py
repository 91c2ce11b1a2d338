"""``safeguard-studio runs``: list the stored runs (their ids are what ``compare`` takes).

Each run is named by what tells runs apart (:mod:`app.runs.stored.facts`): policy name and
version, test set, model, effort, seed, cases, samples and accuracy, then its status.
"""

from __future__ import annotations

import argparse
import json
import time

from app.commands.backend_options import add_db_argument, open_store
from app.runs.stored.facts import RunFacts, run_facts


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "runs",
        help="list stored runs, newest last",
        description="List the runs in the results database with their policy, model, "
        "cases and status; pass two of their ids to 'compare'.",
    )
    add_db_argument(parser)
    parser.add_argument("--json", action="store_true", help="print the runs as JSON")
    parser.add_argument(
        "--all", action="store_true", help="also list sample runs and single-case runs"
    )
    return parser


def _row(facts: RunFacts, samples: int) -> dict:
    r = facts.run
    return {
        "id": r.id, "policy_hash": r.policy_hash, "policy": facts.policy_name,
        "policy_version": facts.version, "test_set": facts.test_set, "model": r.model,
        "effort": facts.effort, "seed": facts.seed, "status": r.status, "cases": facts.cases,
        "samples": samples or 1, "accuracy": facts.accuracy, "scored": facts.scored,
        "started": r.started, "cases_path": r.cases_path, "settings": r.settings,
        "kind": r.kind,
    }  # fmt: skip


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def run(args: argparse.Namespace) -> int:
    store = open_store(args.db, must_exist=True)
    try:
        runs = store.list_runs(kind=None if args.all else "suite")
        facts = [run_facts(store, r) for r in runs]
        samples = {r.id: len(store.sample_runs(r.id)) for r in runs}
    finally:
        store.close()
    if args.json:
        rows = [_row(f, samples[f.run.id]) for f in facts]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not runs:
        print("No runs stored yet; run 'safeguard-studio eval' first.")
        return 0
    print(
        f"{'run id':<26} {'started':<16} {'policy':<24} {'test set':<18} {'model':<22} "
        f"{'effort':<6} {'seed':>6} {'cases':>5} {'k':>2} {'accuracy':>8} status"
    )
    for f in facts:
        r = f.run
        started = time.strftime("%Y-%m-%d %H:%M", time.localtime(r.started))
        print(
            f"{r.id:<26} {started:<16} {_fit(f.policy, 24):<24} {_fit(f.test_set or '—', 18):<18} "
            f"{_fit(f.model, 22):<22} {f.effort or '—':<6} {f.seed or '—':>6} {f.cases:>5} "
            f"{samples[r.id] or 1:>2} {f.accuracy_text():>8} {r.status}"
        )
    return 0
