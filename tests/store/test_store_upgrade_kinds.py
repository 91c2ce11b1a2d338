"""Upgrading a version-4 results database: held-out checks of a suggested edit, stored then
as test-set runs of a version noted "suggestion check", get their own run kind, so the
history, Metrics, compare pickers and ``runs`` leave them out; runs gain an empty
``output_format`` (read from their text as before)."""

from __future__ import annotations

import sqlite3

from app.runs.stored.facts import suite_runs
from app.store import Store
from app.store.rows import SCHEMA_VERSION


def _version_4_database(path) -> None:
    store = Store(path)
    mine = store.add_policy_version("# Spam\nSP1 Bulk promotion violates.\n")
    draft = store.add_policy_version("# Spam\nSP1 Any promotion violates.\n", "suggestion check")
    for policy_hash, run_id in ((mine, "own"), (draft, "check")):
        store._conn().execute(
            "INSERT INTO runs (id, policy_hash, cases_path, started, kind) VALUES (?,?,?,?,?)",
            (run_id, policy_hash, "spam.cases.jsonl", 1.0 if run_id == "own" else 2.0, "suite"),
        )
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE runs DROP COLUMN output_format")
    conn.execute("UPDATE schema_version SET version=4")
    conn.commit()
    conn.close()


def test_old_suggestion_checks_get_their_kind_on_upgrade(tmp_path):
    path = tmp_path / "results.sqlite3"
    _version_4_database(path)
    store = Store(path)
    try:
        assert store.get_run("check").kind == "suggestion"
        assert store.get_run("own").kind == "suite" and store.get_run("own").output_format == ""
        assert [r.id for r in store.list_runs()] == ["own"]
        assert [r.id for r in suite_runs(store, "spam.cases.jsonl")] == ["own"]
        version = store._conn().execute("SELECT version FROM schema_version").fetchone()
        assert version[0] == SCHEMA_VERSION == 5
    finally:
        store.close()
