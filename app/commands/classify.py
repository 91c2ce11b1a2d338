"""``safeguard-studio classify``: one piece of content against one policy, headless.

Streams the model's reasoning to stderr as it arrives and prints the verdict (or one JSON
object with ``--json``) to stdout. Exit codes: 0 a verdict was read, 1 the model gave no
usable verdict or the run failed, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, replace
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
    load_policy_arg,
    read_text_file,
    run_settings,
)
from app.core.cases import TestCase
from app.core.records import StoredResult
from app.core.run_types import ClassifyResult, Delta
from app.runs.pipeline.results import CaseStored
from app.runs.pipeline.selection import RunJob


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "classify",
        help="classify one text against a policy",
        description="Classify TEXT (or --file F, or - for standard input) against a policy.",
    )
    add_policy_arguments(parser)  # --policy FILE or --starter KEY
    add_run_arguments(parser)
    add_backend_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quiet", action="store_true", help="do not stream the reasoning")
    add_db_argument(parser, "results database, also the result cache")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--file", type=Path, help="read the content from a UTF-8 file")
    parser.add_argument("text", nargs="?", help="the content, or - to read standard input")
    return parser


def read_content(args: argparse.Namespace) -> str:
    if args.file is not None:
        if args.text is not None:
            raise CommandError("Give the content either as TEXT or with --file, not both.")
        content = read_text_file(args.file, "content")
    elif args.text == "-":
        try:
            content = sys.stdin.buffer.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CommandError("Standard input is not UTF-8 text; convert it to UTF-8.") from None
    elif args.text is not None:
        content = args.text
    else:
        raise CommandError("Give the content to classify as TEXT, with --file F, or - for stdin.")
    if not content.strip():
        raise CommandError("The content is empty; give some text to classify.")
    return content


def result_json(result: ClassifyResult) -> dict:
    verdict = result.verdict
    return {
        "case_id": result.case_id,
        "label": verdict.label,
        "status": verdict.status.value,
        "violates": verdict.violates,
        "rule_codes": verdict.rule_codes,
        "rationale": verdict.rationale,
        "message": verdict.message,
        "tier": verdict.tier,
        "escalate": verdict.escalate,
        "depiction": verdict.depiction,
        "request": verdict.request,
        "final": result.final,
        "reasoning": result.analysis,
        "stop_reason": result.stop_reason,
        "tokens": asdict(result.tokens),
        "timings_ms": asdict(result.timings),
        "model": result.model,
    }


def run(args: argparse.Namespace) -> int:
    policy = load_policy_arg(args.policy, args.verbose)
    content = read_content(args)
    settings = run_settings(args)
    check_backend_arguments(args)
    job = RunJob(
        policy, [TestCase("cli", content)], settings, backend_config(args), kind="case"
    )  # fmt: skip
    stream = not args.quiet and not args.json
    stored: list[StoredResult] = []

    def on_event(event: object) -> None:
        if isinstance(event, Delta) and stream and event.channel == "analysis":
            sys.stderr.write(event.text)
            sys.stderr.flush()
        elif isinstance(event, CaseStored):
            stored.append(event.result)
            if stream and event.cached:  # nothing streamed: show the cached reasoning
                sys.stderr.write(event.result.analysis)

    with open_service(args.db) as service:
        outcome = service.run(job, on_event=on_event)
        facts = service.facts
        model = facts.model if facts else ""
    if stream:
        sys.stderr.write("\n")
    say_injection_note(facts)
    if not outcome.run_id:  # the engine could not load
        raise CommandError(outcome.message)
    if not stored:
        print("safeguard-studio: the run was cancelled.", file=sys.stderr)
        return 1
    row = stored[0]
    if row.status == "error":
        kind, _, message = row.message.partition(":")
        if kind == "grammar":  # bad input: exit 2 like any other
            raise CommandError(message.strip())
        print(f"safeguard-studio: {message.strip() or row.message}", file=sys.stderr)
        return 1
    result = replace(row.as_classify_result(), model=model)
    if args.json:
        print(json.dumps({**result_json(result), "cached": row.cached}, ensure_ascii=False))
    else:
        verdict = result.verdict
        if verdict.ok:
            codes = f" ({', '.join(verdict.rule_codes)})" if verdict.rule_codes else ""
            meaning = "violates" if verdict.violates else "does not violate"
            print(f"{verdict.display_label()}{codes} — {meaning}")  # INVALID SP3 ESCALATE
        else:
            print(f"{verdict.status.value}: {verdict.message}")
        tokens, timings = result.tokens, result.timings
        source = " (from the result cache)" if row.cached else ""
        print(
            f"{tokens.prompt} prompt tokens ({tokens.reused} reused), {tokens.generated} "
            f"generated in {(timings.prompt_ms + timings.generate_ms) / 1000:.2f} s{source}",
            file=sys.stderr,
        )
    return 0 if result.verdict.ok else 1
