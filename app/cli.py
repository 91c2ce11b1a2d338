"""The ``safeguard-studio`` command: the GUI with no subcommand, headless commands otherwise."""

from __future__ import annotations

import argparse
import importlib
import multiprocessing
import os
import select
import sys
from collections.abc import Sequence
from pathlib import Path

from app import __version__
from app.commands import CommandError
from app.core.errors import UserError

# Subcommand modules under app.commands, in the order --help lists them.
COMMANDS = (
    "classify", "eval", "label", "review", "runs", "compare", "import_cases", "models", "policy",
    "policies", "robustness",
)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="safeguard-studio",
        description="Write and test content policies for gpt-oss-safeguard on your own machine. "
        "With no command, opens the workbench window.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"app.commands.{name}")
        sub_parser = module.add_parser(sub)
        sub_parser.set_defaults(handler=module.run)
    return parser


def _opens_gui(first: str) -> bool:
    """The window opens with no command, with Qt options, or with a policy file to open."""
    if first in ("-h", "--help", "--version"):
        return False
    return first.startswith("-") or Path(first).suffix.lower() in (".md", ".markdown", ".txt")


def main(argv: Sequence[str] | None = None) -> int:
    multiprocessing.freeze_support()  # a frozen build starts the engine process through here
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or _opens_gui(argv[0]):
        from app.gui.app import run_gui  # Qt is imported only when the GUI starts

        return run_gui(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except (CommandError, UserError) as exc:  # one sentence, no traceback
        print(f"safeguard-studio: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("safeguard-studio: interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError as exc:
        if not stdout_closed():  # a pipe to a helper process, not our reader: a failure
            print(f"safeguard-studio: a pipe broke ({exc.strerror or exc}); run again, "
                  "and if it keeps happening restart the computer.", file=sys.stderr)  # fmt: skip
            return 1
        devnull = os.open(os.devnull, os.O_WRONLY)  # the reader (head, less) went away
        os.dup2(devnull, sys.stdout.fileno())  # Python flushes stdout again at exit
        return 0


def stdout_closed(fd: int | None = None) -> bool:
    """Whether the reader of standard output (or of pipe ``fd``) went away: the only broken
    pipe that is not an error (``classify ... | head``)."""
    try:
        fd = sys.stdout.fileno() if fd is None else fd
        poller = select.poll()
    except (AttributeError, OSError, ValueError):  # no real file, or no poll (Windows)
        return False
    poller.register(fd, select.POLLOUT)
    return any(events & select.POLLERR for _, events in poller.poll(0))


if __name__ == "__main__":
    sys.exit(main())
