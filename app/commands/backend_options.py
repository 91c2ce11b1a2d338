"""Backend options shared by the commands that run the model (``classify``, ``eval``).

``--backend local`` (the default) runs llama.cpp on this machine and needs ``--model``;
``--backend remote`` talks to an OpenAI-compatible server at ``--base-url``. The API key is
read from the environment variable named by ``--api-key-env`` (or the system keyring), never
from the command line, so it does not end up in shell history or process listings.
"""

from __future__ import annotations

import argparse
import math

from app.commands import CommandError
from app.core.errors import EngineError
from app.core.run_types import EngineSettings
from app.engine.protocol import Engine
from app.engine.remote.http import DEFAULT_KEY_ENV, HttpError, check_base_url

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


def remote_config(args: argparse.Namespace):
    from app.engine.remote.engine import RemoteConfig

    return RemoteConfig(
        base_url=args.base_url,
        model=args.remote_model,
        api_key_env=args.api_key_env,
        api=args.remote_api,
        read_timeout=args.timeout,
        deadline=args.deadline,
    )


def make_engine(
    args: argparse.Namespace, settings: EngineSettings | None = None
) -> tuple[Engine, dict]:
    """Build and load the engine the options ask for; return it with the facts ``load`` gave.

    ``settings`` is required for the local backend (the model file and context size).
    """
    check_backend_arguments(args)
    if args.backend == "remote":
        from app.engine.remote.engine import RemoteEngine

        engine: Engine = RemoteEngine(remote_config(args))
        settings = settings or EngineSettings()
    else:
        from app.engine.local.engine import LocalEngine

        if settings is None:
            raise CommandError("Give the model file with --model, or use --backend remote.")
        engine = LocalEngine()
    try:
        info = engine.load(settings)
    except EngineError as exc:
        engine.close()
        raise CommandError(str(exc)) from None
    return engine, info


def concurrent_factory(engine: Engine):
    """A factory for ``run_concurrent``: more engines like ``engine``, one per thread."""
    spawn = getattr(engine, "spawn", None)
    if spawn is None:
        raise CommandError("--concurrency above 1 needs --backend remote.")
    return spawn
