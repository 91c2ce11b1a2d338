"""The one bridge between the window and the engine: a worker thread plus Qt signals.

Widgets never touch a thread, pipe or engine directly. They call
:meth:`EngineController.run_cases` / :meth:`cancel` and listen to the signals, which are
always delivered on the GUI thread (queued from the worker). A suite always ends with
exactly one ``suiteEnded`` whose status is ``finished``, ``failed`` or ``cancelled``.

Cancel goes through ``engine.cancel()`` (stops the running case at the next token) plus a
``threading.Event`` the worker checks between cases — never through a queued signal, which
would wait behind the running job. When the engine crashes (a ``Failed`` event of kind
``crash``, or an ``EngineError``), the worker closes it and forgets it, so the next run
builds a fresh one through the factory.

The engine itself lives in a :class:`~app.gui.running.engine_holder.SharedEngine`, which the window
also hands to its ``SuiteController``, so single-case runs and suites use one loaded model.
``modelLoaded(info)`` carries the dict ``load()`` returned (placement, GPU layers, server).
The thread, cancel and shutdown plumbing it shares with ``SuiteController`` lives in
:mod:`app.gui.shared.worker_thread`.
"""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import Signal, Slot

from app.core.errors import EngineError
from app.core.run_types import (
    Cancelled,
    ClassifyRequest,
    Delta,
    EngineSettings,
    Failed,
    Finished,
    Started,
)
from app.engine.protocol import Engine
from app.gui.running.engine_holder import EngineFactory, SharedEngine
from app.gui.shared.worker_thread import EngineWorker, WorkerHost

STATES = ("no_model", "loading", "ready", "running", "error")
_RESTART_KINDS = {"crash", "load"}


def default_engine_factory() -> Engine:
    """Build the local llama.cpp engine; imported lazily so the window opens fast."""
    from app.gui.running.engine_holder import local_engine_factory

    return local_engine_factory()


class _Worker(EngineWorker):
    """Lives on the worker thread; runs one suite at a time, emitting plain signals."""

    caseStarted = Signal(str)
    delta = Signal(str, str, str)
    caseFinished = Signal(str, object)
    caseFailed = Signal(str, str)
    caseCancelled = Signal(str)
    progress = Signal(int, int, float)
    ended = Signal(str)

    def __init__(self, shared: SharedEngine, cancel_event: threading.Event) -> None:
        super().__init__(shared, cancel_event)
        self._engine: Engine | None = None

    def _drop_engine(self) -> None:
        self._engine = None
        super()._drop_engine()

    def _ensure_engine(self, settings: EngineSettings) -> None:
        self._engine = None
        self._engine, _facts = self._load_engine(settings)

    @Slot(object, object)
    def run_suite(self, requests: list[ClassifyRequest], settings: EngineSettings) -> None:
        status = self._run(requests, settings)
        self.ended.emit(status)

    def _run(self, requests: list[ClassifyRequest], settings: EngineSettings) -> str:
        try:
            self._ensure_engine(settings)
        except Exception as exc:  # EngineError carries the user-facing sentence
            self.state.emit("error", _message(exc, "The model could not be loaded."))
            return "failed"
        total, done, began = len(requests), 0, time.monotonic()
        self.progress.emit(0, total, -1.0)
        for request in requests:
            if self._cancel.is_set():
                return "cancelled"
            outcome = self._run_one(request)
            if outcome in ("cancelled", "failed"):
                return outcome
            done += 1
            elapsed = time.monotonic() - began
            self.progress.emit(done, total, elapsed / done * (total - done))
        return "cancelled" if self._cancel.is_set() and done < total else "finished"

    def _run_one(self, request: ClassifyRequest) -> str:
        """Run one case; return 'ok', 'cancelled' or 'failed' (the suite must stop)."""
        engine = self._engine
        assert engine is not None
        case_id = request.case_id
        self.state.emit("running", case_id)
        self.caseStarted.emit(case_id)
        try:
            for event in engine.classify(request):
                if isinstance(event, Delta):
                    self.delta.emit(event.case_id, event.channel, event.text)
                elif isinstance(event, Started):
                    continue
                elif isinstance(event, Finished):
                    self.caseFinished.emit(case_id, event.result)
                    return "ok"
                elif isinstance(event, Cancelled):
                    self.caseCancelled.emit(case_id)
                    return "cancelled"
                elif isinstance(event, Failed):
                    self.caseFailed.emit(case_id, event.message)
                    if event.kind in _RESTART_KINDS:
                        self._drop_engine()
                        self.state.emit("error", event.message)
                        return "failed"
                    return "ok"  # one bad case (context overflow...) does not stop a suite
        except Exception as exc:  # EngineError or a broken pipe: treat as a crash
            message = _message(exc, "The engine stopped unexpectedly; run again to restart it.")
            self.caseFailed.emit(case_id, message)
            self._drop_engine()
            self.state.emit("error", message)
            return "failed"
        message = "The engine ended the case without a result; run it again."
        self.caseFailed.emit(case_id, message)
        return "ok"


