"""Start-to-window time of the frozen build against the checkout, measured in one run.

    python -m benchmarks.frozen_start [--bundle dist/safeguard-studio] [--runs 5]

Each start runs the real executable the way a user would (``dist/safeguard-studio/
safeguard-studio`` for the bundle, ``python -m app`` from the checkout's venv) with
``SAFEGUARD_QUIT_WHEN_SHOWN=1``: the app prints one line when its window is shown and
closes it. The time from starting the process to that line is taken from outside, the two
kinds alternate so that both see the same machine load, and the medians are compared.
Target: the frozen start takes at most 1.5x the checkout's (PyInstaller unpacks nothing in
a one-folder build, so it should be about the same).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.gui.app import QUIT_WHEN_SHOWN_ENV, SHOWN_LINE

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 1.5


def time_to_window(command: list[str], home: Path) -> float:
    """Seconds from starting ``command`` to the app's window-shown line."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **{QUIT_WHEN_SHOWN_ENV: "1"})
    for name in ("CONFIG", "DATA", "CACHE", "LOG", "MODELS"):
        env[f"SAFEGUARD_{name}_DIR"] = str(home / name.lower())
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT
    )
    assert process.stdout is not None
    shown = None
    for line in process.stdout:
        if SHOWN_LINE in line and shown is None:
            shown = time.perf_counter() - start
    process.wait(timeout=60)
    if shown is None:
        raise RuntimeError(f"{command[0]} never showed its window (exit {process.returncode})")
    return shown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "safeguard-studio")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    frozen_exe = args.bundle / "safeguard-studio"
    if not frozen_exe.is_file():
        print(f"No bundle at {args.bundle}; run `make package` first.", file=sys.stderr)
        return 2
    kinds = {"checkout": [sys.executable, "-m", "app"], "frozen": [str(frozen_exe)]}
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    with tempfile.TemporaryDirectory(prefix="frozen-start-") as tmp:
        for kind, command in kinds.items():  # one warm-up each: the page cache
            time_to_window(command, Path(tmp) / f"warm-{kind}")
        for run in range(args.runs):
            for kind, command in kinds.items():
                times[kind].append(time_to_window(command, Path(tmp) / f"{kind}-{run}"))
    medians = {kind: statistics.median(values) for kind, values in times.items()}
    ratio = medians["frozen"] / medians["checkout"]
    for kind, values in times.items():
        shown = ", ".join(f"{v:.2f}" for v in values)
        print(f"{kind:9s} start-to-window median {medians[kind]:.2f} s  ({shown})")
    verdict = "ok" if ratio <= TARGET_RATIO else "OVER TARGET"
    print(f"frozen / checkout = {ratio:.2f}x  (target <= {TARGET_RATIO}x)  {verdict}")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
