"""llama-cpp-python's OpenAI-compatible server on the tiny synthetic model, on loopback.

:func:`start_server` starts ``python -m llama_cpp.server`` on a free port and waits until
it answers; :func:`stop_server` ends it. The remote-engine tests and the one-pipeline
tests share one server per module through a fixture built on these.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(model: Path, alias: str = "tiny") -> tuple[subprocess.Popen, str]:
    """The server process and its base URL, once ``/v1/models`` answers."""
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048"]
    command += ["--n_threads", "2", "--n_threads_batch", "2", "--model_alias", alias]
    command += ["--interrupt_requests", "False"]  # else each request ends the running one
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url + "/v1/models", timeout=1):
                return process, url
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop_server(process)
                err = process.stderr.read().decode(errors="replace")[-2000:]
                pytest.fail(f"llama_cpp.server did not start: {err}")
            time.sleep(0.1)


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
    if process.stderr is not None and not process.stderr.closed:
        process.stderr.close()
