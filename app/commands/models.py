"""``safeguard-studio models``: list, pull, add, check and choose the gpt-oss-safeguard model.

    safeguard-studio models list                  catalog entries and added files, with state
    safeguard-studio models pull NAME             download a catalog entry (or OWNER/REPO/FILE.gguf)
    safeguard-studio models add PATH              register a GGUF that is already on disk
    safeguard-studio models check PATH            validate a GGUF and estimate its memory
    safeguard-studio models check --probe PATH    ... and run the two-case harmony self-check
    safeguard-studio models use NAME              make a model the active one (window and CLI)

``pull`` draws one progress line on stderr (bytes, percent, speed, ETA) and resumes a
download that was interrupted. Errors are one sentence (CommandError).
"""

from __future__ import annotations

import argparse
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from app.commands import CommandError
from app.commands.run_options import read_text_file
from app.core import setting_limits as limits
from app.core.errors import EngineError
from app.library import catalog
from app.library.download import Progress, download_entry, download_file
from app.library.hardware import choose_gpu_layers, detect_hardware
from app.library.memory import estimate_memory, fit_summary
from app.library.modelfile import ModelInfo, format_bytes, inspect_model
from app.runs.backends.choice import update_choice


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("models", help="list, download, add, check and choose models")
    parser.add_argument(
        "--models-dir", help="models folder (default: $SAFEGUARD_MODELS_DIR or the data folder)"
    )
    actions = parser.add_subparsers(dest="models_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="catalog entries and added files with their state")
    listing.add_argument(
        "--ctx", type=int, default=limits.N_CTX.default, help="context size for the memory estimate"
    )
    pull = actions.add_parser("pull", help="download a catalog entry or OWNER/REPO/FILE.gguf")
    pull.add_argument("name")
    pull.add_argument("--revision", default="main")
    add = actions.add_parser("add", help="register a GGUF file that is already on disk")
    add.add_argument("path")
    add.add_argument("--name", help="name to list it under (default: the file name)")
    check = actions.add_parser("check", help="validate a GGUF and estimate the memory it needs")
    check.add_argument("path")
    check.add_argument(
        "--ctx", type=int, default=limits.N_CTX.default, help="context size for the memory estimate"
    )
    probe_help = "load the model and run a two-case self-check of its template, tokens, answers"
    check.add_argument("--probe", action="store_true", help=probe_help)
    grammar_help = "GBNF constraint for the self-check's answers (for random-weight test models)"
    check.add_argument("--grammar", type=Path, metavar="FILE", help=grammar_help)
    use = actions.add_parser("use", help="make a model the active one")
    use.add_argument("name", help="catalog id, added name, or path to a GGUF")
    return parser


def run(args: argparse.Namespace) -> int:
    handlers = {"list": _list, "pull": _pull, "add": _add, "check": _check, "use": _use}
    try:
        return handlers[args.models_action](args)
    except EngineError as exc:
        raise CommandError(str(exc)) from exc


def _list(args: argparse.Namespace) -> int:
    items = catalog.list_models(args.models_dir, n_ctx=args.ctx, hardware=detect_hardware())
    rows = [("", "NAME", "STATE", "SIZE", "QUANT", f"MEMORY AT {args.ctx:,} TOKENS")]
    for item in items:
        size = (
            item.size_on_disk
            if item.state in (catalog.READY, catalog.INVALID)
            else item.expected_size
        )
        quant = (
            item.info.quantization if item.info else (item.entry.quantization if item.entry else "")
        )
        state = item.state
        if item.state == catalog.PARTIAL and item.expected_size:
            state = f"partial {item.size_on_disk / item.expected_size:.0%}"
        if item.entry is not None and item.entry.server_class:
            state += " (server)"
        rows.append(
            (
                "*" if item.active else "",
                item.name,
                state,
                format_bytes(size),
                quant,
                item.fit or "",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1]
        )
    for item in items:
        if item.problem:
            print(f"{item.name}: {item.problem}", file=sys.stderr)
    return 0


def _pull(args: argparse.Namespace) -> int:
    entry = catalog.find_entry(args.name, catalog.load_catalog())
    line = ProgressLine(sys.stderr)
    cancel = threading.Event()
    kwargs = {
        "folder": args.models_dir,
        "revision": args.revision,
        "progress": line,
        "cancel": cancel,
    }
    try:
        if entry is not None:
            path = download_entry(entry, **kwargs)
        else:
            repo_id, filename = _split_repo_file(args.name)
            path = download_file(repo_id, filename, **kwargs)
    except KeyboardInterrupt:
        line.finish()
        print("Download paused; run the same command to resume it.", file=sys.stderr)
        raise
    finally:
        line.finish()
    info = inspect_model(path)
    print(f"Downloaded {path} ({info.quantization}, {info.n_params / 1e9:.1f}B parameters).")
    return 0


def _split_repo_file(name: str) -> tuple[str, str]:
    parts = name.strip("/").split("/")
    if len(parts) < 3 or not name.lower().endswith(".gguf"):
        raise CommandError(
            f"{name!r} is not in the catalog; give a catalog id ('models list') or OWNER/REPO/FILE.gguf."
        )
    return "/".join(parts[:2]), "/".join(parts[2:])


def _add(args: argparse.Namespace) -> int:
    item = catalog.add_model(args.path, args.name)
    for warning in item.info.warnings if item.info else ():
        print(f"warning: {warning}", file=sys.stderr)
    print(f"Added {item.name}: {item.path}")
    return 0


def _check(args: argparse.Namespace) -> int:
    info = inspect_model(args.path)
    hardware = detect_hardware()
    estimate = estimate_memory(info, args.ctx)
    plan = choose_gpu_layers(
        "auto", estimate, gpu_offload=hardware.gpu_offload, vram_free=hardware.vram_free
    )
    for label, value in _describe(info):
        print(f"{label:<16}{value}")
    print(f"{'memory':<16}{estimate.describe()}")
    fit = fit_summary(
        estimate,
        ram_available=hardware.ram_available,
        vram_free=hardware.vram_free,
        gpu_offload=hardware.gpu_offload,
    )
    print(f"{'fit':<16}{fit}")
    print(f"{'backend':<16}{hardware.backend}: {plan.reason}")
    for warning in info.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return _probe(args) if args.probe else 0


def _probe(args: argparse.Namespace) -> int:
    """Run the self-check on a fresh local engine; print each check; 1 when it fails."""
    from app.runs.backends.config import BackendConfig, build_engine
    from app.runs.backends.model_checks import check_model, probe_settings
    from app.runs.backends.probe import PROBE_RUN

    run = PROBE_RUN
    if args.grammar is not None:
        run = replace(run, grammar=read_text_file(args.grammar, "grammar"))
    settings = probe_settings(args.path)
    # not lazy: the probe needs what the real load finds out (the special tokens)
    engine = build_engine(BackendConfig(engine=settings), lazy=False)
    try:
        checked = check_model(engine, settings, run)
    finally:
        engine.close()
    if checked is None:
        raise CommandError("The self-check was stopped before it finished; run it again.")
    for name, passed, detail in checked.report.checks:
        print(f"{'probe':<16}{'ok  ' if passed else 'FAIL'} {name}: {detail}")
    verdict = "passed" if checked.report.ok else "FAILED"
    print(f"{'self-check':<16}{verdict}: {checked.report.message}")
    return 0 if checked.report.ok else 1


def _describe(info: ModelInfo) -> list[tuple[str, str]]:
    return [
        ("file", f"{info.path} ({format_bytes(info.file_size)}, GGUF v{info.version})"),
        ("model", f"{info.name} [{info.architecture}]"),
        ("quantization", f"{info.quantization} (most weight bytes in {info.dominant_type})"),
        ("parameters", f"{info.n_params:,}"),
        ("context", f"{info.context_length:,} tokens"),
        (
            "layers",
            f"{info.block_count}, {info.expert_count} experts ({info.expert_used_count} active)",
        ),
        (
            "attention",
            f"{info.head_count} heads, {info.head_count_kv} KV heads of {info.key_length}",
        ),
        ("chat template", "yes" if info.chat_template else "no (built-in harmony renderer)"),
    ]


def _use(args: argparse.Namespace) -> int:
    path = catalog.use_model(args.name, args.models_dir)
    try:  # the window and classify/eval use it too, instead of a server set before
        update_choice({"backend": "local", "model_path": str(path)})
    except OSError as exc:
        raise CommandError(
            f"The active model could not be saved ({exc}); check the config folder."
        ) from None
    print(f"Active model: {path} (the window, classify and eval use it from now on)")
    return 0


class ProgressLine:
    """Redraws one status line on a stream: bytes, percent, speed, ETA."""

    def __init__(self, stream: TextIO) -> None:
        self.stream, self.drawn = stream, False

    def __call__(self, p: Progress) -> None:
        percent = f"{p.fraction:6.1%}" if p.fraction is not None else "     ?"
        total = format_bytes(p.total) if p.total else "?"
        eta = _duration(p.eta) if p.eta is not None else "--"
        verb = {"verifying": "checking", "done": "done"}.get(p.phase, "")
        text = f"{percent}  {format_bytes(p.downloaded)} / {total}  {format_bytes(p.speed)}/s  ETA {eta} {verb}"
        self.stream.write("\r" + text.ljust(72))
        self.stream.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds}s"
