"""Opening the results database: connections, the schema, and runs left "running".

Every connection waits up to ``store_errors.BUSY_TIMEOUT_S`` for a lock and switches the file to WAL,
retrying that switch (SQLite does not wait for it). The schema is created or upgraded in one
``BEGIN IMMEDIATE`` transaction, so two processes that open a new file at once take turns.

A run is "running" only while a process runs it. Each run records its owner
(``pid@host``); this process keeps the ids it is running in :func:`live_runs`. When a store
opens, a run still marked "running" whose owner is gone (killed with kill -9, crashed, or
stopped by a full disk before it could write its end) becomes "interrupted"; it can be
resumed, and its finished results are kept.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import threading
from pathlib import Path

from app.core.storage_paths import create_private_file
from app.store import errors as store_errors
from app.store.errors import StoreError, retry_locked
from app.store.rows import ADDED_COLUMNS, SCHEMA, SCHEMA_VERSION, add_missing_columns, upgrade_rows

OWNER = f"{os.getpid()}@{socket.gethostname()}"
_LIVE_RUNS: set[str] = set()  # runs this process is running now


def live_runs() -> set[str]:
    """The ids of the runs this process is running (the store adds and removes them)."""
    return _LIVE_RUNS


def connect(
    path: Path, connections: list[sqlite3.Connection], lock: threading.Lock
) -> sqlite3.Connection:
    """A new connection with the store's pragmas, recorded in ``connections`` at once so
    that ``close()`` closes it even when a pragma fails."""
    timeout = store_errors.BUSY_TIMEOUT_S
    with contextlib.suppress(OSError):  # a new database is the user's alone (0600)
        create_private_file(path)
    conn = sqlite3.connect(path, isolation_level=None, timeout=timeout, check_same_thread=False)
    with lock:
        connections.append(conn)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
    retry_locked(lambda: conn.execute("PRAGMA journal_mode=WAL").fetchone())
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def _current(conn: sqlite3.Connection) -> bool:
    """Whether the tables are already this version's (then opening writes nothing)."""
    try:
        version = conn.execute("SELECT max(version) FROM schema_version").fetchone()[0]
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return False
        raise
    if version != SCHEMA_VERSION:
        return False
    columns = {
        table: {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        for table in {table for table, _, _ in ADDED_COLUMNS}
    }
    return all(column in columns[table] for table, column, _ in ADDED_COLUMNS)


def create_schema(conn: sqlite3.Connection, path: Path) -> None:
    """Create or upgrade the tables in one write transaction (see the module notes); a
    database that is already current is only read, so opening it never waits for a lock."""
    if _current(conn):
        return

    def create() -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            _create(conn, path)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    retry_locked(create)


def _create(conn: sqlite3.Connection, path: Path) -> None:
    exists = conn.execute("SELECT 1 FROM sqlite_master WHERE name='schema_version'").fetchone()
    found = (
        conn.execute("SELECT max(version) FROM schema_version").fetchone()[0] if exists else None
    )
    if found is not None and found > SCHEMA_VERSION:
        raise StoreError(
            f"The results database {path} is from a newer version of the app; "
            "update the app or choose another data folder."
        )
    for statement in SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
    add_missing_columns(conn)
    upgrade_rows(conn, found)
    if found != SCHEMA_VERSION:
        conn.execute("DELETE FROM schema_version")
        conn.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))


def owner_alive(owner: str) -> bool:
    """Whether the process that marked a run "running" may still be running it."""
    pid, _, host = owner.partition("@")
    if host != socket.gethostname():
        return bool(owner)  # another machine on a shared folder: cannot tell, trust it
    if owner == OWNER or not pid.isdigit():
        return False  # this process (its live runs are checked first), or no owner recorded
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists and belongs to someone else
    return True


def mark_interrupted(conn: sqlite3.Connection) -> None:
    """Mark runs "interrupted" that are "running" with no live owner."""
    rows = conn.execute("SELECT id, owner FROM runs WHERE status='running'").fetchall()
    for run_id, owner in rows:
        if run_id not in _LIVE_RUNS and not owner_alive(owner):
            conn.execute(
                "UPDATE runs SET status='interrupted' WHERE id=? AND status='running'", (run_id,)
            )
