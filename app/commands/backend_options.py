"""Backend options shared by the commands that run the model (``classify``, ``eval``).

``--backend local`` runs llama.cpp on this machine and needs ``--model``; ``--backend
remote`` talks to an OpenAI-compatible server at ``--base-url``. Without those options the
commands use the app's active backend (:func:`take_active_backend`): the model or server
chosen in the window or with ``models use``, kept in ``backend.json`` in the config folder,
and say on stderr which one. The API key is read from the environment variable named by
``--api-key-env`` (or the system keyring), never from the command line, so it does not end
up in shell history or process listings.
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
from app.core import setting_limits as limits
from app.core.run_types import LoadFacts
from app.engine.remote import DEFAULT_KEY_ENV, HttpError, RemoteConfig, check_base_url
from app.library.catalog import active_model
from app.runs.backends.choice import describe_choice, read_choice
from app.runs.backends.config import BackendConfig, build_engine
from app.runs.pipeline.service import EngineFactory, RunService
from app.store import Store, StoreError

BACKENDS = ("local", "remote")


def add_backend_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("backend")
    group.add_argument(
        "--backend", choices=BACKENDS, default=None,
        help="where the model runs (default: the app's active model or server)",
    )  # fmt: skip
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
        default=limits.CONCURRENCY.default,
        metavar="N",
        help="cases at once: requests in flight (remote) or sequences decoded together (local)",
    )
    group.add_argument(
        "--timeout", type=float, default=limits.READ_TIMEOUT.default,
        help="longest silence from the server, in seconds",
    )  # fmt: skip
    group.add_argument(
        "--deadline", type=float, default=limits.DEADLINE.default, metavar="SECONDS",
        help="longest one remote request (a whole answer) may take, in seconds",
    )  # fmt: skip


# the options the app's choice fills in when they were left at their defaults
_REMOTE_KEYS = {
    "remote_model": "", "remote_api": "auto", "api_key_env": DEFAULT_KEY_ENV,
    "concurrency": limits.CONCURRENCY.default, "deadline": limits.DEADLINE.default,
    "timeout": limits.READ_TIMEOUT.default,
}  # fmt: skip


def _active_choice(wanted: str | None) -> dict:
    """The app's backend (``backend.json``); for a local run without a model there, the
    model ``models use`` chose."""
    choice = read_choice() or {}
    wanted = wanted or choice.get("backend") or "local"
    if wanted == "local" and not (choice.get("backend") == "local" and choice.get("model_path")):
        model = active_model()
        choice = {"backend": "local", "model_path": str(model)} if model else {}
    return choice


def take_active_backend(args: argparse.Namespace) -> None:
    """Fill ``--backend`` and the model or server the options leave open from the app's
    active backend, and say which one on stderr (one line)."""
    if args.backend is None and (args.model or args.base_url):
        args.backend = "remote" if args.base_url and not args.model else "local"
        return
    choice = _active_choice(args.backend)
    args.backend = args.backend or choice.get("backend") or "local"
    if choice.get("backend") != args.backend:
        return  # nothing chosen for that backend: the usual sentence follows
    if args.backend == "remote" and not args.base_url and choice.get("base_url"):
        args.base_url = choice["base_url"]
        for key, default in _REMOTE_KEYS.items():
            if getattr(args, key) == default and choice.get(key):
                setattr(args, key, choice[key])
        hint = "--backend local --model FILE"
    elif args.backend == "local" and not args.model and choice.get("model_path"):
        args.model = choice["model_path"]
        hint = "--model FILE or --backend remote --base-url URL"
    else:
        return
    print(
        f"safeguard-studio: using {describe_choice(choice)}, the app's active backend "
        f"({hint} to use another).",
        file=sys.stderr,
    )


def check_backend_arguments(args: argparse.Namespace) -> None:
    """The app's active backend where the options leave it open, and one sentence for an
    option combination that cannot work."""
    take_active_backend(args)
    if args.backend == "remote" and not args.base_url:
        raise CommandError("--backend remote needs --base-url, e.g. http://127.0.0.1:8080.")
    cases_at_once = limits.CONCURRENCY if args.backend == "remote" else limits.PARALLEL
    if not cases_at_once.holds(args.concurrency):
        raise CommandError(
            f"--concurrency {args.concurrency} is out of range; use a number "
            f"{cases_at_once.words()} ({args.backend} backend)."
        )
    for name, limit in (("timeout", limits.READ_TIMEOUT), ("deadline", limits.DEADLINE)):
        value = getattr(args, name)
        if not math.isfinite(value) or not limit.holds(value):
            raise CommandError(f"--{name} must be a number of seconds {limit.words()}.")
    if args.backend == "remote":
        try:
            check_base_url(args.base_url)
        except HttpError as exc:
            raise CommandError(str(exc)) from None
    if args.backend == "local" and not getattr(args, "model", None):
        raise CommandError(
            "No model is chosen: give the model file with --model, choose one with "
            "'safeguard-studio models use NAME', or use --backend remote --base-url URL."
        )


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
    """The backend the options ask for, once :func:`check_backend_arguments` has checked them
    and filled in the app's active one (the model file is checked when it loads)."""
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


def add_db_argument(parser: argparse.ArgumentParser, what: str = "results database") -> None:
    """``--db FILE``, the results database :func:`open_store` and :func:`open_service` open."""
    parser.add_argument("--db", type=Path, help=f"{what} (default: in the data folder)")


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
