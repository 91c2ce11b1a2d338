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


def run_concurrent(  # noqa: C901 (on the shrinking list)
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
    stop = stop or threading.Event()
    done = threading.Event()
    results: list[Event | None] = [None] * len(requests)
    pending = list(range(len(requests)))
    lock = threading.Lock()
    engines: list[Engine] = []
    load_errors: list[str] = []

    def emit(event: Event) -> None:
        if on_event is not None:
            with lock:
                on_event(event)

    def worker() -> None:
        try:
            engine = engine_factory()
        except EngineError as exc:
            with lock:
                load_errors.append(str(exc))
            return
        with lock:
            engines.append(engine)
        try:
            while True:
                with lock:
                    if not pending:
                        return
                    index = pending.pop(0)
                request = requests[index]
                if stop.is_set():
                    results[index] = Cancelled(request.case_id)
                    emit(results[index])
                    continue
                for event in engine.classify(request):
                    emit(event)
                    if isinstance(event, TERMINAL):
                        results[index] = event
        finally:
            engine.close()

    def watch() -> None:
        while not stop.wait(0.05):
            if done.is_set():
                return
        with lock:
            for engine in engines:
                engine.cancel()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(max(1, concurrency))]
    watcher = threading.Thread(target=watch, daemon=True)
    for thread in threads:
        thread.start()
    watcher.start()
    for thread in threads:
        thread.join()
    done.set()  # ends the watcher; every request already has its terminal event
    watcher.join()
    reason = load_errors[0] if load_errors else "The request was not run."
    return [
        result if result is not None else Failed(requests[i].case_id, reason, "load")
        for i, result in enumerate(results)
    ]
