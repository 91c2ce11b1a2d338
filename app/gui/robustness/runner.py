"""Runs a robustness job on the window's one engine, off the GUI thread.

The job goes to the :class:`~app.gui.running.engine_controller.EngineController` as an
engine task (its one worker thread, its one engine, so it never overlaps a test-set run);
the task calls :func:`~app.runs.robustness.run_robustness` on the controller's
``RunService``. Progress comes back through a relay whose signals are queued to the GUI
thread, at most every 0.1 s, so a run of thousands of variants does not flood the window.
Cancel stops the case in flight; running the same job again finds everything stored so far
in the cache (that is what *Resume* does).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot

from app.core.errors import UserError
from app.gui.shared.ports import EngineJobs
from app.runs.pipeline.results import CaseStored
from app.runs.robustness import (
    RobustnessJob,
    RobustnessOutcome,
    RobustnessStage,
    check_job,
    run_robustness,
)

PROGRESS_EVERY = 0.1  # seconds between progress signals


class _Relay(QObject):
    """Created on the GUI thread; emitted from the worker (queued across threads)."""

    progress = Signal(str, int, int)  # stage, done, total

    def __init__(self) -> None:
        super().__init__()
        self.stage, self.total, self.done = "", 0, 0
        self._last = 0.0
        self._lock = threading.Lock()

    def event(self, event: object) -> None:  # worker thread
        with self._lock:
            if isinstance(event, RobustnessStage):
                self.stage, self.total, self.done = event.stage, event.total, 0
            elif isinstance(event, CaseStored):
                self.done += 1
            else:
                return
            now = time.monotonic()
            if now - self._last < PROGRESS_EVERY and self.done < self.total:
                return
            self._last = now
            self.progress.emit(self.stage, self.done, self.total)


@dataclass
class RobustnessPorts:
    """What the runner uses of the window (the engine controller's part)."""

    engine: EngineJobs  # the window's one engine
    show_message: Callable[[str], None]


class RobustnessRunner(QObject):
    """Starts, cancels and reports robustness runs (see the module notes)."""

    progress = Signal(str, int, int)  # stage, done, total
    finished = Signal(object)  # RobustnessOutcome
    runningChanged = Signal(bool)

    def __init__(self, ports: RobustnessPorts, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ports = ports
        self._relay = _Relay()
        self._relay.progress.connect(self.progress)
        self._running = False
        self.last_job: RobustnessJob | None = None
        self.last_run_id = ""  # the last robustness run that finished in this window
        ports.engine.taskEnded.connect(self._on_task_ended)

    def is_running(self) -> bool:
        return self._running

    def start(self, job: RobustnessJob) -> bool:
        """Check the job here (one sentence when it cannot run), then queue it."""
        if self._running or self.ports.engine.is_busy():
            self.ports.show_message("A run is already in progress; cancel it or wait.")
            return False
        try:
            families, cases = check_job(job)  # the variants are made on the worker thread
        except UserError as exc:
            self.ports.show_message(str(exc))
            return False
        service = self.ports.engine.service
        relay = self._relay

        def task(_engine, _identity, _template, cancel: threading.Event) -> RobustnessOutcome:
            return run_robustness(service, job, cancel=cancel, on_event=relay.event)

        if not self.ports.engine.start_task(job.run.backend, task, job.run.run.renderer):
            self.ports.show_message("The engine is busy; try again when the run ends.")
            return False
        self.last_job = job
        self._running = True
        self.runningChanged.emit(True)
        count = len(families) * len(cases) * job.variants
        self.ports.show_message(f"Robustness run: {count} variants…")
        return True

    def cancel(self) -> None:
        if self._running:
            self.ports.show_message("Cancelling…")
            self.ports.engine.cancel()

    @Slot(object, str)
    def _on_task_ended(self, result: object, message: str) -> None:
        if not self._running:
            return  # another feature's task
        self._running = False
        self.runningChanged.emit(False)
        if not isinstance(result, RobustnessOutcome):
            result = RobustnessOutcome("failed", message or "The robustness run stopped.")
        elif result.status == "finished":
            self.last_run_id = result.run_id
        # always a closing word: the status bar no longer says "Robustness run: N variants…"
        self.ports.show_message(result.message or f"Robustness run {result.status}.")
        self.finished.emit(result)
