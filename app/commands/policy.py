"""``safeguard-studio policy check FILE``: what the app reads from a policy, without a model.

Prints the output format (declared in the front matter, or inferred from the text with what
was read on which line), front-matter warnings, the rule codes with their lines, and the lint
hints. Exit codes: 0 the format is known, 2 no format could be inferred or the file is bad.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.commands import CommandError
from app.core.policy import Policy, PolicyError, lint_policy, load_policy


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "policy",
        help="check a policy file: output format, rule codes, hints",
        description="Work with policy files without running the model.",
    )
    actions = parser.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check",
        help="print the output format (declared or inferred), rule codes and lint hints",
        description="Print how the app reads FILE: its output format (from the front matter, "
        "or inferred from the text with the lines it came from), its rule codes and the lint "
        "hints. Exits 2 when no output format can be inferred.",
    )
    check.add_argument("file", type=Path, help="policy file (.md or .txt)")
    return parser


def format_line(policy: Policy) -> str:
    """The one line that says how answers are read ("Format: Output: VALID / INVALID, …")."""
    return f"Format: {policy.format.summary()}" if policy.format else "Format: Output: 0 / 1"


def print_warnings(policy: Policy) -> None:
    """Front-matter warnings (a misspelt key, ...) to stderr, one line each."""
    for warning in policy.warnings:
        print(f"safeguard-studio: warning: {warning}", file=sys.stderr)


def check(path: Path) -> int:
    try:
        policy = load_policy(path)
    except PolicyError as exc:
        raise CommandError(str(exc)) from None
    print_warnings(policy)
    print(format_line(policy))
    for line, what in policy.format.details if policy.format else ():
        print(f"  line {line}: {what}")
    codes = [rule for rule in policy.rule_codes if rule.line > policy.body_line_offset]
    if codes:
        print("Rule codes:")
        for rule in codes:
            title = f" {rule.title}" if rule.title else ""
            print(f"  {rule.code} (line {rule.line}){title}")
    else:
        print("Rule codes: none defined")
    hints = lint_policy(policy.text, policy.output)
    print(f"Hints: {len(hints)}" if hints else "Hints: none")
    for hint in hints:
        where = f"line {hint.line}: " if hint.line else ""
        print(f"  {hint.severity}: {where}{hint.message}")
    return 2 if policy.format is not None and policy.format.problem else 0


def run(args: argparse.Namespace) -> int:
    return check(args.file)
