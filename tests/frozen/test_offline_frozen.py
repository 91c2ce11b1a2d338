"""The frozen app opens no network connection at start or when classifying locally.

Watched as ``tests/test_offline.py`` watches a checkout run, one level lower: a small
``LD_PRELOAD`` library (``netlog.c``, compiled here with the C compiler that building
llama.cpp needs anyway) logs each connect/sendto/getaddrinfo of every process.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from app.gui.app import QUIT_WHEN_SHOWN_ENV, SHOWN_LINE
from tests.frozen.conftest import run_frozen
from tests.support.synthetic_gguf import cached_model

HERE = Path(__file__).resolve().parent
POLICY = HERE.parents[1] / "policies" / "harassment" / "policy.md"
pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or shutil.which("cc") is None, reason="LD_PRELOAD needs Linux and cc"
)


@pytest.fixture(scope="module")
def shim(tmp_path_factory) -> Path:
    library = tmp_path_factory.mktemp("netlog") / "netlog.so"
    build = ["cc", "-shared", "-fPIC", "-O1", "-o", str(library), str(HERE / "netlog.c"), "-ldl"]
    subprocess.run(build, check=True, capture_output=True)
    return library


def watched(shim: Path, tmp_path: Path, args: list[str], env: dict | None = None):
    log = tmp_path / "net.log"
    log.unlink(missing_ok=True)
    watch = {"LD_PRELOAD": str(shim), "SAFEGUARD_NET_LOG": str(log), **(env or {})}
    out = run_frozen(args, env=watch)
    return out, log.read_text().splitlines() if log.exists() else []


def test_start_and_local_classify_open_no_network_connection(exe, shim, tmp_path) -> None:
    env = {QUIT_WHEN_SHOWN_ENV: "1", "SAFEGUARD_CONFIG_DIR": str(tmp_path / "config")}
    out, lines = watched(shim, tmp_path, [str(exe)], env)
    assert SHOWN_LINE in out.stdout, out.stderr
    assert lines and [line for line in lines if "NETWORK" in line] == []
    args = [str(exe), "classify", "--model", str(cached_model("tiny")), "--policy", str(POLICY)]
    out, lines = watched(shim, tmp_path, [*args, "--max-tokens", "16", "--quiet", "some text"])
    assert out.returncode in (0, 1), out.stderr
    assert len({line.split()[0] for line in lines}) >= 2  # the CLI and the engine's child
    assert [line for line in lines if "NETWORK" in line] == []


def test_the_shim_does_see_a_connection_from_the_bundle(exe, shim, tmp_path) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]

        def refuse() -> None:  # accept and hang up: the client fails at once
            server.settimeout(30)
            try:
                connection, _ = server.accept()
                connection.close()
            except OSError:
                pass

        thread = threading.Thread(target=refuse, daemon=True)
        thread.start()
        args = [str(exe), "classify", "--backend", "remote", "--policy", str(POLICY)]
        args += ["--base-url", f"http://127.0.0.1:{port}", "--timeout", "5", "some text"]
        _out, lines = watched(shim, tmp_path, args)
        thread.join(timeout=30)
    assert any("NETWORK connect" in line for line in lines), lines
