"""Storage faults through ``eval``: the database path, a damaged, locked or unwritable
database, a full disk during the run and while writing a report, two processes creating
one database, and a run killed with kill -9. Each is one sentence naming the path and the
fix; finished results are kept, nothing is stored twice, and the run is never left
"running"."""

from __future__ import annotations

import errno
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.store import Store
from app.store import errors as store_errors
from tests.bad_inputs.conftest import ROOT_DIR, Workspace, check, cli, duplicates, stored_runs
from tests.bad_inputs.servers import answering
from tests.support.fake_server import fake_server
from tests.support.storage_faults import tiny_disk


def completions(handler) -> int:
    return sum(path == "/v1/chat/completions" for path, _, _ in handler.log)


def test_db_path_is_a_folder(ws: Workspace, capsys) -> None:
    ws.db.mkdir()
    check(ws, ws.snapshot(), cli(capsys, ws.eval_args()), 2, "is a folder")


def test_damaged_database_says_move_it_aside(ws: Workspace, capsys) -> None:
    ws.db.write_bytes(b"SQLite format 3\x00" + os.urandom(4000))
    before, damaged = ws.snapshot(), ws.db.read_bytes()
    line = check(ws, before, cli(capsys, ws.eval_args()), 2, str(ws.db), "is damaged")
    assert "move it aside" in line
    assert ws.db.read_bytes() == damaged  # never overwritten


