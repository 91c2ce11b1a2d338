"""Run a screenshot script inside a window-manager-free X server, once per screen size.

:func:`run_sizes` starts one ``Xvfb`` per size and runs ``python -m MODULE --inner SIZE
--out DIR`` on it with Qt's xcb platform, so the xcb libraries, fonts and screen geometry
are the real ones; :func:`shoot` saves the whole X screen (``import -window root``). Used
by :mod:`scripts.walkthrough` and :mod:`scripts.screenshots_robustness`. Needs ``xvfb`` and
``imagemagick``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_sizes(module: str, out: Path, sizes: list[str], first_display: int = 90) -> int:
    """``module``'s inner part on one Xvfb per size; the first failing exit status, else 0."""
    for tool in ("Xvfb", "import"):
        if shutil.which(tool) is None:
            print(f"{tool} is missing: apt-get install xvfb imagemagick, then run again.")
            return 1
    for number, size in enumerate(sizes):
        display = f":{first_display + number}"
        server = subprocess.Popen(
            ["Xvfb", display, "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            time.sleep(1.0)
            env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb")
            command = [sys.executable, "-m", module, "--inner", size, "--out", str(out)]
            done = subprocess.run(command, env=env, cwd=ROOT, check=False)
            if done.returncode:
                return done.returncode
        finally:
            server.terminate()
            server.wait(10)
    return 0


def shoot(path: Path) -> Path:
    """The whole X screen as a PNG at ``path`` (after letting the window paint)."""
    from scripts.devtools import pump

    pump(0.4)
    subprocess.run(["import", "-window", "root", str(path)], check=True)
    return path


def sized_main(
    module: str,
    argv: list[str] | None,
    inner: Callable[[str, Path], int],
    sizes: str,
    first_display: int = 90,
) -> int:
    """The command line every X-screen script shares: ``--out``, ``--sizes``, and the
    ``--inner SIZE`` run that ``run_sizes`` starts inside each Xvfb."""
    parser = argparse.ArgumentParser(prog=f"python -m {module}")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--sizes", default=sizes)
    parser.add_argument("--inner", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.inner:
        return inner(args.inner, out)
    return run_sizes(module, out, args.sizes.split(","), first_display)
