"""The results database's schema and row types, and conversion between rows and types.

:class:`~app.store.Store` runs the queries; this module says what the tables hold
(``SCHEMA``, applied idempotently on every connection, then :func:`add_missing_columns`
adds the columns later versions introduced to an older database), what a row becomes
(:class:`PolicyVersion`, :class:`RunRecord`, :class:`StoredResult`) and how a result is
written and read back (``rule_codes`` and ``tags`` as JSON lists, flags as 0/1).
Version 3 adds the tables ``triage`` (a failure filed as gold / policy / model, per case and
policy version) and ``run_samples`` (the k sample runs behind a majority run of *Run ×k*);
version 4 adds ``reviews`` (a person's check of a run's answer, :mod:`app.core.reviews`);
``SCHEMA`` creates them in an older database. Version 5 adds ``runs.output_format``: the
output format a run ran with (:mod:`app.runs.stored.policy`), empty for older runs.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import fields

from app.core.records import RunRecord, StoredResult

SCHEMA_VERSION = 5  # 2: results carry tier, escalate, depiction and request; 3: triage, run_samples
# 4: reviews (app.core.reviews); 5: runs.output_format (app.runs.stored.policy)
SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS policy_versions (
    hash TEXT PRIMARY KEY, text TEXT NOT NULL, created REAL NOT NULL,
    note TEXT NOT NULL DEFAULT '', path TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, policy_hash TEXT NOT NULL REFERENCES policy_versions(hash),
    model TEXT NOT NULL DEFAULT '', settings TEXT NOT NULL DEFAULT '{}',
    cases_path TEXT NOT NULL DEFAULT '', total INTEGER NOT NULL DEFAULT 0,
    started REAL NOT NULL, finished REAL, status TEXT NOT NULL DEFAULT 'running',
    owner TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT 'suite', output_format TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS results (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, case_id TEXT NOT NULL,
    cache_key TEXT NOT NULL, expected TEXT NOT NULL DEFAULT '', label TEXT,
    status TEXT NOT NULL, violates INTEGER, rule_codes TEXT NOT NULL DEFAULT '[]',
    rationale TEXT NOT NULL DEFAULT '', analysis TEXT NOT NULL DEFAULT '',
    final TEXT NOT NULL DEFAULT '', message TEXT NOT NULL DEFAULT '',
    stop_reason TEXT NOT NULL DEFAULT '', content TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '[]', cached INTEGER NOT NULL DEFAULT 0,
    prompt_tokens INTEGER NOT NULL DEFAULT 0, evaluated_tokens INTEGER NOT NULL DEFAULT 0,
    reused_tokens INTEGER NOT NULL DEFAULT 0, generated_tokens INTEGER NOT NULL DEFAULT 0,
    load_ms REAL NOT NULL DEFAULT 0, prompt_ms REAL NOT NULL DEFAULT 0,
    generate_ms REAL NOT NULL DEFAULT 0, created REAL NOT NULL,
    tier TEXT, escalate INTEGER NOT NULL DEFAULT 0, depiction TEXT, request TEXT,
    PRIMARY KEY (run_id, case_id));
CREATE INDEX IF NOT EXISTS results_cache_key ON results(cache_key, created);
CREATE INDEX IF NOT EXISTS runs_policy ON runs(policy_hash, started);
CREATE TABLE IF NOT EXISTS triage (
    cases_path TEXT NOT NULL, case_id TEXT NOT NULL, policy_hash TEXT NOT NULL,
    kind TEXT NOT NULL, rule_code TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '',
    old_label TEXT, new_label TEXT, created REAL NOT NULL,
    PRIMARY KEY (cases_path, case_id, policy_hash));
CREATE TABLE IF NOT EXISTS run_samples (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, sample INTEGER NOT NULL,
    seed INTEGER NOT NULL, sample_run_id TEXT NOT NULL, PRIMARY KEY (run_id, sample));
CREATE TABLE IF NOT EXISTS reviews (
    run_id TEXT NOT NULL, case_id TEXT NOT NULL, reviewer TEXT NOT NULL,
    policy_hash TEXT NOT NULL, content_hash TEXT NOT NULL, label TEXT NOT NULL DEFAULT '',
    model_label TEXT NOT NULL DEFAULT '', state TEXT NOT NULL DEFAULT 'done',
    note TEXT NOT NULL DEFAULT '', seconds REAL NOT NULL DEFAULT 0,
    gold TEXT NOT NULL DEFAULT '', old_expected TEXT, applied INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL, PRIMARY KEY (run_id, case_id, reviewer));
"""


