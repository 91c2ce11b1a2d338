"""``safeguard-studio classify``: one piece of content against one policy, headless.

Streams the model's reasoning to stderr as it arrives and prints the verdict (or one JSON
object with ``--json``) to stdout. Exit codes: 0 a verdict was read, 1 the model gave no
usable verdict or the run failed, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from app.commands import CommandError
from app.commands.backend_options import add_backend_arguments, check_backend_arguments, make_engine
from app.commands.run_options import (
    add_run_arguments,
    engine_settings,
    load_policy_arg,
    read_text_file,
    run_settings,
)
from app.core.run_types import ClassifyRequest, ClassifyResult, Delta, Failed, Finished


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "classify",
        help="classify one text against a policy",
        description="Classify TEXT (or --file F, or - for standard input) against a policy.",
    )
    parser.add_argument("--policy", required=True, type=Path, help="policy Markdown file")
    add_run_arguments(parser)
    add_backend_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quiet", action="store_true", help="do not stream the reasoning")
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
        "final": result.final,
        "reasoning": result.analysis,
        "stop_reason": result.stop_reason,
        "tokens": asdict(result.tokens),
        "timings_ms": asdict(result.timings),
        "model": result.model,
    }


def run(args: argparse.Namespace) -> int:
    policy = load_policy_arg(args.policy)
    content = read_content(args)
    check_backend_arguments(args)
    settings = engine_settings(args) if args.backend == "local" else None
    request = ClassifyRequest("cli", policy.body, content, run_settings(args), policy.output)

    stream = not args.quiet and not args.json
    engine, _ = make_engine(args, settings)
    with engine:
        result = None
        for event in engine.classify(request):
            if isinstance(event, Delta) and stream and event.channel == "analysis":
                sys.stderr.write(event.text)
                sys.stderr.flush()
            elif isinstance(event, Finished):
                result = event.result
            elif isinstance(event, Failed):
                print(f"safeguard-studio: {event.message}", file=sys.stderr)
                return 1
    if stream:
        sys.stderr.write("\n")
    if result is None:
        print("safeguard-studio: the run was cancelled.", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result_json(result), ensure_ascii=False))
    else:
        verdict = result.verdict
        if verdict.ok:
            codes = f" ({', '.join(verdict.rule_codes)})" if verdict.rule_codes else ""
            meaning = "violates" if verdict.violates else "does not violate"
            print(f"{verdict.label}{codes} — {meaning}")
        else:
            print(f"{verdict.status.value}: {verdict.message}")
        tokens, timings = result.tokens, result.timings
        print(
            f"{tokens.prompt} prompt tokens ({tokens.reused} reused), {tokens.generated} "
            f"generated in {(timings.prompt_ms + timings.generate_ms) / 1000:.2f} s",
            file=sys.stderr,
        )
    return 0 if result.verdict.ok else 1
