"""Daily copies of the results database, so a damaged file never takes the history with it.

:func:`backup_if_due` copies the database with SQLite's online backup (consistent while the
app keeps writing; WAL readers are not blocked) into ``backups/`` beside it, at most once a
day, checks the copy (``PRAGMA quick_check``) before it gets its final name, and keeps the
newest :data:`KEEP`. The app calls it on a worker thread after the window opens, so it never
delays the start. :func:`latest_backup` is what the "damaged database" message points to.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from pathlib import Path

KEEP = 3  # copies kept
EVERY_S = 24 * 3600  # at most one copy a day
PREFIX = "results-"


def backup_folder(db_path: Path) -> Path:
    return db_path.parent / "backups"


def backups(db_path: Path) -> list[Path]:
    """The finished copies of db_path, oldest first (their names sort by time)."""
    folder = backup_folder(db_path)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{PREFIX}*.sqlite3"))


def latest_backup(db_path: Path) -> Path | None:
    found = backups(db_path)
    return found[-1] if found else None


def backup_if_due(db_path: Path, *, now: float | None = None) -> Path | None:
    """Copy db_path when the newest copy is a day old (or none exists); returns the new
    copy, or None when none was due. A failed copy leaves no file behind and raises
    ``sqlite3.Error`` or ``OSError``."""
    now = time.time() if now is None else now
    if not db_path.is_file():
        return None
    latest = latest_backup(db_path)
    if latest is not None and now - latest.stat().st_mtime < EVERY_S:
        return None
    folder = backup_folder(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    target = folder / f"{PREFIX}{stamp}.sqlite3"
    part = target.with_suffix(".part")
    try:
        _copy(db_path, part)
        part.replace(target)
    finally:
        with contextlib.suppress(OSError):
            part.unlink()
    for old in backups(db_path)[:-KEEP]:
        with contextlib.suppress(OSError):
            old.unlink()
    return target


def _copy(source_path: Path, part: Path) -> None:
    """SQLite's online backup of source_path into part, checked before it is trusted."""
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    try:
        copy = sqlite3.connect(part)
        try:
            source.backup(copy, pages=4096)  # in steps: the app's writers get turns
            copy.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
            verdict = copy.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            copy.close()
    finally:
        source.close()
    if verdict != "ok":
        raise sqlite3.DatabaseError(f"the copy does not check out ({verdict})")
