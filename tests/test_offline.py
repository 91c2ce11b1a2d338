"""Classifying with the local backend opens no network connection, in any process.

An audit hook installed through ``sitecustomize`` in every Python process of the run (the
CLI and the engine's child process both read PYTHONPATH) records each network call.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "harassment" / "policy.md"

SITECUSTOMIZE = """
import os, socket, sys

_log = os.environ["SAFEGUARD_NET_LOG"]
_EVENTS = {"socket.connect", "socket.bind", "socket.sendto", "socket.getaddrinfo",
           "socket.gethostbyname", "socket.gethostbyaddr", "urllib.Request"}

def _write(line):
    with open(_log, "a") as handle:
        handle.write(f"{os.getpid()} {line}\\n")

def _hook(event, args):
    if event not in _EVENTS:
        return
    if event in ("socket.connect", "socket.bind", "socket.sendto"):
        sock = args[0]
        if getattr(sock, "family", None) == socket.AF_UNIX:
            return  # the pipe to the engine process
    _write(f"NETWORK {event} {args[1:]!r}")

_write("hook " + " ".join(sys.argv[:3]))
sys.addaudithook(_hook)
"""


def run_with_hook(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    hook_dir = tmp_path / "hook"
    hook_dir.mkdir(exist_ok=True)
    (hook_dir / "sitecustomize.py").write_text(SITECUSTOMIZE)
    log = tmp_path / "net.log"
    log.unlink(missing_ok=True)
    env = dict(os.environ, PYTHONPATH=f"{hook_dir}{os.pathsep}{ROOT}", SAFEGUARD_NET_LOG=str(log))
    env["SAFEGUARD_DATA_DIR"] = str(tmp_path / "data")
    out = subprocess.run(
        [sys.executable, *args], capture_output=True, cwd=ROOT, env=env, timeout=120
    )
    return out, log.read_text().splitlines() if log.exists() else []


def test_local_classification_opens_no_network_connection(tiny_model: Path, tmp_path) -> None:
    out, lines = run_with_hook(
        tmp_path, "-m", "app", "classify", "--model", str(tiny_model), "--policy", str(POLICY),
        "--max-tokens", "16", "--quiet", "some text to classify",
    )  # fmt: skip
    assert out.returncode in (0, 1), out.stderr  # 1: the random model gave no verdict
    processes = {line.split()[0] for line in lines if " hook " in line}
    assert len(processes) >= 2, lines  # the CLI and the engine's child process were watched
    assert [line for line in lines if "NETWORK" in line] == []


def test_the_hook_does_see_a_connection(tmp_path: Path) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        code = f"import socket; socket.create_connection(('127.0.0.1', {port})).close()"
        _, lines = run_with_hook(tmp_path, "-c", code)
    assert any("NETWORK socket.connect" in line for line in lines)
