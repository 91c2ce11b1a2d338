"""The engine's child process: receives requests over a pipe, sends events back.

Runs in a process started with ``spawn`` so that a native abort, an out-of-memory kill or a
hard cancel during prompt processing costs a restart of this process, never the app.
Events are sent in small batches (every few milliseconds) so that streaming stays cheap.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event as MpEvent
from typing import TYPE_CHECKING, Any

from app.core.errors import EngineError
from app.core.run_types import TERMINAL, Delta, EngineSettings, Event, Failed, terminal_case_id
from app.engine.local.prefix_store import PrefixStore

if TYPE_CHECKING:
    from app.engine.local.runner import LlamaRunner

FLUSH_SECONDS = 0.02  # batch streamed deltas for at most this long


def worker_main(conn: Connection, cancel: MpEvent) -> None:
    """Entry point of the child process. Messages in: ("load", EngineSettings),
    ("classify", ClassifyRequest), ("classify_many", ([ClassifyRequest], parallel sequences)),
    ("prefix_budget", bytes of saved policy prefixes), ("close", None). Messages out: ("loaded", info),
    ("load_failed", message), ("events", [Event, ...])."""
    try:
        from app.engine.local.runner import LlamaRunner  # heavy import, child only
    except Exception as exc:  # noqa: BLE001 - a missing or broken llama.cpp library
        _answer_without_llama(conn, exc)
        return
    runner: LlamaRunner | None = None
    try:
        store: PrefixStore | None = PrefixStore()
    except OSError:  # no writable cache folder: prefixes are evaluated every time
        store = None
    while (message := _receive(conn)) is not None:
        kind, payload = message
        if kind == "prefix_budget" and store is not None:
            store.budget = payload
            store.evict()
        elif kind == "load":
            runner = _load(conn, LlamaRunner, payload, store)
        elif kind in ("classify", "classify_many"):
            _classify(conn, runner, kind, payload, cancel)


def _receive(conn: Connection) -> tuple[str, object] | None:
    """The app's next message; None once it says "close" or went away."""
    try:
        kind, payload = conn.recv()
    except (EOFError, OSError):
        return None  # the app went away
    return None if kind == "close" else (kind, payload)


def _load(
    conn: Connection,
    runner_class: type[LlamaRunner],
    settings: EngineSettings,
    store: PrefixStore | None,
) -> LlamaRunner | None:
    """Load the model; the app is told "loaded" or "load_failed"."""
    try:
        runner = runner_class(settings, store)
    except EngineError as exc:
        conn.send(("load_failed", str(exc)))
        return None
    conn.send(("loaded", runner.info()))
    return runner


def _classify(
    conn: Connection, runner: LlamaRunner | None, kind: str, payload: Any, cancel: MpEvent
) -> None:
    """Run one request ("classify") or a batch ("classify_many"), streaming its events."""
    requests = [payload] if kind == "classify" else payload[0]
    case_ids = [request.case_id for request in requests]
    if runner is None:
        conn.send(("events", [Failed(c, "No model is loaded.", "load") for c in case_ids]))
        return
    if kind == "classify":
        events = runner.classify(payload, cancel.is_set)
    else:
        from app.engine.local.batch import BatchDecoder

        events = BatchDecoder(runner, payload[1]).run(requests, cancel.is_set)
    _stream(conn, events, case_ids)


def _stream(conn: Connection, events: Iterator[Event], case_ids: list[str]) -> None:
    """Forward events in small batches; every case ends with exactly one terminal event."""
    pending: list = []
    open_ids = set(case_ids)
    last_flush = time.monotonic()
    try:
        for event in events:
            last = pending[-1] if pending else None
            if (
                isinstance(event, Delta)
                and isinstance(last, Delta)
                and (last.case_id, last.channel) == (event.case_id, event.channel)
            ):  # merge consecutive deltas of one case and channel
                pending[-1] = Delta(last.case_id, last.channel, last.text + event.text)
            else:
                pending.append(event)
            if isinstance(event, TERMINAL):
                open_ids.discard(terminal_case_id(event))
            now = time.monotonic()
            if isinstance(event, TERMINAL) or now - last_flush >= FLUSH_SECONDS:
                conn.send(("events", pending))
                pending = []
                last_flush = now
    except EngineError as exc:  # a GrammarError is bad input, not an engine fault
        kind = getattr(exc, "kind", "error")
        pending += [Failed(c, str(exc), kind) for c in case_ids if c in open_ids]
    except Exception as exc:  # noqa: BLE001 - any bug must end the job, not the process
        message = f"The engine failed: {exc!r}."
        pending += [Failed(case_id, message) for case_id in case_ids if case_id in open_ids]
    if pending:
        conn.send(("events", pending))


def llama_missing_message(exc: BaseException) -> str:
    """One sentence for a llama.cpp library that cannot be loaded in the child."""
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return (
        f"The llama.cpp library could not be loaded ({reason.rstrip('.')}); reinstall "
        "Safeguard Studio (or llama-cpp-python), or use a server with --backend remote."
    )


def _answer_without_llama(conn: Connection, exc: BaseException) -> None:
    """Without llama.cpp the child answers every load with the reason, until closed."""
    message = llama_missing_message(exc)
    while (received := _receive(conn)) is not None:
        kind, payload = received
        if kind == "load":
            conn.send(("load_failed", message))
        elif kind == "classify":
            conn.send(("events", [Failed(payload.case_id, message, "load")]))
        elif kind == "classify_many":
            conn.send(("events", [Failed(r.case_id, message, "load") for r in payload[0]]))
