"""Subcommands of the ``safeguard-studio`` CLI.

Each module defines ``add_parser(subparsers) -> argparse.ArgumentParser`` and
``run(args) -> int`` (the exit code). Errors the user can fix are raised as
``CommandError`` with one sentence; the CLI prints it without a traceback.
"""


class CommandError(Exception):
    """A problem the user can fix; str() is the one-sentence message."""
