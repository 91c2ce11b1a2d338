"""Run a test set with several requests in flight, so a server with parallel slots is busy.

Each worker thread gets its own engine (for the remote backend: its own connection, from
``spawn``) from a factory, takes the next request from a shared list and reports every event through one
callback, one call at a time. Cancelling stops the requests in flight and skips the rest.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from app.core.errors import EngineError
from app.core.run_types import TERMINAL, Cancelled, ClassifyRequest, Event, Failed
from app.engine.protocol import Engine


def run_concurrent(
    engine_factory: Callable[[], Engine],
    requests: Sequence[ClassifyRequest],
    concurrency: int,
    on_event: Callable[[Event], None] | None = None,
    stop: threading.Event | None = None,
) -> list[Event]:
    """Run requests on ``concurrency`` threads, each with its own engine from the factory.

    Returns one terminal event per request, in the order given (case ids kept). ``on_event``
    sees every event, one call at a time. Setting ``stop`` cancels the running requests and
    marks the ones not started as Cancelled. Engines are closed at the end.
    """
    pool = _Pool(engine_factory, requests, on_event, stop or threading.Event())
    threads = [threading.Thread(target=pool.work, daemon=True) for _ in range(max(1, concurrency))]
    watcher = threading.Thread(target=pool.watch, daemon=True)
    for thread in threads:
        thread.start()
    watcher.start()
    for thread in threads:
        thread.join()
    pool.done.set()  # ends the watcher; every request already has its terminal event
    watcher.join()
    return pool.terminal_events()


class _Pool:
    """One :func:`run_concurrent` call's shared state: the requests not started, each one's
    terminal event, the engines in use (for a cancel); one lock guards it and ``on_event``."""

    def __init__(
        self,
        factory: Callable[[], Engine],
        requests: Sequence[ClassifyRequest],
        on_event: Callable[[Event], None] | None,
        stop: threading.Event,
    ) -> None:
        self.factory, self.requests, self.on_event, self.stop = factory, requests, on_event, stop
        self.done = threading.Event()
        self.results: list[Event | None] = [None] * len(requests)
        self.pending = list(range(len(requests)))
        self.lock = threading.Lock()
        self.engines: list[Engine] = []
        self.load_errors: list[str] = []

    def emit(self, event: Event) -> None:
        if self.on_event is not None:
            with self.lock:
                self.on_event(event)

    def work(self) -> None:
        """One thread: its own engine, then the next request not started, until none is."""
        try:
            engine = self.factory()
        except EngineError as exc:
            with self.lock:
                self.load_errors.append(str(exc))
            return
        with self.lock:
            self.engines.append(engine)
        try:
            while (index := self._next()) is not None:
                self._run(engine, index)
        finally:
            engine.close()

    def _next(self) -> int | None:
        with self.lock:
            return self.pending.pop(0) if self.pending else None

    def _run(self, engine: Engine, index: int) -> None:
        request = self.requests[index]
        if self.stop.is_set():
            self.results[index] = Cancelled(request.case_id)
            self.emit(self.results[index])
            return
        for event in engine.classify(request):
            self.emit(event)
            if isinstance(event, TERMINAL):
                self.results[index] = event

    def watch(self) -> None:
        """Cancel every engine in use once ``stop`` is set (until the pool is done)."""
        while not self.stop.wait(0.05):
            if self.done.is_set():
                return
        with self.lock:
            for engine in self.engines:
                engine.cancel()

    def terminal_events(self) -> list[Event]:
        """Each request's terminal event; a request no engine ran failed to load."""
        reason = self.load_errors[0] if self.load_errors else "The request was not run."
        return [
            result if result is not None else Failed(self.requests[i].case_id, reason, "load")
            for i, result in enumerate(self.results)
        ]
