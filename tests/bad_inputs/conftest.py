"""Shared setup of the bad-input suite: a policy, a test set, the CLI in-process, and checks.

Every bad input goes through ``app.cli.main`` as a user would type it and is checked the
same way (:func:`check`): the exit code, exactly one sentence on stderr and no traceback,
and nothing lost: the policy and test-set files unchanged byte for byte, the results
database without a duplicate case in any run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

import app.cli
from app.commands import backend_options
from app.core.cases import TestCase, save_cases

ROOT_DIR = Path(__file__).resolve().parents[2]
POLICY = "---\nname: Spam\nformat: binary\n---\n# Spam\nSP1 Bulk promotion violates.\n"
CASES = [TestCase(f"c{i}", f"content {i}", "1" if i % 2 else "0") for i in range(1, 5)]


@dataclass
class Outcome:
    code: int
    out: str
    err: str


@dataclass
class Workspace:
    root: Path
    policy: Path
    cases: Path
    db: Path
    model: Path

    def snapshot(self) -> dict[Path, str]:
        return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (self.policy, self.cases)}

    def eval_args(self, *extra: str, local: bool = True) -> list[str]:
        args = ["eval", "--policy", str(self.policy), "--cases", str(self.cases)]
        args += ["--db", str(self.db)]
        if local:
            args += ["--model", str(self.model)]
        return [*args, *extra]

    def remote_args(self, url: str, *extra: str) -> list[str]:
        return self.eval_args("--backend", "remote", "--base-url", url, *extra, local=False)


@pytest.fixture()
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_model: Path) -> Workspace:
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SAFEGUARD_MODEL", raising=False)
    # the real remote path, with retries that do not make a test wait seconds
    real = backend_options.remote_config
    monkeypatch.setattr(
        backend_options,
        "remote_config",
        lambda args: dataclasses.replace(real(args), backoff=0.01, connect_timeout=2.0),
    )
    policy = tmp_path / "policy.md"
    policy.write_text(POLICY, encoding="utf-8")
    cases = tmp_path / "cases.jsonl"
    save_cases(cases, CASES)
    return Workspace(tmp_path, policy, cases, tmp_path / "results.db", tiny_model)


def cli(capsys: pytest.CaptureFixture, args: list[str]) -> Outcome:
    code = app.cli.main([str(a) for a in args])
    captured = capsys.readouterr()
    return Outcome(code, captured.out, captured.err)


def one_sentence(err: str) -> str:
    """The single line the CLI printed on stderr (fails if more, none, or a traceback);
    the chat API's once-per-run note on special tokens is not a complaint and is skipped."""
    assert "Traceback" not in err, err
    lines = [line for line in err.strip().splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("safeguard-studio: note:")]
    assert len(lines) == 1, err
    line = lines[0]
    assert line.startswith("safeguard-studio: ") and line.rstrip().endswith("."), line
    return line


def duplicates(db: Path) -> list[tuple]:
    """(run, case) pairs stored more than once: must always be empty."""
    if not db.is_file():
        return []
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT run_id, case_id, count(*) FROM results GROUP BY run_id, case_id "
            "HAVING count(*) > 1"
        ).fetchall()
    except sqlite3.DatabaseError:  # a damaged file or no tables: the tests check it as bytes
        return []
    finally:
        conn.close()


def stored_runs(db: Path) -> int:
    """How many runs the database holds (0 when there is none)."""
    if not db.is_file():
        return 0
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM runs").fetchone()[0]
    except sqlite3.DatabaseError:
        return 0
    finally:
        conn.close()


def check(ws: Workspace, before: dict[Path, str], outcome: Outcome, code: int, *words: str) -> str:
    """Exit code, one sentence containing ``words``, and nothing lost (see the module notes)."""
    assert outcome.code == code, (outcome.code, outcome.err)
    line = one_sentence(outcome.err)
    for word in words:
        assert word in line, (word, line)
    assert ws.snapshot() == before
    assert duplicates(ws.db) == []
    return line
