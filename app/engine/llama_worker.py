"""The engine's child process: receives requests over a pipe, sends events back.

Runs in a process started with ``spawn`` so that a native abort, an out-of-memory kill or a
hard cancel during prompt processing costs a restart of this process, never the app.
Events are sent in small batches (every few milliseconds) so that streaming stays cheap.
"""

from __future__ import annotations

import time
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event as MpEvent

from app.engine.protocol import (
    TERMINAL,
    ClassifyRequest,
    Delta,
    EngineError,
    Failed,
)

FLUSH_SECONDS = 0.02  # batch streamed deltas for at most this long


def worker_main(conn: Connection, cancel: MpEvent) -> None:
    """Entry point of the child process. Messages in: ("load", EngineSettings),
    ("classify", ClassifyRequest), ("close", None). Messages out: ("loaded", info),
    ("load_failed", message), ("events", [Event, ...])."""
    from app.engine.llama_runner import LlamaRunner  # heavy import, child only

    runner: LlamaRunner | None = None
    while True:
        try:
            kind, payload = conn.recv()
        except (EOFError, OSError):
            return  # the app went away
        if kind == "close":
            return
        if kind == "load":
            runner = None
            try:
                runner = LlamaRunner(payload)
            except EngineError as exc:
                conn.send(("load_failed", str(exc)))
            else:
                conn.send(("loaded", runner.info()))
        elif kind == "classify":
            if runner is None:
                conn.send(("events", [Failed(payload.case_id, "No model is loaded.", "load")]))
                continue
            _stream(conn, runner, payload, cancel)


def _stream(conn: Connection, runner, request: ClassifyRequest, cancel: MpEvent) -> None:
    pending: list = []
    last_flush = time.monotonic()
    try:
        for event in runner.classify(request, cancel.is_set):
            if pending and isinstance(event, Delta) and isinstance(pending[-1], Delta):
                last = pending[-1]
                if last.channel == event.channel:  # merge consecutive deltas of one channel
                    pending[-1] = Delta(last.case_id, last.channel, last.text + event.text)
                else:
                    pending.append(event)
            else:
                pending.append(event)
            now = time.monotonic()
            if isinstance(event, TERMINAL) or now - last_flush >= FLUSH_SECONDS:
                conn.send(("events", pending))
                pending = []
                last_flush = now
    except EngineError as exc:
        pending.append(Failed(request.case_id, str(exc)))
    except Exception as exc:  # noqa: BLE001 - any bug must end the job, not the process
        pending.append(Failed(request.case_id, f"The engine failed: {exc!r}."))
    if pending:
        conn.send(("events", pending))
