"""A reader that goes away early (``| head``) ends the command quietly, not in a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_output_into_a_closed_pipe_is_no_traceback(tmp_path: Path) -> None:
    lines = ["# Policy", "Output: VALID or INVALID"]
    lines += [f"- SP{i}.a rule number {i} violates" for i in range(1, 4000)]
    policy = tmp_path / "big.md"
    policy.write_text("\n".join(lines), encoding="utf-8")
    command = [sys.executable, "-m", "app", "policy", "check", str(policy)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stdout.readline()
    process.stdout.close()  # like `head -1`
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0
    assert b"Traceback" not in err and b"BrokenPipeError" not in err


def test_a_broken_pipe_that_is_not_stdout_is_a_failure(capsys, monkeypatch) -> None:
    import app.cli
    from app.commands import policy

    def broken(_args) -> int:
        raise BrokenPipeError(32, "Broken pipe")  # a helper process's pipe, stdout is open

    monkeypatch.setattr(policy, "run", broken)
    code = app.cli.main(["policy", "check", "anything.md"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("safeguard-studio: a pipe broke (Broken pipe)") and err.count("\n") == 1


def test_stdout_closed_tells_a_gone_reader_from_an_open_one() -> None:
    import os

    from app.cli import stdout_closed

    read_end, write_end = os.pipe()
    try:
        assert not stdout_closed(write_end)
        os.close(read_end)
        assert stdout_closed(write_end)
    finally:
        os.close(write_end)


def test_an_engine_process_that_cannot_start_is_one_sentence(
    tiny_model: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    import multiprocessing.context

    import app.cli

    def cannot_start(_self) -> None:
        raise BrokenPipeError(32, "Broken pipe")  # the spawned interpreter died at once

    monkeypatch.setattr(multiprocessing.context.SpawnProcess, "start", cannot_start)
    policy = tmp_path / "p.md"
    policy.write_text("---\nformat: binary\n---\n# Spam\nAnswer 0 or 1.\n", encoding="utf-8")
    args = ["classify", "--policy", str(policy), "--model", str(tiny_model), "--db",
            str(tmp_path / "r.db"), "some text"]  # fmt: skip
    code = app.cli.main(args)
    captured = capsys.readouterr()
    assert code == 1 and captured.out == ""
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert lines == [lines[-1]] and "process could not start (Broken pipe)" in lines[-1]
