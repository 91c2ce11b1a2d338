"""What can go wrong with the results database, told in one sentence with the real fix.

SQLite and the file system report problems as ``sqlite3.Error`` or ``OSError`` with terse
texts; :func:`store_error` turns each into a :class:`StoreError` that names the file and
says what to do: a lock is waited out and then blamed on the other program (never "move it
aside": the file is fine), a full disk asks for free space, an unwritable folder for another
folder, a damaged file for moving it aside so a new one is started. :func:`retry_locked`
waits out the locks SQLite does not wait for itself (switching a new file to WAL while
another process creates it too).
"""

from __future__ import annotations

import errno
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from app.core.errors import UserError
from app.store.backup import latest_backup

T = TypeVar("T")
BUSY_TIMEOUT_S = 30.0
_FULL = ("disk is full", "database or disk is full", "no space left")
_READ_ONLY = ("readonly database", "read-only", "unable to open database", "permission denied")
_DAMAGED = ("malformed", "not a database", "disk i/o error", "file is encrypted")


class StoreError(UserError, RuntimeError):
    """The database cannot be used; the message says what to do."""


def is_locked(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return any(word in str(exc).lower() for word in _FULL)


def store_error(exc: BaseException, path: Path) -> StoreError:
    """The one sentence for a database problem at ``path``."""
    text = str(exc).lower()
    folder = path.parent
    if is_disk_full(exc):
        return StoreError(
            f"The disk holding the results database {path} is full; free some space and run "
            "again (finished results are kept and the run picks up where it stopped)."
        )
    if is_locked(exc):
        return StoreError(
            f"The results database {path} stayed locked by another program for "
            f"{BUSY_TIMEOUT_S:g} s; wait for the other run to finish or close the other "
            "window, then try again."
        )
    if isinstance(exc, PermissionError) or any(word in text for word in _READ_ONLY):
        return StoreError(
            f"The results database {path} cannot be written (the folder {folder} is "
            "read-only or not yours); make it writable, or choose another data folder "
            "(SAFEGUARD_DATA_DIR, or --db on the command line)."
        )
    if any(word in text for word in _DAMAGED):
        copy = latest_backup(Path(path))
        restore = ""
        if copy is not None:  # the daily copy (store_backup) is the way back to the history
            when = time.strftime("%d %b %Y", time.localtime(copy.stat().st_mtime))
            restore = f"; or put the copy of {when} ({copy}) in its place"
        return StoreError(
            f"The results database {path} is damaged ({exc}); move it aside and start again "
            f"(a new one is created; earlier results stay in the old file){restore}."
        )
    return StoreError(f"The results database {path} cannot be used ({exc}); check the file.")


def retry_locked(action: Callable[[], T], timeout: float | None = None) -> T:
    """Run ``action``, retrying while SQLite answers "locked" without waiting itself."""
    deadline = time.monotonic() + (BUSY_TIMEOUT_S if timeout is None else timeout)
    delay = 0.01
    while True:
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if not is_locked(exc) or time.monotonic() + delay > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.25)
