"""The daily copy of the results database: consistent, checked, kept three deep, and named
by the message a damaged database gives."""

from __future__ import annotations

import os
import sqlite3
import time

import pytest

from app.core.records import StoredResult
from app.store import Store
from app.store.backup import KEEP, backup_folder, backup_if_due, backups, latest_backup
from app.store.errors import StoreError

DAY = 24 * 3600


def _store_with_a_result(path) -> Store:
    store = Store(path)
    run = store.create_run(store.add_policy_version("---\nformat: binary\n---\n# P\n"), model="m")
    store.add_result(StoredResult(run, "c1", "k1", "ok", "1", "1", content="text"))
    return store


def test_a_copy_a_day_that_opens_with_the_same_results(tmp_path) -> None:
    db = tmp_path / "results.sqlite3"
    store = _store_with_a_result(db)  # still open, as in the app (WAL, readers and a writer)
    now = time.time()
    copy = backup_if_due(db, now=now)
    assert copy is not None and copy.parent == backup_folder(db)
    assert not list(backup_folder(db).glob("*.part"))
    assert backup_if_due(db, now=now + 60) is None  # once a day
    again = Store(copy)
    [run] = again.list_runs()
    assert [r.case_id for r in again.results(run.id)] == ["c1"]
    again.close()
    store.close()


def test_three_copies_are_kept_newest_last(tmp_path) -> None:
    db = tmp_path / "results.sqlite3"
    _store_with_a_result(db).close()
    start = time.time()
    made = []
    for day in range(KEEP + 2):
        copy = backup_if_due(db, now=start + day * DAY)
        os.utime(copy, (start + day * DAY, start + day * DAY))  # as if made that day
        made.append(copy)
    assert backups(db) == made[-KEEP:]
    assert latest_backup(db) == made[-1]


def test_a_copy_that_fails_leaves_nothing(tmp_path) -> None:
    db = tmp_path / "results.sqlite3"
    db.write_bytes(b"this is not a database" * 100)
    with pytest.raises(sqlite3.DatabaseError):
        backup_if_due(db)
    assert backups(db) == [] and not list(backup_folder(db).glob("*"))
    assert backup_if_due(tmp_path / "none.sqlite3") is None  # nothing to copy yet


def test_a_damaged_database_points_to_its_latest_copy(tmp_path) -> None:
    db = tmp_path / "results.sqlite3"
    _store_with_a_result(db).close()
    copy = backup_if_due(db)
    db.write_bytes(b"garbage" * 4096)
    for name in ("results.sqlite3-wal", "results.sqlite3-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    with pytest.raises(StoreError) as raised:
        Store(db)
    message = str(raised.value)
    assert "is damaged" in message and f"({copy}) in its place" in message
    assert "\n" not in message  # one sentence
