"""Backend options shared by the commands that run the model (``classify``, ``eval``).

``--backend local`` (the default) runs llama.cpp on this machine and needs ``--model``;
``--backend remote`` talks to an OpenAI-compatible server at ``--base-url``. The API key is
read from the environment variable named by ``--api-key-env`` (or the system keyring), never
from the command line, so it does not end up in shell history or process listings.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import sys
from collections.abc import Iterator
from pathlib import Path

from app.commands import CommandError
from app.commands.run_options import engine_settings
from app.core.run_types import LoadFacts
from app.core.store import Store, StoreError
from app.engine.remote.engine import RemoteConfig
from app.engine.remote.http import DEFAULT_KEY_ENV, HttpError, check_base_url
from app.runs.backend import BackendConfig, build_engine
from app.runs.service import EngineFactory, RunService

BACKENDS = ("local", "remote")


def add_backend_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("backend")
    group.add_argument("--backend", choices=BACKENDS, default="local", help="where the model runs")
    group.add_argument("--base-url", help="OpenAI-compatible server, e.g. http://127.0.0.1:8080")
    group.add_argument(
        "--remote-model", default="", help="model name on the server (default: its only one)"
    )
    group.add_argument(
        "--api-key-env",
        default=DEFAULT_KEY_ENV,
        metavar="VAR",
        help=f"environment variable holding the API key (default {DEFAULT_KEY_ENV})",
    )
    group.add_argument(
        "--remote-api",
        choices=("auto", "llama-server", "llama-cpp-python", "chat"),
        default="auto",
        help="how to send the prompt (default: detected from the server)",
    )
    group.add_argument(
        "--concurrency",
        type=int,
        default=1,
        metavar="N",
        help="cases at once: requests in flight (remote) or sequences decoded together (local)",
    )
    group.add_argument(
        "--timeout", type=float, default=300.0, help="longest silence from the server, in seconds"
    )
    group.add_argument(
        "--deadline", type=float, default=600.0, metavar="SECONDS",
        help="longest one remote request (a whole answer) may take, in seconds",
    )  # fmt: skip


def check_backend_arguments(args: argparse.Namespace) -> None:
    """One sentence for an option combination that cannot work."""
    if args.concurrency < 1:
        raise CommandError("--concurrency must be 1 or more.")
    if args.backend == "remote" and not args.base_url:
        raise CommandError("--backend remote needs --base-url, e.g. http://127.0.0.1:8080.")
    for name in ("timeout", "deadline"):
        value = getattr(args, name)
        if not math.isfinite(value) or value <= 0:
            raise CommandError(f"--{name} must be a number of seconds above 0.")
    if args.backend == "remote":
        try:
            check_base_url(args.base_url)
        except HttpError as exc:
            raise CommandError(str(exc)) from None
    if args.backend == "local" and not getattr(args, "model", None):
        raise CommandError("Give the model file with --model, or use --backend remote.")


def remote_config(args: argparse.Namespace) -> RemoteConfig:
    return RemoteConfig(
        base_url=args.base_url,
        model=args.remote_model,
        api_key_env=args.api_key_env,
        api=args.remote_api,
        read_timeout=args.timeout,
        deadline=args.deadline,
    )


def backend_config(args: argparse.Namespace) -> BackendConfig:
    """The backend the options ask for (the model file is checked when it loads)."""
    check_backend_arguments(args)
    if args.backend == "remote":
        return BackendConfig("remote", remote=remote_config(args), concurrency=args.concurrency)
    return BackendConfig("local", engine=engine_settings(args), concurrency=args.concurrency)


INJECTION_NOTE = (
    "safeguard-studio: note: the server renders the prompt (chat API), so text in a case "
    "may become special tokens; use llama-server (--remote-api llama-server) where that matters."
)


def say_injection_note(facts: LoadFacts | None) -> None:
    """Once per run, on stderr: a server that renders the prompt itself cannot keep
    people's text from becoming special tokens (the window's badge and the README say so)."""
    if facts is not None and facts.backend == "remote" and not facts.injection_safe:
        print(INJECTION_NOTE, file=sys.stderr)


engine_factory: EngineFactory = build_engine  # the tests swap in a scripted engine


def open_store(db: Path | None, *, must_exist: bool = False) -> Store:
    """The results database ``db`` (default: the data folder's), or a CommandError that
    says why not; ``must_exist`` for the commands that only read runs."""
    if must_exist and db is not None and not Path(db).is_file():
        raise CommandError(f"There is no results database at {db}; check --db.")
    try:
        return Store(db)
    except StoreError as exc:
        raise CommandError(str(exc)) from None


@contextlib.contextmanager
def open_service(db: Path | None) -> Iterator[RunService]:
    """The run service over the results database ``db`` (default: the data folder's);
    the engine and the database are closed on leaving."""
    store = open_store(db)
    service = RunService(store, engine_factory=engine_factory)
    try:
        yield service
    finally:
        service.close()
        store.close()
