"""Smoke tests of the frozen build: collected only when ``SAFEGUARD_BUNDLE`` names one.

``make package-test`` builds ``dist/safeguard-studio`` and its archives, then runs these
with ``SAFEGUARD_BUNDLE=dist/safeguard-studio``; a plain ``make test`` has no bundle and
leaves this folder out (building one takes a minute and a half).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BUNDLE_ENV = "SAFEGUARD_BUNDLE"
NAME = "safeguard-studio"
# Windows has a GUI executable and a console one for the CLI; the tests drive the console one
EXE_NAME = f"{NAME}-cli.exe" if sys.platform == "win32" else NAME

if not os.environ.get(BUNDLE_ENV):
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session")
def bundle() -> Path:
    path = Path(os.environ[BUNDLE_ENV]).resolve()
    assert (path / EXE_NAME).is_file(), f"{path} holds no {EXE_NAME}; run `make package`."
    return path


@pytest.fixture(scope="session")
def exe(bundle: Path) -> Path:
    return bundle / EXE_NAME


def run_frozen(args: list[str], env: dict | None = None, timeout: float = 60, **kw):
    """Run a command with the bundle's environment: no venv, no PYTHONPATH, offscreen Qt."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    if sys.platform != "win32":
        clean["PATH"] = "/usr/bin:/bin"  # nothing of the venv or the build tools
    clean["QT_QPA_PLATFORM"] = "offscreen"
    clean.update(env or {})
    return subprocess.run(args, capture_output=True, text=True, env=clean, timeout=timeout, **kw)
