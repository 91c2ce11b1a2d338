"""The one bridge between the window and the run service: one worker thread, Qt signals.

Widgets never touch a thread, pipe or engine. The window builds a
:class:`~app.runs.pipeline.selection.RunJob` (a test set, some cases, or one case) and calls
:meth:`EngineController.start`; the worker (:mod:`.engine_worker`) runs it through the Qt-free
:class:`~app.runs.pipeline.service.RunService`, which owns the one engine, the result cache and the
store. Signals reach the GUI thread queued:

- ``engineStateChanged(state, detail)``: no_model / loading / ready / running / error;
  ``modelLoaded(LoadFacts)`` when weights really loaded (placement, GPU layers, server);
- ``runStarted(run_id, total)``, ``caseStarted(case_id)``, ``deltaReceived(case_id,
  channel, text)`` while the engine streams; ``caseWaiting(case_id, seconds)`` every second
  a server has taken a case without answering (the state is then "waiting", detail "40 s");
- ``casesStored(list[StoredResult])`` in batches (cache hits arrive in bursts; a batch is at
  most ~100 ms of work, so the event loop never waits behind thousands of queued signals)
  and ``progress(done, total, eta)`` once per batch (eta -1 when unknown);
- ``runEnded(RunOutcome)``: exactly one per start, status finished / failed / cancelled;
- ``modelChecked(sentence)`` after a run that loaded a local model file never checked
  before: the self-check (:func:`~app.runs.backends.model_checks.check_first_load`) runs on the
  worker once the run has ended, and its result is stored per file.

Cancel sets a ``threading.Event`` that the run checks between cases and events and calls
``engine.cancel()`` so the case in flight stops at its next token — never a queued signal,
which would wait behind the running job. The thread starts with the first run.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QThread, Signal, Slot

from app.gui.running.engine_worker import RunWorker, TaskWorker
from app.runs.pipeline.selection import RunJob, RunOutcome
from app.runs.pipeline.service import EngineFactory, RunService
from app.store import Store

STATES = ("no_model", "loading", "ready", "running", "waiting", "error")


class EngineController(QObject):
    """Starts and cancels runs on the one worker thread; see the module notes."""

    engineStateChanged = Signal(str, str)  # state (see STATES), detail
    modelLoaded = Signal(object)  # LoadFacts
    runStarted = Signal(str, int)  # run id, cases in this run
    caseStarted = Signal(str)  # the engine starts on a case (not sent for cache hits)
    deltaReceived = Signal(str, str, str)  # case id, channel, text
    caseWaiting = Signal(str, float)  # case id, seconds the server has not answered it
    casesStored = Signal(list)  # list[StoredResult], in batches
    progress = Signal(int, int, float)  # done, total, eta seconds (-1 unknown)
    runEnded = Signal(object)  # RunOutcome
    taskEnded = Signal(object, str)  # an engine task's result, or None and a message
    modelChecked = Signal(str)  # the self-check after a model's first load, one sentence
    _runRequested = Signal(object)
    _taskRequested = Signal(object)
    _closeRequested = Signal()

    def __init__(
        self, store: Store, engine_factory: EngineFactory | None = None, parent=None
    ) -> None:
        super().__init__(parent)
        self.service = RunService(store, engine_factory) if engine_factory else RunService(store)
        self._cancel = threading.Event()
        self._busy = False
        self._state, self._detail, self._model_detail = "no_model", "", ""
        self._run_id = ""
        self._kind = "suite"
        self._done = 0
        self._thread = QThread()
        self._thread.setObjectName("engine-worker")
        self._worker = RunWorker(self.service, self._cancel)
        self._worker.moveToThread(self._thread)
        self._runRequested.connect(self._worker.run)
        self._tasks = TaskWorker(self.service, self._cancel)  # same thread, same engine
        self._tasks.moveToThread(self._thread)
        self._taskRequested.connect(self._tasks.run_task)
        self._tasks.taskEnded.connect(self._on_task_ended)
        self._tasks.state.connect(self._on_state)
        self._closeRequested.connect(self._worker.close_engine)
        self._worker.state.connect(self._on_state)
        self._worker.loaded.connect(self.modelLoaded)
        self._worker.started.connect(self._on_started)
        self._worker.caseStarted.connect(self.caseStarted)
        self._worker.delta.connect(self.deltaReceived)
        self._worker.waiting.connect(self._on_waiting)
        self._worker.batch.connect(self._on_batch)
        self._worker.ended.connect(self._on_ended)
        self._worker.checked.connect(self.modelChecked)

    # --- state ------------------------------------------------------------------------
    @property
    def state(self) -> str:
        return self._state

    @property
    def state_detail(self) -> str:
        return self._detail

    def is_busy(self) -> bool:
        return self._busy

    def thread_running(self) -> bool:
        return self._thread.isRunning()

    def run_id(self) -> str:
        """The id of the running test-set run, or of the last one."""
        return self._run_id

    # --- jobs -------------------------------------------------------------------------
    def start(self, job: RunJob) -> bool:
        """Queue a run; False (and nothing happens) while another one runs."""
        if self._busy or not job.cases:
            return False
        self._busy = True
        self._kind = job.kind
        self._done = 0
        self._cancel.clear()
        if not self._thread.isRunning():
            self._thread.start()
        self._runRequested.emit(job)
        return True

    def start_task(self, backend, task, renderer: str = "template") -> bool:
        """Queue ``task`` on the one engine (see ``RunService.run_task``); answers with
        ``taskEnded``. False while a run or task is busy."""
        if self._busy:
            return False
        self._busy = True
        self._cancel.clear()
        if not self._thread.isRunning():
            self._thread.start()
        self._taskRequested.emit((backend, task, renderer))
        return True

    @Slot(object, str)
    def _on_task_ended(self, result: object, message: str) -> None:
        self._busy = False
        self.taskEnded.emit(result, message)

    def cancel(self) -> None:
        """Stop the case in flight at its next token and skip the rest of the run."""
        if not self._busy:
            return
        self._cancel.set()
        self.service.cancel()

    def shutdown(self, timeout_ms: int = 15000) -> None:
        """Cancel any run, close the engine and stop the thread; safe to call twice."""
        if not self._thread.isRunning():
            self.service.close()
            return
        self.cancel()
        self._cancel.set()  # also stops a first-load self-check running after a run
        self.service.cancel()
        self._closeRequested.emit()
        self._thread.quit()
        if self._thread.wait(timeout_ms):
            # A job still running at quit() (the self-check) may leave the queued close
            # unprocessed; the thread has stopped, so closing here is safe.
            self.service.close()

    # --- worker events ----------------------------------------------------------------
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

    @Slot(str, float)
    def _on_waiting(self, case_id: str, seconds: float) -> None:
        if self._busy:
            self._on_state("waiting", f"{seconds:.0f} s")
            self.caseWaiting.emit(case_id, seconds)

    @Slot(str, int)
    def _on_started(self, run_id: str, total: int) -> None:
        self.progress.emit(0, total, -1.0)
        self.runStarted.emit(run_id, total)

    @Slot(list)
    def _on_batch(self, events: list) -> None:
        self.casesStored.emit([event.result for event in events])
        last = events[-1]
        # a count (parallel results arrive out of order), never past the bar's maximum: the
        # majority rows that end a Run ×k are announced at the full count
        self._done = min(self._done + len(events), last.total)
        self.progress.emit(self._done, last.total, -1.0 if last.eta_s is None else last.eta_s)

    @Slot(object)
    def _on_ended(self, outcome: RunOutcome) -> None:
        self._busy = False
        if outcome.run_id and self._kind == "suite":
            self._run_id = outcome.run_id
        if self._state in ("running", "waiting"):
            self._on_state("ready", self._model_detail)
        self.runEnded.emit(outcome)
