"""The workers on the engine controller's one thread: test-set runs and engine tasks.

Both live on that thread with the one :class:`~app.runs.pipeline.service.RunService`, so a run and a
task never overlap and share the loaded model. The controller
(:mod:`app.gui.running.engine_controller`) imports this module, never the reverse; the
workers answer only with their own signals.

- :class:`RunWorker` runs one :class:`~app.runs.pipeline.selection.RunJob` at a time. Stored results
  go out in batches (:class:`JobEvents`: a batch is at most ``BATCH_SECONDS`` of cache hits,
  a freshly run case goes at once), then exactly one ``ended(RunOutcome)``; after a run that
  loaded a local model file, the first-load self-check runs and says ``checked(sentence)``.
- :class:`TaskWorker` runs an engine task that is not a test-set run (a suggested edit, its
  held-out check, a robustness job) and ends it with exactly one ``taskEnded(result,
  message)``: the result and "", or None and one sentence.

Engine loading and failure reach the controller's state through ``state(state, detail)``.
"""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, Signal, Slot

from app.core.run_types import (
    Delta,
    EngineFailed,
    EngineLoading,
    EngineReady,
    LoadFacts,
    Started,
    Waiting,
)
from app.gui.running.engine_badge import describe_model
from app.runs.backends.model_checks import check_first_load
from app.runs.pipeline.results import CaseStored, SuiteEnded, SuiteStarted
from app.runs.pipeline.selection import RunJob
from app.runs.pipeline.service import RunService

BATCH_SECONDS = 0.1


class RunWorker(QObject):
    """Lives on the worker thread; runs one job at a time through the service."""

    state = Signal(str, str)
    loaded = Signal(object)  # LoadFacts
    started = Signal(str, int)
    caseStarted = Signal(str)
    delta = Signal(str, str, str)
    waiting = Signal(str, float)
    batch = Signal(list)  # list[CaseStored]
    ended = Signal(object)  # RunOutcome
    checked = Signal(str)  # the first-load self-check's sentence

    def __init__(self, service: RunService, cancel: threading.Event) -> None:
        super().__init__()
        self.service = service
        self._cancel = cancel

    @Slot(object)
    def run(self, job: RunJob) -> None:
        events = JobEvents(self)
        outcome = self.service.run(job, cancel=self._cancel, on_event=events.handle)
        events.flush()
        if not events.failed and self.service.facts is not None:
            self.state.emit("ready", describe_model(self.service.facts))
        self.ended.emit(outcome)
        if events.loaded and not events.failed:  # a model's first load: self-check
            self._check_first_load(job, events.loaded[-1])

    def _check_first_load(self, job: RunJob, facts: LoadFacts) -> None:
        engine = self.service.engine
        if engine is None:
            return
        checked = check_first_load(
            engine, facts, job.backend.engine.model_path, cancel=self._cancel
        )
        if checked is not None:
            verdict = "passed" if checked.report.ok else "failed"
            self.checked.emit(f"Model self-check {verdict}: {checked.report.message}")

    @Slot()
    def close_engine(self) -> None:
        self.service.close()


class JobEvents:
    """One job's events turned into the run worker's signals (on the worker thread)."""

    def __init__(self, worker: RunWorker) -> None:
        self.worker = worker
        self.pending: list[CaseStored] = []
        self.last_flush = time.monotonic()
        self.failed = False  # the engine failed during the job
        self.loaded: list[LoadFacts] = []  # the facts of a load of the weights in this job

    def flush(self) -> None:
        if self.pending:
            self.worker.batch.emit(list(self.pending))
            self.pending.clear()
        self.last_flush = time.monotonic()

    def handle(self, event: object) -> None:
        worker = self.worker
        if isinstance(event, CaseStored):
            self._stored(event)
        elif isinstance(event, Delta):
            worker.delta.emit(event.case_id, event.channel, event.text)
        elif isinstance(event, Waiting):
            worker.waiting.emit(event.case_id, event.seconds)
        elif isinstance(event, Started):
            worker.state.emit("running", "")
            worker.caseStarted.emit(event.case_id)
        elif isinstance(event, SuiteStarted):
            worker.started.emit(event.run_id, event.total)
        elif isinstance(event, EngineLoading):
            worker.state.emit("loading", event.detail)
        elif isinstance(event, EngineReady):
            self._ready(event.facts)
        elif isinstance(event, EngineFailed):
            self.failed = True
            worker.state.emit("error", event.message)
        elif isinstance(event, SuiteEnded):
            self.flush()

    def _stored(self, event: CaseStored) -> None:
        """A fresh result goes at once; cache hits wait for the batch to fill its time."""
        self.pending.append(event)
        if not event.cached or time.monotonic() - self.last_flush > BATCH_SECONDS:
            self.flush()

    def _ready(self, facts: LoadFacts) -> None:
        if not facts.lazy:
            self.loaded.append(facts)
            self.worker.loaded.emit(facts)
        self.worker.state.emit("ready", describe_model(facts))


class TaskWorker(QObject):
    """Runs engine tasks through the service (see the module notes)."""

    taskEnded = Signal(object, str)  # result, or None and a one-sentence message
    state = Signal(str, str)  # loading / error / ready, detail

    def __init__(self, service: RunService, cancel: threading.Event) -> None:
        super().__init__()
        self.service = service
        self._cancel = cancel

    @Slot(object)
    def run_task(self, request: tuple) -> None:
        backend, task, renderer = request
        try:
            result = self.service.run_task(
                backend, task, renderer=renderer, cancel=self._cancel, on_event=self._event
            )
        except Exception as exc:  # every failure reaches the window as one sentence
            self.taskEnded.emit(None, str(exc).strip() or type(exc).__name__)
        else:
            self.taskEnded.emit(result, "")
        if self.service.facts is not None:
            self.state.emit("ready", describe_model(self.service.facts))

    def _event(self, event: object) -> None:
        if isinstance(event, EngineLoading):
            self.state.emit("loading", event.detail)
        elif isinstance(event, EngineFailed):
            self.state.emit("error", event.message)