def test_database_from_a_newer_app(ws: Workspace, capsys) -> None:
    Store(ws.db).close()
    conn = sqlite3.connect(ws.db)
    conn.execute("UPDATE schema_version SET version = 99")
    conn.commit()
    conn.close()
    check(ws, ws.snapshot(), cli(capsys, ws.eval_args()), 2, "newer version of the app")


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder nobody can create files in (as root, chmod does not stop writes: use /sys)."""
    if os.geteuid() != 0:
        folder = tmp_path / "locked"
        folder.mkdir(mode=0o555)
        return folder / "data"
    return Path("/sys/safeguard-studio-test/data")


def test_unwritable_data_folder(ws: Workspace, capsys, monkeypatch, tmp_path) -> None:
    folder = unwritable_folder(tmp_path)
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(folder))
    args = ws.eval_args()
    del args[args.index("--db") : args.index("--db") + 2]  # the default database
    line = check(ws, ws.snapshot(), cli(capsys, args), 2, "cannot be written")
    assert str(folder) in line and "choose another data folder" in line


def test_locked_database_never_says_move_it_aside(ws: Workspace, capsys, monkeypatch) -> None:
    Store(ws.db).close()
    monkeypatch.setattr(store_errors, "BUSY_TIMEOUT_S", 0.3)
    holder = sqlite3.connect(ws.db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        line = check(ws, ws.snapshot(), cli(capsys, ws.eval_args()), 2, "stayed locked")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "move it aside" not in line and str(ws.db) in line


def test_lock_held_while_a_new_database_is_created_is_waited_out(tmp_path) -> None:
    """Another process switching a new file to WAL holds a lock SQLite does not wait for:
    the store retries instead of failing with "database is locked"."""
    path = tmp_path / "new.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("CREATE TABLE other (x)")
    started = time.monotonic()
    import threading

    threading.Timer(0.5, lambda: holder.execute("COMMIT")).start()
    store = Store(path)
    assert time.monotonic() - started >= 0.4
    store.close()
    holder.close()


def test_full_disk_during_the_run(ws: Workspace, capsys, monkeypatch) -> None:
    """A tiny SQLite size limit fills the "disk" after the first results: one sentence, the
    run is marked interrupted, the stored results stay, and the next run reuses them."""
    big = ws.root / "big.jsonl"
    lines = [f'{{"id": "b{i}", "content": "{"x" * 3000} {i}", "expected": "0"}}' for i in range(8)]
    big.write_text("\n".join(lines) + "\n")
    ws.cases = big
    before = ws.snapshot()
    Store(ws.db).close()  # the tables exist; the "disk" fills with results
    with fake_server(answering()) as (url, handler):
        with monkeypatch.context() as patch:
            tiny_disk(patch)
            line = check(ws, before, cli(capsys, ws.remote_args(url)), 2, "is full", str(ws.db))
        assert "free some space" in line
        store = Store(ws.db)
        (run,) = store.list_runs()
        kept = [r.case_id for r in store.results(run.id)]
        store.close()
        assert run.status == "interrupted" and 0 < len(kept) < 8
        sent = completions(handler)
        outcome = cli(capsys, ws.remote_args(url, "--resume"))  # space freed: resume it
        assert outcome.code == 0 and "Traceback" not in outcome.err
        assert completions(handler) - sent == 8 - len(kept)  # only the missing cases run
        store = Store(ws.db)
        assert [r.status for r in store.list_runs()] == ["finished"]
        assert len(store.results(run.id)) == 8
        store.close()
    assert ws.snapshot() == before and duplicates(ws.db) == []


def test_report_on_a_full_disk(ws: Workspace, capsys, monkeypatch) -> None:
    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    report = ws.root / "out.html"
    with fake_server(answering()) as (url, _handler):
        monkeypatch.setattr("app.core.storage_paths.os.fsync", full)
        outcome = cli(capsys, ws.remote_args(url, "--html", str(report)))
    line = check(ws, ws.snapshot(), outcome, 2, str(report), "the disk is full")
    assert "free some space" in line
    assert not report.exists() and not list(ws.root.glob(".out.html.*"))  # no half file
    store = Store(ws.db)
    (run,) = store.list_runs()
    assert run.status == "finished" and len(store.results(run.id)) == 4  # the run is kept
    store.close()


def _eval_process(ws: Workspace, url: str) -> subprocess.Popen:
    env = dict(os.environ, SAFEGUARD_DATA_DIR=str(ws.root / "data"), PYTHONPATH=str(ROOT_DIR))
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", *ws.remote_args(url)],
        cwd=ROOT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_two_processes_create_one_new_database(ws: Workspace) -> None:
    before = ws.snapshot()
    with fake_server(answering()) as (url, _handler):
        procs = [_eval_process(ws, url) for _ in range(2)]
        outs = [proc.communicate(timeout=120) for proc in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert all("Traceback" not in err and "locked" not in err for _, err in outs)
    conn = sqlite3.connect(ws.db)
    assert conn.execute("SELECT count(*) FROM schema_version").fetchone() == (1,)
    assert conn.execute("SELECT count(*) FROM runs").fetchone() == (2,)
    conn.close()
    assert ws.snapshot() == before and duplicates(ws.db) == []


def test_kill_9_leaves_an_interrupted_run_that_the_next_run_completes(ws: Workspace, capsys):
    before = ws.snapshot()
    with fake_server(answering(hang_on="content 3")) as (url, handler):
        proc = _eval_process(ws, url)
        deadline = time.monotonic() + 60
        while completions(handler) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert completions(handler) == 3  # c1 and c2 are stored; c3 hangs
        time.sleep(0.2)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        store = Store(ws.db)
        (run,) = store.list_runs()
        assert run.status == "interrupted"
        assert sorted(r.case_id for r in store.results(run.id)) == ["c1", "c2"]
        store.close()
        handler.routes.update(answering())
        outcome = cli(capsys, ws.remote_args(url, "--resume"))
        assert outcome.code == 0 and f"Run {run.id}: 2 cases" in outcome.out  # c3 and c4
        store = Store(ws.db)
        assert store.get_run(run.id).status == "finished" and len(store.list_runs()) == 1
        assert sorted(r.case_id for r in store.results(run.id)) == ["c1", "c2", "c3", "c4"]
        store.close()
    assert ws.snapshot() == before and duplicates(ws.db) == []


@pytest.mark.parametrize("name", ["missing.gguf", "folder.gguf", "text.gguf", "empty.gguf",
                                  "truncated.gguf", "wrong-arch"])  # fmt: skip
def test_bad_model_file(ws: Workspace, capsys, name, wrong_arch_model) -> None:
    path = ws.root / name
    if name == "folder.gguf":
        path.mkdir()
    elif name == "text.gguf":
        path.write_text("this is not a model\n")
    elif name == "empty.gguf":
        path.write_bytes(b"")
    elif name == "truncated.gguf":
        path.write_bytes(ws.model.read_bytes()[:5000])
    elif name == "wrong-arch":
        path = wrong_arch_model
    args = ws.eval_args()
    args[args.index("--model") + 1] = str(path)
    check(ws, ws.snapshot(), cli(capsys, args), 2)
    assert stored_runs(ws.db) == 0
