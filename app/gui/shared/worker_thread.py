"""The worker-thread plumbing both engine controllers share.

``EngineController`` (single cases) and ``SuiteController`` (whole test sets) each run their
jobs on a ``QThread`` of their own, on the one engine a
:class:`~app.gui.running.engine_holder.SharedEngine` holds. What is the same for both lives here:

- :class:`EngineWorker`, the worker side: loads (or reuses) the shared engine, announcing
  ``loading`` / ``ready`` through ``state`` and a fresh load through ``loaded``, and closes
  it on request;
- :class:`WorkerHost`, the GUI side: owns the thread (started with the first job), the busy
  flag and the cancel ``threading.Event``; cancels through that event plus
  ``engine.cancel()``, never a queued signal, and shuts the thread down on quit.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from app.core.run_types import EngineSettings
from app.engine.protocol import Engine
from app.gui.running.engine_holder import SharedEngine


def describe_model(facts: dict, settings: EngineSettings) -> str:
    """'name · GPU' style text for the status bar, from the facts load() returned."""
    name = str(facts.get("name") or facts.get("model") or Path(settings.model_path).name)
    backend = str(facts.get("backend") or "").strip()
    if not backend and "n_gpu_layers" in facts:
        layers = facts.get("n_gpu_layers") or 0
        backend = f"GPU ({layers} layers)" if layers else "CPU"
    return f"{name or 'model'} · {backend}" if backend else (name or "model")


class EngineWorker(QObject):
    """Lives on a worker thread; loads and closes the shared engine for its jobs."""

    state = Signal(str, str)  # loading / ready / running / error, detail
    loaded = Signal(object)  # the dict load() returned, on a fresh load only

    def __init__(self, shared: SharedEngine, cancel: threading.Event) -> None:
        super().__init__()
        self._shared = shared
        self._cancel = cancel

    @property
    def engine(self) -> Engine | None:
        return self._shared.engine

    def _drop_engine(self) -> None:
        self._shared.drop()

    def _load_engine(self, settings: EngineSettings) -> tuple[Engine, dict]:
        """The shared engine loaded with ``settings`` (reused when they match), its facts."""

        def loading() -> None:
            self.state.emit("loading", settings.model_path)

        engine, facts, fresh = self._shared.ensure(settings, loading)
        if fresh:
            self.loaded.emit(facts)
        self.state.emit("ready", describe_model(facts, settings))
        return engine, facts

    @Slot()
    def close_engine(self) -> None:
        self._drop_engine()


class WorkerHost(QObject):
    """Owns a worker thread and its worker; subclasses queue jobs with their own signal."""

    _closeRequested = Signal()

    def __init__(self, shared: SharedEngine, thread_name: str, parent=None) -> None:
        super().__init__(parent)
        self.shared = shared
        self._cancel = threading.Event()
        self._busy = False
        self._thread = QThread()
        self._thread.setObjectName(thread_name)
        self._worker: EngineWorker | None = None

    def _adopt(self, worker: EngineWorker) -> None:
        """Move ``worker`` onto the thread (started with the first job, not here)."""
        self._worker = worker
        worker.moveToThread(self._thread)
        self._closeRequested.connect(worker.close_engine)

    def _begin_job(self) -> None:
        """Mark busy, clear the cancel flag and start the thread if this is the first job."""
        self._busy = True
        self._cancel.clear()
        if not self._thread.isRunning():
            self._thread.start()

    def is_busy(self) -> bool:
        return self._busy

    def thread_running(self) -> bool:
        return self._thread.isRunning()

    def cancel(self) -> None:
        """Stop the case in flight at its next token and skip the rest of the job."""
        if not self._busy:
            return
        self._cancel.set()
        engine = self._worker.engine if self._worker is not None else None
        if engine is not None:
            with contextlib.suppress(Exception):
                engine.cancel()

    def shutdown(self, timeout_ms: int = 15000) -> None:
        """Cancel any job, close the engine and stop the worker thread; safe to call twice."""
        if not self._thread.isRunning():
            return
        self.cancel()
        self._closeRequested.emit()
        self._thread.quit()
        self._thread.wait(timeout_ms)
