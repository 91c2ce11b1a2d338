"""Opening the results database while other processes use it: a current database is only
read (no lock to wait for), a new one is created in one write transaction."""

from __future__ import annotations

import socket
import sqlite3
import time

from app.store import Store
from app.store import errors as store_errors


def test_opening_a_current_database_waits_for_no_writer(tmp_path, monkeypatch) -> None:
    path = tmp_path / "results.db"
    Store(path).close()
    monkeypatch.setattr(store_errors, "BUSY_TIMEOUT_S", 5.0)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process in the middle of storing a result
    try:
        started = time.monotonic()
        store = Store(path)
        assert time.monotonic() - started < 1.0
        assert store.list_runs() == []
        store.close()
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_an_old_database_gets_the_new_columns(tmp_path) -> None:
    path = tmp_path / "old.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE runs DROP COLUMN owner")  # as a database from before owners
    conn.commit()
    conn.close()
    store = Store(path)
    run_id = store.create_run(store.add_policy_version("p"))
    assert store.get_run(run_id).owner.endswith(f"@{socket.gethostname()}")
    store.close()
