"""``safeguard-studio policies``: the starter policies shipped with the app, and their paths.

``classify`` and ``eval`` take ``--starter KEY`` instead of ``--policy FILE`` (the starter's
test set comes with it: ``cases.jsonl`` beside the policy), so an installed CLI reaches the
starters without knowing where the bundle keeps them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.commands import CommandError
from app.runs.starters import find_starter, list_starters


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "policies",
        help="list the starter policies and where they are",
        description="List the starter policies shipped with the app, with the key that "
        "classify --starter and eval --starter take and the path of each policy file.",
    )
    return parser


def run(_args: argparse.Namespace) -> int:
    starters = list_starters()
    if not starters:
        raise CommandError("No starter policies were found; reinstall the app to get them back.")
    width = max(len(starter.key) for starter in starters)
    for starter in starters:
        print(f"{starter.key:<{width}}  {starter.name}: {starter.path}")
    print("\nUse one with --starter KEY in classify or eval (its test set comes with it).")
    return 0


def starter_path(value: str) -> Path:
    """argparse type of ``--starter``: the starter's policy file, or one sentence."""
    starter = find_starter(value)
    if starter is None:
        keys = ", ".join(s.key for s in list_starters()) or "none installed"
        raise argparse.ArgumentTypeError(
            f"there is no starter policy {value!r}; the starters are: {keys}"
        )
    return starter.path


def add_policy_arguments(parser: argparse.ArgumentParser) -> None:
    """``--policy FILE`` or ``--starter KEY`` (one of them), both into ``args.policy``."""
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--policy", type=Path, help="policy Markdown file")
    group.add_argument(
        "--starter", dest="policy", type=starter_path, metavar="KEY",
        help="a starter policy shipped with the app (see: safeguard-studio policies)",
    )  # fmt: skip