def _message(exc: BaseException, fallback: str) -> str:
    text = str(exc).strip() if isinstance(exc, EngineError) else ""
    return text or f"{fallback} ({type(exc).__name__}: {exc})"


class EngineController(WorkerHost):
    """Runs suites of classification requests on a worker thread and reports by signals."""

    engineStateChanged = Signal(str, str)  # state (see STATES), detail
    caseStarted = Signal(str)
    deltaReceived = Signal(str, str, str)  # case_id, channel, text
    caseFinished = Signal(str, object)  # case_id, ClassifyResult
    caseFailed = Signal(str, str)  # case_id, message
    caseCancelled = Signal(str)
    suiteProgress = Signal(int, int, float)  # done, total, eta seconds (-1: unknown)
    suiteEnded = Signal(str)  # finished / failed / cancelled
    modelLoaded = Signal(object)  # the dict load() returned (placement, layers, server...)
    _runRequested = Signal(object, object)

    def __init__(
        self,
        engine_factory: EngineFactory | None = None,
        parent=None,
        *,
        shared: SharedEngine | None = None,
    ) -> None:
        shared = shared or SharedEngine(engine_factory or default_engine_factory)
        super().__init__(shared, "engine-worker", parent)
        self._state = "no_model"
        self._detail = ""
        self._model_detail = ""
        self._worker = _Worker(self.shared, self._cancel)
        self._adopt(self._worker)
        self._runRequested.connect(self._worker.run_suite)
        self._worker.state.connect(self._on_state)
        self._worker.caseStarted.connect(self.caseStarted)
        self._worker.delta.connect(self.deltaReceived)
        self._worker.caseFinished.connect(self.caseFinished)
        self._worker.caseFailed.connect(self.caseFailed)
        self._worker.caseCancelled.connect(self.caseCancelled)
        self._worker.progress.connect(self.suiteProgress)
        self._worker.loaded.connect(self.modelLoaded)
        self._worker.ended.connect(self._on_ended)
        # the thread starts with the first run, so a window that never runs has none

    @property
    def state(self) -> str:
        return self._state

    @property
    def state_detail(self) -> str:
        return self._detail

    def run_cases(self, requests: list[ClassifyRequest], settings: EngineSettings) -> bool:
        """Queue a suite; returns False (and does nothing) while another suite runs."""
        if self._busy or not requests:
            return False
        self._begin_job()
        self._runRequested.emit(list(requests), settings)
        return True

    @Slot(str, str)
    def report_state(self, state: str, detail: str) -> None:
        """Engine state seen by another job on the shared engine (the suite controller)."""
        self._on_state(state, detail)

    def set_no_model(self) -> None:
        """Tell listeners no model is configured (only while idle)."""
        if not self._busy:
            self._on_state("no_model", "")

    @Slot(str, str)
    def _on_state(self, state: str, detail: str) -> None:
        if state == "ready":
            self._model_detail = detail
        elif state == "running":
            detail = self._model_detail  # the status bar names the model, not the case
        elif state in ("no_model", "error"):
            self._model_detail = ""
        if (state, detail) == (self._state, self._detail):
            return
        self._state, self._detail = state, detail
        self.engineStateChanged.emit(state, detail)

    @Slot(str)
    def _on_ended(self, status: str) -> None:
        self._busy = False
        if self._state == "running":
            self._on_state("ready", self._model_detail)
        self.suiteEnded.emit(status)
