"""GUI responsiveness: event-loop stalls during a 20-case suite, and launch-to-window time.

    python -m benchmarks.gui_stall                        # scripted fake engine
    python -m benchmarks.gui_stall --engine local         # synthetic medium gpt-oss model
    python -m benchmarks.gui_stall --engine local --model PATH.gguf

1. *Launch*: a fresh Python process imports the app, builds the main window (no model
   loaded) and shows it; the time from starting the process to the window being exposed
   is measured from outside — target <= 2 s.
2. *Stall*: the workbench window runs Run all over 20 cases while a 5 ms ``QTimer`` on the
   GUI thread records the gaps between its ticks; the longest gap is the worst freeze a
   user would feel — target <= 50 ms. Reasoning streams into the result view the whole
   time (the shown case follows the running one), so appending and highlighting count.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"launch_s": 2.0, "stall_ms": 50.0}
CONTENTS = [
    "Pay the $2 fee to release your parcel at parcel-help.example today.",
    "I bake birthday cakes for the neighbourhood, message me for prices.",
    "Verify your password within 24 hours or your account will be closed.",
    "Guaranteed 10x returns on crypto, wire the deposit to start.",
    "Lovely picnic in the park this weekend, bring a friend!",
]


def _isolate(tmp: Path) -> None:
    for name in ("CONFIG", "DATA", "CACHE", "LOG"):
        os.environ[f"SAFEGUARD_{name}_DIR"] = str(tmp / name.lower())


def launch_child() -> None:
    """Child process: build and show the window, print when it is exposed, exit."""
    from app.gui.app import create_main_window, ensure_application
    from scripts.devtools import wait_until

    app = ensure_application()
    window = create_main_window(lambda: None)  # never runs: no engine is built
    window.show()
    wait_until(lambda: window.windowHandle() is not None and window.windowHandle().isExposed())
    print("shown", flush=True)
    window.shutdown()
    app.quit()


def measure_launch(repeats: int = 3) -> float:
    """Best of a few launches (the first one also warms the OS file cache)."""
    times = []
    with tempfile.TemporaryDirectory(prefix="safeguard-launch-") as tmp:
        env = dict(os.environ)
        for name in ("CONFIG", "DATA", "CACHE", "LOG"):
            env[f"SAFEGUARD_{name}_DIR"] = str(Path(tmp) / name.lower())
        for _ in range(repeats):
            began = time.perf_counter()
            proc = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.gui_stall", "--launch-child"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                text=True,
            )
            assert proc.stdout is not None
            line = proc.stdout.readline()
            elapsed = time.perf_counter() - began
            proc.wait(timeout=60)
            if line.strip() != "shown":
                raise SystemExit("the launch child did not show its window")
            times.append(elapsed)
    return min(times)


def measure_stall(engine: str, model: str | None, cases: int) -> dict[str, float]:
    from app.core.cases import TestCase, cases_path_for, save_cases
    from app.gui.app import create_main_window, ensure_application
    from app.gui.shared.settings_store import open_settings
    from scripts.devtools import StallMeter, pump, run_until
    from tests.support.fake_engine import SAMPLE_POLICY, FakeEngineFactory, FakeScript

    ensure_application()
    tmp = Path(tempfile.mkdtemp(prefix="safeguard-stall-"))
    _isolate(tmp)
    policy = tmp / "policy.md"
    policy.write_text(SAMPLE_POLICY, encoding="utf-8")
    save_cases(
        cases_path_for(policy),
        [TestCase(f"c{i:02d}", CONTENTS[i % len(CONTENTS)], "1") for i in range(cases)],
    )
    settings = open_settings()
    if engine == "fake":
        factory = FakeEngineFactory(FakeScript(delay=0.003, extra_words=12))
        model_path = tmp / "fake.gguf"
        model_path.write_bytes(b"GGUF" + bytes(60))
    else:
        factory = None  # the app's own: the local engine, loaded on the first miss
        if model is None:
            from tests.support.synthetic_gguf import cached_model

            model = str(cached_model("medium"))
        model_path = Path(model)
        settings.setValue("run/max_tokens", 160)
        settings.setValue("run/effort", "low")
    settings.setValue("engine/model_path", str(model_path))
    window = create_main_window(factory, settings=settings, policy_path=policy)
    window.resize(1280, 800)
    window.show()
    pump(0.3)
    follow = window.runner.caseStarted.connect(window.case_panel.select_case)
    meter = StallMeter(5)
    deltas = [0]
    window.controller.deltaReceived.connect(lambda *_: deltas.__setitem__(0, deltas[0] + 1))
    began = time.perf_counter()
    meter.start()
    assert window.runner.run_all()
    finished = run_until(window.runner.runEnded, timeout_s=1800)
    meter.stop()
    elapsed = time.perf_counter() - began
    window.runner.caseStarted.disconnect(follow)
    done = sum(
        1
        for c in window.case_panel.cases()
        if (e := window.case_panel.model.entry(c.id)) and e.result
    )
    window.policy_panel.set_modified(False)
    window.case_panel.set_modified(False)
    window.close()
    window.shutdown()
    if not finished:
        raise SystemExit("the suite did not finish in 30 minutes")
    return {
        "cases_done": done,
        "deltas": deltas[0],
        "suite_s": elapsed,
        "stall_ms": meter.longest_ms,
        "p99_gap_ms": meter.percentile_ms(0.99),
        "ticks": len(meter.gaps),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="GUI stall and launch-time benchmark")
    parser.add_argument("--engine", choices=("fake", "local"), default="fake")
    parser.add_argument("--model", help="GGUF for --engine local (default: synthetic medium)")
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--launch-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.launch_child:
        launch_child()
        return 0
    launch = measure_launch()
    stall = measure_stall(args.engine, args.model, args.cases)
    ok = lambda value, target: "ok" if value <= target else "OVER"  # noqa: E731
    print(f"engine: {args.engine}" + (f" ({args.model})" if args.model else ""))
    print(
        f"launch to window shown (no model): {launch:.2f} s   target <= "
        f"{TARGETS['launch_s']:.0f} s   {ok(launch, TARGETS['launch_s'])}"
    )
    print(
        f"suite: {stall['cases_done']}/{args.cases} cases, {stall['deltas']} deltas in "
        f"{stall['suite_s']:.1f} s; 5 ms timer ticked {stall['ticks']} times"
    )
    print(
        f"longest event-loop gap during the suite: {stall['stall_ms']:.1f} ms "
        f"(p99 {stall['p99_gap_ms']:.1f} ms)   target <= {TARGETS['stall_ms']:.0f} ms   "
        f"{ok(stall['stall_ms'], TARGETS['stall_ms'])}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
