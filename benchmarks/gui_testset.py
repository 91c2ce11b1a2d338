"""A 10,000-case test set in the GUI: load, show, metrics, fully cached rerun, event-loop stalls.

Run: ``python -m benchmarks.gui_testset`` (offscreen unless QT_QPA_PLATFORM is set).

Everything happens in a temporary data folder (``SAFEGUARD_DATA_DIR``). The script writes a
10,000-case JSONL test set and records a first run of it with the scripted fake engine
(setup, timed but without a target). Then, with a 5 ms ``QTimer`` measuring the gaps of
the GUI event loop:

1. *load + show + metrics*: the JSONL is read on a worker thread, shown in the workbench's
   ``CasePanel`` (10,000 rows), the last run's metrics are computed on a worker thread and
   shown in the ``MetricsPanel`` (tiles, confusion matrix, tags, chart) — target <= 2 s;
2. *cached rerun*: the whole set again through the ``EngineController`` (every case a
   cache hit, each stored in the new run), results arriving as signals, then the new
   run's metrics shown — target <= 1 s;
3. the longest event-loop stall during 1 and 2 — target <= 50 ms.

It also prints, for information, what writing results into the case table costs per result
through ``CaseTableModel.start_entry`` + ``set_result`` (the window's current path).
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

CASES = 10_000
TARGETS = {"load_show_metrics": 2.0, "cached_rerun": 1.0, "stall_ms": 50.0}
WORDS = [
    "parcel",
    "fee",
    "verify",
    "password",
    "guaranteed",
    "wire",
    "picnic",
    "bakery",
    "weather",
    "meeting",
    "club",
    "followers",
    "discount",
    "invoice",
    "account",
    "garden",
    "recipe",
    "concert",
]


class StallMeter:
    """A 5 ms timer; the longest gap between two of its ticks is the longest stall."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)
        self.clock = QElapsedTimer()
        self.last = 0
        self.longest = 0.0

    def start(self) -> None:
        self.clock.start()
        self.last = 0
        self.timer.start()

    def _tick(self) -> None:
        now = self.clock.nsecsElapsed()
        self.longest = max(self.longest, (now - self.last) / 1e6)
        self.last = now

    def stop(self) -> float:
        self.timer.stop()
        return self.longest


def make_cases(path: Path) -> None:
    from app.core.cases import TestCase, save_cases

    rng = random.Random(7)
    cases = []
    for number in range(CASES):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 30)))
        violating = any(w in text for w in ("fee", "password", "guaranteed", "wire", "verify"))
        expected = "1" if violating != (rng.random() < 0.08) else "0"
        tags = [rng.choice(("sms", "email", "forum", "dm"))]
        cases.append(
            TestCase(f"case-{number:05d}", f"Message {number}: {text}.", expected, "", tags)
        )
    save_cases(path, cases)


def wait_until(app: QApplication, done, timeout_s: float = 60.0) -> None:
    loop = QEventLoop()
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the benchmark step did not finish in time")
        loop.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 20)


