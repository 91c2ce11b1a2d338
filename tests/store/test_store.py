"""Model fingerprint, result cache key, and the SQLite store of versions, runs and results."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import threading

import pytest

from app.core.fingerprint import (
    HEADER_BYTES,
    model_fingerprint,
    result_cache_key,
    template_hash,
)
from app.core.records import StoredResult
from app.core.run_types import RunSettings
from app.core.storage_paths import data_dir
from app.store import Store
from app.store.rows import SCHEMA_VERSION


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path / "data"))


def _model(tmp_path, size=HEADER_BYTES + 4096):
    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF" + bytes(size - 4))
    return path


def test_fingerprint_reads_only_the_header(tmp_path, monkeypatch):
    path = _model(tmp_path)
    first = model_fingerprint(path)
    assert first.size == HEADER_BYTES + 4096 and first.name == "model.gguf"
    # A change after the first MiB with the same size and mtime is not seen: proof the
    # rest of the file is never read.
    stat = path.stat()
    with path.open("r+b") as handle:
        handle.seek(HEADER_BYTES + 10)
        handle.write(b"x")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert model_fingerprint(path) == first
    # A change inside the header is seen, even with size and mtime restored.
    with path.open("r+b") as handle:
        handle.seek(100)
        handle.write(b"y")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    changed = model_fingerprint(path)
    assert changed.header_sha256 != first.header_sha256 and changed.digest != first.digest
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert model_fingerprint(path).digest != changed.digest  # mtime is part of it


BASE = {
    "model": "m" * 64,
    "template": template_hash("{{ messages }}"),
    "policy_text": "# Policy\nSP1 spam.\n",
    "content": "Buy now!",
    "run": RunSettings(),
}
CHANGES = {
    "model": "n" * 64,
    "template": template_hash("{{ messages }}\n"),
    "policy_text": "# Policy\nSP1 spam.\n\n",
    "content": "Buy now! ",
}
RUN_CHANGES = {
    "effort": "high",
    "temperature": 0.7,
    "top_p": 0.9,
    "seed": 1,
    "max_tokens": 512,
    "date": "2025-01-01",
    "renderer": "harmony",
    "grammar": 'root ::= "0" | "1"',
}


def test_cache_key_is_stable():
    assert result_cache_key(**BASE) == result_cache_key(**dict(BASE, run=RunSettings()))
    # Equal values of another type (an int temperature) give the same key.
    assert result_cache_key(**BASE) == result_cache_key(**dict(BASE, run=RunSettings(temperature=1)))  # fmt: skip


@pytest.mark.parametrize("part", sorted(CHANGES))
def test_cache_key_changes_with_each_part(part):
    assert result_cache_key(**dict(BASE, **{part: CHANGES[part]})) != result_cache_key(**BASE)


@pytest.mark.parametrize("name", sorted(RUN_CHANGES))
def test_cache_key_changes_with_each_run_setting(name):
    run = dataclasses.replace(RunSettings(), **{name: RUN_CHANGES[name]})
    assert result_cache_key(**dict(BASE, run=run)) != result_cache_key(**BASE)


def test_every_run_setting_is_covered():
    assert set(RUN_CHANGES) == {f.name for f in dataclasses.fields(RunSettings)}


def test_template_hash_depends_on_renderer():
    assert template_hash(None, "harmony") != template_hash(None, "template")
    assert template_hash("t") == template_hash("t")


def _result(run_id, case_id, key, status="ok", **kw) -> StoredResult:
    return StoredResult(run_id=run_id, case_id=case_id, cache_key=key, status=status, **kw)


def test_store_lives_in_the_data_dir_with_wal_and_schema_version():
    store = Store()
    assert store.path.parent == data_dir()
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    conn.close()
    store.close()


def test_policy_versions_are_content_addressed(tmp_path):
    store = Store(tmp_path / "s.db")
    a = store.add_policy_version("v1 text", note="first", path="p.md")
    assert store.add_policy_version("v1 text", note="again") == a
    b = store.add_policy_version("v1 text ", path="p.md")
    assert a != b
    versions = store.policy_versions("p.md")
    assert [(v.hash, v.note) for v in versions] == [(a, "first"), (b, "")]
    assert store.policy_version(a).text == "v1 text"
    store.close()


def test_results_are_committed_immediately_and_visible_to_other_connections(tmp_path):
    store = Store(tmp_path / "s.db")
    run = store.create_run(store.add_policy_version("p"), model="m.gguf", settings={"seed": 1})
    store.add_result(_result(run, "c1", "k1", label="1", violates=True, rule_codes=["SP2.a"]))
    other = sqlite3.connect(tmp_path / "s.db")  # as a second process would see it
    assert other.execute("SELECT case_id, label FROM results").fetchall() == [("c1", "1")]
    other.close()
    got = store.results(run)[0]
    assert (got.violates, got.rule_codes, got.verdict.label) == (True, ["SP2.a"], "1")
    assert store.get_run(run).settings == {"seed": 1}
    store.close()


def test_lookup_reuses_verdicts_but_never_errors(tmp_path):
    store = Store(tmp_path / "s.db")
    run = store.create_run(store.add_policy_version("p"))
    store.add_result(_result(run, "c1", "k-ok", label="0", violates=False))
    store.add_result(_result(run, "c2", "k-err", status="error", message="crash"))
    store.add_result(_result(run, "c3", "k-nov", status="no_verdict"))
    assert store.lookup("k-ok").label == "0"
    assert store.lookup("k-err") is None
    assert store.lookup("k-nov").status == "no_verdict"
    assert store.lookup("missing") is None
    assert store.done_case_ids(run) == {"c1", "c3"}
    assert store.done_case_ids(run, include_errors=True) == {"c1", "c2", "c3"}
    store.close()


def test_one_row_per_run_and_case(tmp_path):
    store = Store(tmp_path / "s.db")
    run = store.create_run(store.add_policy_version("p"))
    store.add_result(_result(run, "c1", "k", status="error"))
    store.add_result(_result(run, "c1", "k", label="1"))
    assert [(r.case_id, r.status) for r in store.results(run)] == [("c1", "ok")]
    store.close()


def test_one_connection_per_thread(tmp_path):
    store = Store(tmp_path / "s.db")
    run = store.create_run(store.add_policy_version("p"))
    seen: list[int] = []

    def work(n: int) -> None:
        for i in range(20):
            store.add_result(_result(run, f"t{n}-{i}", f"k{n}-{i}"))
        seen.append(id(store._conn()))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.results(run)) == 80
    assert len(set(seen)) == 4 and id(store._conn()) not in seen
    store.close()


def test_runs_status_and_listing(tmp_path):
    store = Store(tmp_path / "s.db")
    p = store.add_policy_version("p")
    r1 = store.create_run(p, total=3)
    r2 = store.create_run(p, total=3)
    store.set_run_status(r1, "cancelled")
    assert store.get_run(r1).status == "cancelled" and store.get_run(r1).finished
    assert [r.id for r in store.list_runs(p)] == [r1, r2]
    assert store.get_run("nope") is None
    store.close()
