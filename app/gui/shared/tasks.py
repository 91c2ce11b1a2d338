"""Run short background jobs (imports, metrics, history, flip reports) off the GUI thread.

``TaskRunner`` owns a private ``QThreadPool``. ``submit(fn, *args)`` runs ``fn`` on a pool
thread and returns a task id at once; the result comes back on the GUI thread as
``taskFinished(task_id, result)`` or ``taskFailed(task_id, message)`` — exactly one of the
two per task. Widgets never see the pool: they hold a ``TaskRunner`` (a controller piece)
and listen to its signals, or pass a callback to :meth:`submit`.

``shutdown()`` waits for running jobs and is safe to call more than once; tests call it so
no thread outlives them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot


class _Relay(QObject):
    """Carries a job's outcome from the pool thread to the GUI thread (queued signals)."""

    finished = Signal(int, object)
    failed = Signal(int, str)


class _Job(QRunnable):
    def __init__(self, task_id: int, fn: Callable[..., Any], args: tuple, relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._task_id, self._fn, self._args, self._relay = task_id, fn, args, relay

    def run(self) -> None:  # pool thread
        try:
            result = self._fn(*self._args)
        except Exception as exc:  # every failure reaches the GUI as one sentence
            message = str(exc).strip() or type(exc).__name__
            self._relay.failed.emit(self._task_id, message)
        else:
            self._relay.finished.emit(self._task_id, result)


class TaskRunner(QObject):
    """A small pool of worker threads with results delivered as signals."""

    taskFinished = Signal(int, object)  # task id, the function's return value
    taskFailed = Signal(int, str)  # task id, one-sentence message

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._pool.setExpiryTimeout(2000)
        self._relay = _Relay(self)
        self._relay.finished.connect(self._on_finished)
        self._relay.failed.connect(self._on_failed)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, tuple[Callable | None, Callable | None]] = {}
        self._latest: dict[str, int] = {}  # kind -> newest task id of that kind

    def submit(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> int:
        """Run ``fn(*args)`` on a pool thread; return its task id immediately."""
        task_id = next(self._ids)
        self._callbacks[task_id] = (on_done, on_error)
        self._pool.start(_Job(task_id, fn, args, self._relay))
        return task_id

    def submit_latest(
        self,
        kind: str,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None],
        on_error: Callable[[str], None],
    ) -> int:
        """Like :meth:`submit`, but the outcome is delivered only if no newer task of the
        same ``kind`` was submitted since (a quick series of requests never shows a stale
        answer)."""
        holder: list[int] = []

        def done(result: object) -> None:
            if self._latest.get(kind) == holder[0]:
                on_done(result)

        def failed(message: str) -> None:
            if self._latest.get(kind) == holder[0]:
                on_error(message)

        holder.append(self.submit(fn, *args, on_done=done, on_error=failed))
        self._latest[kind] = holder[0]
        return holder[0]

    def pending(self) -> int:
        """Tasks submitted whose outcome has not been delivered yet."""
        return len(self._callbacks)

    def wait(self, timeout_ms: int = 10000) -> bool:
        """Block until the pool is idle (tests and shutdown only; never in a slot)."""
        return self._pool.waitForDone(timeout_ms)

    def shutdown(self, timeout_ms: int = 10000) -> None:
        """Drop queued tasks, wait for running ones; no outcome is delivered after this
        (a result still queued for the GUI thread would reach an owner that is closing)."""
        self._pool.clear()
        self._pool.waitForDone(timeout_ms)
        self._callbacks.clear()

    @Slot(int, object)
    def _on_finished(self, task_id: int, result: object) -> None:
        on_done, _ = self._callbacks.pop(task_id, (None, None))
        if on_done is not None:
            on_done(result)
        self.taskFinished.emit(task_id, result)

    @Slot(int, str)
    def _on_failed(self, task_id: int, message: str) -> None:
        _, on_error = self._callbacks.pop(task_id, (None, None))
        if on_error is not None:
            on_error(message)
        self.taskFailed.emit(task_id, message)
