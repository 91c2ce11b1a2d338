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
