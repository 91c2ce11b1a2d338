"""How one job's engine events become the run worker's signals (engine_worker.JobEvents)."""

from __future__ import annotations

import os
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.core.run_types import EngineFailed, EngineReady, LoadFacts  # noqa: E402
from app.gui.running.engine_worker import BATCH_SECONDS, JobEvents, RunWorker  # noqa: E402
from app.runs.pipeline.results import CaseStored, SuiteEnded  # noqa: E402


def _worker() -> tuple[RunWorker, dict[str, list]]:
    worker = RunWorker(None, threading.Event())  # type: ignore[arg-type]  # no job runs
    seen: dict[str, list] = {"batch": [], "loaded": [], "state": []}
    worker.batch.connect(lambda events: seen["batch"].append([e.index for e in events]))
    worker.loaded.connect(seen["loaded"].append)
    worker.state.connect(lambda state, _detail: seen["state"].append(state))
    return worker, seen


def _stored(index: int, cached: bool) -> CaseStored:
    return CaseStored("run", None, index, 4, cached, None)  # type: ignore[arg-type]


def test_cache_hits_wait_for_a_batch_and_a_fresh_result_goes_at_once(qapp) -> None:
    worker, seen = _worker()
    events = JobEvents(worker)
    events.handle(_stored(1, cached=True))
    events.handle(_stored(2, cached=True))
    assert seen["batch"] == []  # within BATCH_SECONDS: kept together
    events.handle(_stored(3, cached=False))
    assert seen["batch"] == [[1, 2, 3]]
    events.handle(_stored(4, cached=True))
    events.last_flush -= 2 * BATCH_SECONDS  # the batch has filled its time
    events.handle(SuiteEnded(None))  # type: ignore[arg-type]
    assert seen["batch"] == [[1, 2, 3], [4]]


def test_only_a_real_load_counts_and_a_failure_is_remembered(qapp) -> None:
    worker, seen = _worker()
    events = JobEvents(worker)
    lazy, real = LoadFacts(model="m.gguf", lazy=True), LoadFacts(model="m.gguf")
    events.handle(EngineReady(lazy))
    events.handle(EngineReady(real))
    assert events.loaded == [real] and seen["loaded"] == [real]
    assert not events.failed
    events.handle(EngineFailed("the model file is damaged"))
    assert events.failed and seen["state"] == ["ready", "ready", "error"]