def main() -> int:
    data = Path(tempfile.mkdtemp(prefix="safeguard-bench-"))
    os.environ["SAFEGUARD_DATA_DIR"] = str(data / "data")
    from app.gui.app import ensure_application  # the app's own start-up (GC tuning too)

    app = ensure_application()

    from app.core.cases import load_cases
    from app.core.policy import parse_policy
    from app.core.run_types import EngineSettings, RunSettings
    from app.gui.cases.panel import CasePanel
    from app.gui.evaluation.controller import EvaluationController
    from app.gui.evaluation.metrics_panel import MetricsPanel
    from app.gui.running.engine_controller import EngineController
    from app.gui.shared.tasks import TaskRunner
    from app.runs.backends.config import BackendConfig
    from app.runs.pipeline.selection import RunJob
    from app.store import Store
    from tests.support.fake_engine import SAMPLE_POLICY, FakeEngineFactory, FakeScript

    cases_path = data / "cases.jsonl"
    make_cases(cases_path)
    model = data / "fake-safeguard.gguf"
    model.write_bytes(b"GGUF" + bytes(60))
    policy = parse_policy(SAMPLE_POLICY)
    store = Store()
    suite = EngineController(store, FakeEngineFactory(FakeScript(delay=0.0)))
    tasks = TaskRunner()
    evaluation = EvaluationController(store, tasks)
    panel, metrics_panel = CasePanel(), MetricsPanel()
    panel.resize(900, 700)
    metrics_panel.resize(1000, 700)
    panel.show()
    metrics_panel.show()

    def request(cases) -> RunJob:
        backend = BackendConfig(engine=EngineSettings(model_path=str(model)))
        return RunJob(policy, cases, RunSettings(), backend, cases_path=str(cases_path))

    ended: list = []
    suite.runEnded.connect(ended.append)
    began = time.perf_counter()
    suite.start(request(load_cases(cases_path)))
    wait_until(app, lambda: ended, 600)
    first_run = ended[-1].run_id
    print(
        f"setup: first run of {CASES} cases on the fake engine: {time.perf_counter() - began:.1f} s"
    )

    meter = StallMeter()
    meter.start()
    # 1. load + show + metrics
    shown: dict = {}
    began = time.perf_counter()
    tasks.submit(load_cases, cases_path, on_done=lambda cases: shown.setdefault("cases", cases))
    wait_until(app, lambda: "cases" in shown)
    panel.set_cases(shown["cases"])
    evaluation.runMetricsReady.connect(lambda rm: shown.setdefault("metrics", rm))
    evaluation.request_run_metrics(first_run)
    wait_until(app, lambda: "metrics" in shown)
    rm = shown["metrics"]
    metrics_panel.set_metrics(rm.metrics, rm.output, f"Run {first_run}")
    evaluation.historyReady.connect(lambda h: shown.setdefault("history", h))
    evaluation.request_history(None)
    wait_until(app, lambda: "history" in shown)
    metrics_panel.set_history(shown["history"])
    app.processEvents()
    panel.repaint()
    metrics_panel.repaint()
    load_show = time.perf_counter() - began
    rows = panel.proxy.rowCount()
    stall_load = meter.stop()
    meter = StallMeter()
    meter.start()

    # 2. fully cached rerun, results as signals, then metrics of the new run
    progress = {"stored": 0, "cached": 0}
    delivered: list = []

    def on_batch(results: list) -> None:
        progress["stored"] += len(results)
        progress["cached"] += sum(r.cached for r in results)
        delivered.extend(results)

    suite.casesStored.connect(on_batch)
    began = time.perf_counter()
    suite.start(request(shown["cases"]))
    wait_until(app, lambda: len(ended) == 2)
    rerun_only = time.perf_counter() - began
    evaluation.metricsReady.connect(lambda m: shown.__setitem__("rerun", m))
    evaluation.request_results_metrics(delivered, policy.output)
    wait_until(app, lambda: "rerun" in shown)
    metrics_panel.set_metrics(shown["rerun"], policy.output, "Rerun")
    metrics_panel.repaint()
    rerun = time.perf_counter() - began
    stall_rerun = meter.stop()
    stall = max(stall_load, stall_rerun)

    # what-if: the case table's header sampling 100 rows instead of Qt's default 1000
    what_if = CasePanel()
    what_if.resize(900, 700)
    what_if.show()
    what_if.table.horizontalHeader().setResizeContentsPrecision(100)
    app.processEvents()
    meter = StallMeter()
    meter.start()
    began = time.perf_counter()
    what_if.set_cases(shown["cases"])
    app.processEvents()
    what_if.repaint()
    what_if_show = time.perf_counter() - began
    stall_what_if = meter.stop()

    # information: the case table's own per-result update path
    sample = store.results(ended[-1].run_id)[:300]
    began = time.perf_counter()
    for stored in sample:
        panel.model.start_entry(stored.case_id, SAMPLE_POLICY, stored.content)
        panel.model.set_result(stored.case_id, stored.as_classify_result())
    per_result_ms = (time.perf_counter() - began) * 1000 / len(sample)

    figures = {"load_show_metrics": load_show, "cached_rerun": rerun, "stall_ms": stall}
    print(f"cases shown in the table: {rows}; rerun stored {progress['stored']} "
          f"({progress['cached']} cached); accuracy {shown['rerun'].accuracy:.3f}")  # fmt: skip
    print(f"cached rerun until runEnded: {rerun_only:.3f} s")
    print(f"longest stall: {stall_load:.1f} ms during load/show/metrics, "
          f"{stall_rerun:.1f} ms during the cached rerun")  # fmt: skip
    for name, value in figures.items():
        target = TARGETS[name]
        unit = "ms" if name.endswith("_ms") else "s"
        verdict = "OK" if value <= target else "OVER"
        print(f"{name:<20} {value:8.3f} {unit}  (target <= {target:g} {unit})  {verdict}")
    print(f"info: CaseTableModel start_entry+set_result per result on {rows} rows: "
          f"{per_result_ms:.3f} ms (x{CASES} = {per_result_ms * CASES / 1000:.1f} s)")  # fmt: skip
    print(f"what-if: CasePanel header resizeContentsPrecision(100): showing {rows} cases "
          f"{what_if_show * 1000:.0f} ms, longest stall {stall_what_if:.1f} ms")  # fmt: skip
    suite.shutdown()
    tasks.shutdown()
    store.close()
    return 0 if all(figures[n] <= TARGETS[n] for n in TARGETS) else 1


if __name__ == "__main__":
    sys.exit(main())
