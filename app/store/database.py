"""SQLite store of policy versions, runs and per-case results (the result cache too).

The database lives at ``data_dir()/results.sqlite3`` unless a path is given. It runs in WAL
mode with ``synchronous=NORMAL``: every result is its own transaction, committed the moment
it is stored, so a crash of the app loses at most the case in flight (a power cut may also
lose the last few commits, never corrupt the file).

Threads: one :class:`Store` may be shared by threads; each thread gets its own
``sqlite3`` connection (kept in a ``threading.local``), because a connection must not be
used by two threads at once. WAL lets the GUI read while a worker writes. ``close()`` closes
every connection the store opened.

Tables: ``schema_version``; ``policy_versions`` (content-addressed by the SHA-256 of the
exact policy text, with time and note); ``runs``; ``results`` (one row per run and case,
unique, so resuming never duplicates a case). Cached lookups reuse results with status
ok, no_verdict or unparsable; an error result is never reused.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from app.core.fingerprint import text_hash
from app.core.records import CACHEABLE, PolicyVersion, RunRecord, StoredResult
from app.core.storage_paths import data_dir, data_dir_location
from app.store.errors import StoreError, store_error
from app.store.rows import RESULT_COLUMNS, result_from_row, result_values, run_from_row
from app.store.setup import OWNER, connect, create_schema, live_runs, mark_interrupted, owner_alive

__all__ = ["Store", "StoreError", "default_db_path"]
F = TypeVar("F", bound=Callable)


def default_db_path() -> Path:
    return data_dir() / "results.sqlite3"


def _guarded(method: F) -> F:
    """Database and file-system errors leave a Store method as one StoreError sentence."""

    @functools.wraps(method)
    def wrapper(self: Store, *args, **kwargs):  # noqa: ANN202
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.Error, OSError) as exc:
            raise store_error(exc, self.path) from None

    return wrapper  # type: ignore[return-value]


class Store:
    """Policy versions, runs and results in one SQLite file (see the module notes)."""

    def __init__(self, path: Path | str | None = None) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self.path = Path(path) if path is not None else data_dir_location() / "results.sqlite3"
        try:
            if self.path.is_dir():
                raise StoreError(f"{self.path} is a folder; give a database file, not a folder.")
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # owner-only
            create_schema(self._conn(), self.path)
            mark_interrupted(self._conn())
        except (sqlite3.Error, OSError) as exc:
            self.close()
            raise store_error(exc, self.path) from None
        except StoreError:
            self.close()
            raise

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path, self._connections, self._lock)
            self._local.conn = conn
        return conn

    # For the modules of app/store that keep their own tables here (reviews, triage,
    # robustness): their queries pass the same error handling as the store's own.

    @_guarded
    def _execute(self, sql: str, args: Sequence = ()) -> None:
        self._conn().execute(sql, args)

    @_guarded
    def _select(self, sql: str, args: Sequence = ()) -> list[sqlite3.Row]:
        return self._conn().execute(sql, args).fetchall()

    @classmethod
    def open_or_temporary(cls) -> tuple[Store, str]:
        """The results store, and '' or why a temporary one (this session only) is used."""
        try:
            return cls(), ""
        except StoreError as exc:  # keep working
            return cls(Path(tempfile.mkdtemp(prefix="safeguard-")) / "results.sqlite3"), str(exc)

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    # Policy versions ------------------------------------------------------------------

    @_guarded
    def add_policy_version(self, text: str, note: str = "", path: str = "") -> str:
        """Record the exact policy text (idempotent); return its hash. A note is kept if
        the version exists without one."""
        digest = text_hash(text)
        conn = self._conn()
        conn.execute(
            "INSERT INTO policy_versions (hash, text, created, note, path) VALUES (?,?,?,?,?) "
            "ON CONFLICT(hash) DO UPDATE SET note = CASE WHEN note = '' THEN excluded.note "
            "ELSE note END",
            (digest, text, time.time(), note, str(path)),
        )
        return digest

    @_guarded
    def policy_version(self, digest: str) -> PolicyVersion | None:
        row = self._conn().execute("SELECT * FROM policy_versions WHERE hash=?", (digest,))
        found = row.fetchone()
        return PolicyVersion(**dict(found)) if found else None

    @_guarded
    def policy_versions(self, path: str | None = None) -> list[PolicyVersion]:
        """Versions oldest first, optionally only those recorded for one policy file."""
        sql, args = "SELECT * FROM policy_versions", ()
        if path is not None:
            sql, args = sql + " WHERE path=?", (str(path),)
        rows = self._conn().execute(sql + " ORDER BY created, rowid", args)
        return [PolicyVersion(**dict(row)) for row in rows]

    # Runs -----------------------------------------------------------------------------

    @_guarded
    def create_run(
        self, policy_hash: str, *, model: str = "", settings: dict | None = None,
        cases_path: str = "", total: int = 0, kind: str = "suite", output_format: str = "",
    ) -> str:  # fmt: skip
        """A new run; ``output_format`` is the format it runs with, as
        :func:`app.runs.stored.policy.format_record` writes it (read back by that module)."""
        run_id = time.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:8]
        self._conn().execute(
            "INSERT INTO runs (id, policy_hash, model, settings, cases_path, total, started, "
            "kind, owner, output_format) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (run_id, policy_hash, model, json.dumps(settings or {}), str(cases_path), total,
             time.time(), kind, OWNER, output_format),
        )  # fmt: skip
        live_runs().add(run_id)
        return run_id

    @_guarded
    def set_run_status(self, run_id: str, status: str, *, total: int | None = None) -> None:
        """Mark a run running (this process owns it) or ended. A run whose end cannot be
        written (a full disk) reads as "interrupted" all the same: it is no longer live."""
        running = status == "running"
        (live_runs().add if running else live_runs().discard)(run_id)
        self._conn().execute(
            "UPDATE runs SET status=?, finished=?, total=COALESCE(?, total), "
            "owner=CASE WHEN ? THEN ? ELSE owner END WHERE id=?",
            (status, None if running else time.time(), total, running, OWNER, run_id),
        )

    def _run(self, row: sqlite3.Row) -> RunRecord:
        run = run_from_row(row)
        if run.status == "running" and run.id not in live_runs() and not owner_alive(run.owner):
            run.status = "interrupted"  # its process is gone, or could not write its end
        return run

    @_guarded
    def get_run(self, run_id: str) -> RunRecord | None:
        row = self._conn().execute("SELECT * FROM runs WHERE id=?", (run_id,)).fetchone()
        return self._run(row) if row else None

    @_guarded
    def list_runs(
        self, policy_hash: str | None = None, kind: str | None = "suite"
    ) -> list[RunRecord]:
        """Runs oldest first, optionally of one policy version; test-set runs by default
        (single-case runs are kept for the cache, not the history; ``kind=None``: all)."""
        clauses = [(c, v) for c, v in (("kind=?", kind), ("policy_hash=?", policy_hash)) if v]
        where = " WHERE " + " AND ".join(c for c, _ in clauses) if clauses else ""
        sql, args = "SELECT * FROM runs" + where, tuple(v for _, v in clauses)
        return [self._run(r) for r in self._conn().execute(sql + " ORDER BY started, rowid", args)]

    @_guarded
    def link_sample_run(self, run_id: str, sample: int, seed: int, sample_run_id: str) -> None:
        """Record that ``sample_run_id`` is sample ``sample`` (seed ``seed``) of ``run_id``."""
        self._conn().execute(
            "INSERT OR REPLACE INTO run_samples VALUES (?,?,?,?)",
            (run_id, sample, seed, sample_run_id),
        )

    @_guarded
    def sample_runs(self, run_id: str) -> list[tuple[int, int, str]]:
        """(sample, seed, sample run id) of a majority run, in sample order; [] for others."""
        rows = self._conn().execute(
            "SELECT sample, seed, sample_run_id FROM run_samples WHERE run_id=? ORDER BY sample",
            (run_id,),
        )
        return [tuple(row) for row in rows]

    @_guarded
    def add_finished_run(self, run: RunRecord) -> None:
        """Add a finished run made elsewhere (a review file's run), as it was recorded."""
        self._conn().execute(
            "INSERT INTO runs (id, policy_hash, model, settings, cases_path, total, started, "
            "finished, status, owner, kind, output_format) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (run.id, run.policy_hash, run.model, json.dumps(run.settings or {}), run.cases_path,
             run.total, run.started, run.finished, "finished", "", run.kind, run.output_format),
        )  # fmt: skip

    # Results --------------------------------------------------------------------------

    def add_result(self, result: StoredResult) -> None:
        """Store one result and commit at once; replaces that case's earlier row in the run."""
        self.add_results([result])

    @_guarded
    def add_results(self, results: list[StoredResult]) -> None:
        """Store several results in one transaction (used for cache hits, which a crash
        cannot lose: a resume finds them in the cache again at no cost)."""
        rows = [result_values(result) for result in results]
        sql = (
            f"INSERT OR REPLACE INTO results ({','.join(RESULT_COLUMNS)}) "
            f"VALUES ({','.join('?' * len(RESULT_COLUMNS))})"
        )
        conn = self._conn()
        with conn:  # one transaction, committed on leaving the block
            conn.execute("BEGIN")
            conn.executemany(sql, rows)

    @_guarded
    def results(self, run_id: str) -> list[StoredResult]:
        """A run's results in the order they were stored."""
        rows = self._conn().execute(
            "SELECT * FROM results WHERE run_id=? ORDER BY created, rowid", (run_id,)
        )
        return [result_from_row(row) for row in rows]

    def lookup(self, cache_key: str) -> StoredResult | None:
        """The newest reusable result stored under a cache key (never an error)."""
        return self.lookup_many([cache_key]).get(cache_key)

    @_guarded
    def lookup_many(self, cache_keys: list[str]) -> dict[str, StoredResult]:
        """:meth:`lookup` for many keys at once: {key: newest reusable result}."""
        found: dict[str, StoredResult] = {}
        keys = list(dict.fromkeys(cache_keys))
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            # only the newest reusable row of each key: reruns copy cache hits forward
            rows = self._conn().execute(
                "SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY cache_key "
                "ORDER BY created DESC) AS newest FROM results "
                f"WHERE cache_key IN ({','.join('?' * len(chunk))}) AND status IN {CACHEABLE}) "
                "WHERE newest = 1",
                chunk,
            )
            found.update((row["cache_key"], result_from_row(row)) for row in rows)
        return found

    @_guarded
    def done_case_ids(self, run_id: str, *, include_errors: bool = False) -> set[str]:
        """Case ids a run has finished (for resume); error results are retried by default."""
        sql = "SELECT case_id FROM results WHERE run_id=?"
        if not include_errors:
            sql += " AND status != 'error'"
        return {row[0] for row in self._conn().execute(sql, (run_id,))}

    @_guarded
    def latest_results(self, case_ids: list[str], cases_path: str = "") -> dict[str, StoredResult]:
        """Each case's newest result in earlier runs of the same test set (failed-first);
        light rows: ids, status and labels only."""
        rows = self._conn().execute(
            "SELECT results.run_id, case_id, cache_key, results.status, expected, label "
            "FROM results JOIN runs ON runs.id = results.run_id "
            "WHERE runs.cases_path=? ORDER BY results.created",
            (str(cases_path),),
        )
        wanted = set(case_ids)
        return {r[1]: StoredResult(*r) for r in rows if r[1] in wanted}

    @_guarded
    def case_results(self, case_id: str, cases_path: str) -> list[tuple[str, StoredResult]]:
        """A case's results in the test set's runs (held-out checks left out), oldest first,
        each with the policy version of its run."""
        rows = self._conn().execute(
            "SELECT results.*, runs.policy_hash AS run_policy FROM results "
            "JOIN runs ON runs.id = results.run_id "
            "WHERE runs.cases_path=? AND results.case_id=? AND runs.kind != 'suggestion' "
            "ORDER BY results.created",
            (str(cases_path), case_id),
        )
        found = []
        for row in rows:
            data = dict(row)
            found.append((data.pop("run_policy"), result_from_row(data)))
        return found