RESULT_COLUMNS = [f.name for f in fields(StoredResult)]
JSON_COLUMNS = ("rule_codes", "tags")


def result_values(result: StoredResult) -> list:
    """A result's values in ``RESULT_COLUMNS`` order, lists as JSON; stamps ``created``."""
    result.created = result.created or time.time()
    return [
        (_json_list(getattr(result, name)) if name in JSON_COLUMNS else getattr(result, name))
        for name in RESULT_COLUMNS
    ]


def _json_list(value: list) -> str:
    return json.dumps(value, ensure_ascii=False) if value else "[]"  # most lists are empty


# Columns added after a table was first created: (table, column, definition). Databases
# written by an older version get them on open (CREATE TABLE IF NOT EXISTS keeps old tables).
ADDED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("runs", "kind", "TEXT NOT NULL DEFAULT 'suite'"),
    ("runs", "owner", "TEXT NOT NULL DEFAULT ''"),
    ("runs", "output_format", "TEXT NOT NULL DEFAULT ''"),  # version 5
    ("results", "tier", "TEXT"),  # version 2: tiers, escalate flag, two labels
    ("results", "escalate", "INTEGER NOT NULL DEFAULT 0"),
    ("results", "depiction", "TEXT"),
    ("results", "request", "TEXT"),
)


# Rows an upgrade from an older version rewrites: {version: statements}, run once when a
# database below that version is opened. 5: held-out checks of a suggested edit were stored
# as test-set runs of a policy version noted "suggestion check"; they get their own kind.
UPGRADES: dict[int, tuple[str, ...]] = {
    5: (
        "UPDATE runs SET kind='suggestion' WHERE kind='suite' AND policy_hash IN "
        "(SELECT hash FROM policy_versions WHERE note='suggestion check')",
    ),
}


def upgrade_rows(conn: sqlite3.Connection, found: int | None) -> None:
    """Run the :data:`UPGRADES` of every version above ``found`` (None: a new database)."""
    if found is None:
        return
    for version, statements in sorted(UPGRADES.items()):
        if found < version:
            for statement in statements:
                conn.execute(statement)


def add_missing_columns(conn: sqlite3.Connection) -> None:
    """ALTER TABLE for every column of ``ADDED_COLUMNS`` a table does not have yet (old rows
    get the default: no tier, no escalate flag), then record ``SCHEMA_VERSION``."""
    for table, column, definition in ADDED_COLUMNS:
        have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if column in have:
            continue
        try:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
        except sqlite3.OperationalError as exc:
            if "duplicate column" not in str(exc):  # another process added it first
                raise
    conn.execute("UPDATE schema_version SET version=? WHERE version<?", (SCHEMA_VERSION,) * 2)


def run_from_row(row: sqlite3.Row) -> RunRecord:
    """A ``runs`` row as a RunRecord (settings decoded from JSON)."""
    data = dict(row)
    data["settings"] = json.loads(data["settings"] or "{}")
    return RunRecord(**data)


def result_from_row(row: sqlite3.Row) -> StoredResult:
    """A ``results`` row as a StoredResult (JSON lists and 0/1 flags decoded)."""
    data = dict(row)
    data.pop("newest", None)
    for name in JSON_COLUMNS:
        value = data[name]
        data[name] = json.loads(value) if value and value != "[]" else []
    data["cached"] = bool(data["cached"])
    data["escalate"] = bool(data.get("escalate"))
    data["violates"] = None if data["violates"] is None else bool(data["violates"])
    return StoredResult(**data)
