"""Options shared by the commands that run the model (``classify``, ``eval``): the model
file, context, GPU layers and sampling, and how they become engine and run settings."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from app.commands import CommandError
from app.core import setting_limits as limits
from app.core.policy import Policy, PolicyError, load_policy
from app.core.run_types import EFFORTS, RENDERERS, EngineSettings, RunSettings
from app.core.settings_check import SEED_HELP
from app.reports.report import ReportError, check_report_path


def gpu_layers(value: str) -> int | str:
    if value == "auto":
        return value
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError("use auto, -1 (all), 0 (CPU only) or a number") from None


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """Model and sampling options shared by the commands that run the model."""
    parser.add_argument(
        "--model",
        default=os.environ.get("SAFEGUARD_MODEL") or None,
        help="path to a gpt-oss GGUF model file (local backend; default $SAFEGUARD_MODEL)",
    )
    parser.add_argument("--effort", choices=EFFORTS, default="medium", help="reasoning effort")
    parser.add_argument(
        "--ctx", type=int, default=limits.N_CTX.default, help="context size in tokens"
    )
    parser.add_argument(
        "--gpu-layers", type=gpu_layers, default=limits.GPU_LAYERS.default,
        help="auto (fit to free GPU memory, the default), -1 all, 0 CPU only, or a number",
    )  # fmt: skip
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument(
        "--max-tokens", type=int, default=limits.MAX_TOKENS.default,
        help="token budget of the answer",
    )  # fmt: skip
    parser.add_argument("--temperature", type=float, default=limits.TEMPERATURE.default)
    parser.add_argument("--top-p", type=float, default=limits.TOP_P.default)
    parser.add_argument("--seed", type=int, default=limits.SEED.default, help=SEED_HELP)
    parser.add_argument("--date", default=None, help="date for the system message, YYYY-MM-DD")
    parser.add_argument("--renderer", choices=RENDERERS, default="template")
    parser.add_argument("--grammar", type=Path, default=None, help="GBNF file to constrain output")
    parser.add_argument(
        "-v", "--verbose", action="store_true",
        help="say how the policy's answers are read (its output format, and the lines it "
        "was inferred from when the policy has no front matter)",
    )  # fmt: skip


def read_text_file(path: Path, what: str) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise CommandError(f"The {what} file {path} does not exist; check the path.") from None
    except IsADirectoryError:
        raise CommandError(f"{path} is a folder; give the {what} file inside it.") from None
    except UnicodeDecodeError:
        raise CommandError(f"The {what} file {path} is not UTF-8 text; save it as UTF-8.") from None


def load_policy_arg(path: Path, verbose: bool = False) -> Policy:
    """The policy file, its front-matter warnings printed; with ``verbose`` also the line that
    says how its answers are read (``policy check`` prints the same line)."""
    from app.commands.policy import format_line, print_warnings

    try:
        policy = load_policy(path)
    except PolicyError as exc:
        raise CommandError(str(exc)) from None
    if not policy.body.strip():
        raise CommandError(f"Policy {path} has no text after its front matter; write the policy.")
    print_warnings(policy)
    if verbose:
        print(format_line(policy), file=sys.stderr)
    return policy


def engine_settings(args: argparse.Namespace) -> EngineSettings:
    """The local engine's settings (the model file is checked when it loads)."""
    if not args.model:
        raise CommandError("Give the model file with --model, or use --backend remote.")
    try:
        model_path = Path(args.model).resolve()
    except (RuntimeError, OSError):  # a symlink loop (RuntimeError before Python 3.13)
        raise CommandError(
            f"The model path {args.model} is a symbolic link loop; point --model at the "
            ".gguf file itself."
        ) from None
    return EngineSettings(
        model_path=str(model_path),
        n_ctx=args.ctx,
        n_gpu_layers=args.gpu_layers,
        n_threads=args.threads,
    )


def run_settings(args: argparse.Namespace) -> RunSettings:
    grammar = read_text_file(args.grammar, "grammar") if args.grammar else None
    return RunSettings(
        effort=args.effort,
        temperature=args.temperature,
        top_p=args.top_p,
        seed=args.seed,
        max_tokens=args.max_tokens,
        date=args.date,
        renderer=args.renderer,
        grammar=grammar,
    )


def check_report_paths(*paths: Path | None) -> None:
    """Every report file asked for (None: not asked for) can be written: one CommandError
    sentence for the first that cannot, before any work is done."""
    try:
        for path in paths:
            if path:
                check_report_path(path)
    except ReportError as exc:
        raise CommandError(str(exc)) from None
