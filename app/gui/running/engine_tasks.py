"""Engine tasks that are not test-set runs (a suggested edit, its held-out check), run on
the engine controller's one worker thread with its one engine.

``TaskWorker`` lives on that thread beside the run worker, so a task and a run never overlap
and share the loaded model. It calls :meth:`~app.runs.service.RunService.run_task` and ends
every task with exactly one ``taskEnded(result, message)``: the result and "", or None and
one sentence. Engine loading and failure reach the status through ``state``.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal, Slot

from app.core.run_types import EngineFailed, EngineLoading
from app.runs.service import RunService


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
            from app.gui.running.engine_badge import describe_model

            self.state.emit("ready", describe_model(self.service.facts))

    def _event(self, event: object) -> None:
        if isinstance(event, EngineLoading):
            self.state.emit("loading", event.detail)
        elif isinstance(event, EngineFailed):
            self.state.emit("error", event.message)
