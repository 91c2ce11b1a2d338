"""The robustness tables in the results database: which clean run a variant run is measured
against, with what families and counts, and every variant (text, family, parameters and
the positions it changed). Two tables of their own, beside the store's."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Iterator

from app.store.database import Store
from app.store.errors import store_error
from app.variants.records import RobustnessRecord
from app.variants.variant import Variant

SCHEMA = """
CREATE TABLE IF NOT EXISTS robustness_runs (
    run_id TEXT PRIMARY KEY, clean_run_id TEXT NOT NULL, policy_hash TEXT NOT NULL,
    cases_path TEXT NOT NULL, families TEXT NOT NULL, variants INTEGER NOT NULL,
    seed INTEGER NOT NULL, samples INTEGER NOT NULL, which TEXT NOT NULL, created REAL);
CREATE TABLE IF NOT EXISTS robustness_variants (
    run_id TEXT NOT NULL, variant_id TEXT NOT NULL, case_id TEXT NOT NULL,
    family TEXT NOT NULL, idx INTEGER NOT NULL, text TEXT NOT NULL, params TEXT NOT NULL,
    changed TEXT NOT NULL, PRIMARY KEY (run_id, variant_id));
"""


@contextlib.contextmanager
def _ready(store: Store) -> Iterator[sqlite3.Connection]:
    """This thread's connection with the tables made; a database error leaves as one
    StoreError sentence, as from the store itself."""
    try:
        conn = store._conn()
        conn.executescript(SCHEMA)
        yield conn
    except (sqlite3.Error, OSError) as exc:
        raise store_error(exc, store.path) from None


def save_run(store: Store, record: RobustnessRecord, variants: list[Variant]) -> None:
    """Record a robustness run and its variants (in one transaction)."""
    rows = [
        (record.run_id, v.id, v.case_id, v.family, v.index, v.text,
         json.dumps(v.params, ensure_ascii=False), json.dumps(list(v.changed)))
        for v in variants
    ]  # fmt: skip
    with _ready(store) as conn, conn:  # one transaction, committed on leaving the block
        conn.execute("BEGIN")
        conn.execute(
            "INSERT OR REPLACE INTO robustness_runs VALUES (?,?,?,?,?,?,?,?,?,?)",
            (record.run_id, record.clean_run_id, record.policy_hash, record.cases_path,
             json.dumps(record.families), record.variants, record.seed, record.samples,
             record.which, record.created or time.time()),
        )  # fmt: skip
        conn.executemany(
            "INSERT OR REPLACE INTO robustness_variants VALUES (?,?,?,?,?,?,?,?)", rows
        )


def _record(row) -> RobustnessRecord:
    values = list(row)
    values[4] = json.loads(values[4])
    return RobustnessRecord(*values)


def load_run(store: Store, run_id: str) -> tuple[RobustnessRecord, list[Variant]] | None:
    """The record and variants of a robustness run, or None when it is not one."""
    with _ready(store) as conn:
        row = conn.execute("SELECT * FROM robustness_runs WHERE run_id=?", (run_id,)).fetchone()
        if row is None:
            return None
        rows = conn.execute(
            "SELECT case_id, family, idx, text, params, changed FROM robustness_variants "
            "WHERE run_id=? ORDER BY rowid",
            (run_id,),
        ).fetchall()
    variants = [
        Variant(case_id, family, idx, text, json.loads(params), tuple(json.loads(changed)))
        for case_id, family, idx, text, params, changed in rows
    ]
    return _record(row), variants


def list_robustness_runs(store: Store, policy_hash: str | None = None) -> list[RobustnessRecord]:
    """Robustness runs oldest first, optionally of one policy version."""
    sql, args = "SELECT * FROM robustness_runs", ()
    if policy_hash:
        sql, args = sql + " WHERE policy_hash=?", (policy_hash,)
    with _ready(store) as conn:
        return [_record(row) for row in conn.execute(sql + " ORDER BY created, rowid", args)]
