"""The local llama.cpp backend, as seen from the app: a child process behind a pipe.

The parent never blocks on the child without a timeout: it polls the pipe and the process,
so a crash (SIGKILL, a native abort), a hang or a cancel that prompt processing does not
honour becomes a ``Failed`` event, and the next request starts a fresh child.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import signal
import time
from collections.abc import Iterator
from typing import ClassVar

from app.core.errors import EngineError
from app.core.run_types import (
    TERMINAL,
    Cancelled,
    ClassifyRequest,
    EngineSettings,
    Event,
    Failed,
    LoadFacts,
    terminal_case_id,
)
from app.engine.local.prefix_store import DEFAULT_BUDGET
from app.engine.local.worker import worker_main
from app.engine.protocol import Capabilities
from app.library.modelfile import inspect_model

POLL_SECONDS = 0.05
_AFTER_CRASH = {  # what happens after the child died, by what it was doing
    "classifying": "your work is safe and it is restarted for the next case",
    "loading the model": "check that the model file is whole and that the app is installed "
    "completely, then run again",
    "starting": "check that the app is installed completely, then run again",
}


def _exit_description(exitcode: int | None) -> str:
    if exitcode is None:
        return "it stopped answering"
    if exitcode < 0:
        try:
            return f"it was killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"it was killed by signal {-exitcode}"
    return f"it exited with code {exitcode}"


def _fail_all(case_ids: list[str], text: str, kind: str) -> list[Event]:
    return [Failed(case_id, text, kind) for case_id in case_ids]


class LocalEngine:
    """Engine protocol over a llama.cpp child process."""

    # parallel sequences of one model; saved policy prefixes on disk
    capabilities: ClassVar[Capabilities] = Capabilities(batched=True, prefix_budget=True)

    def __init__(
        self,
        *,
        load_timeout: float = 900.0,
        hang_timeout: float = 300.0,
        cancel_grace: float = 5.0,
        prefix_budget: int = DEFAULT_BUDGET,
    ) -> None:
        self._ctx = mp.get_context("spawn")
        self._process: mp.process.BaseProcess | None = None
        self._conn = None
        self._cancel = self._ctx.Event()
        self._settings: EngineSettings | None = None
        self._info: LoadFacts | None = None
        self.load_timeout = load_timeout
        self.hang_timeout = hang_timeout  # no event for this long while running: a hang
        self.cancel_grace = cancel_grace  # a cancel not honoured by then kills the child
        self.prefix_budget = prefix_budget  # bytes of saved policy prefixes; 0 turns it off

    # -- process management ---------------------------------------------------------
    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.is_alive()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def _start(self) -> None:
        self._stop_process()
        parent, child = self._ctx.Pipe()
        self._process = self._ctx.Process(
            target=worker_main, args=(child, self._cancel), name="safeguard-engine", daemon=True
        )
        try:
            self._process.start()
        except OSError as exc:  # no process could be started (a broken pipe, no memory)
            self._process = None
            parent.close()
            raise EngineError(
                f"The model engine's process could not start ({exc.strerror or exc}); "
                "close other programs or restart the app, then run again."
            ) from None
        finally:
            child.close()
        self._conn = parent
        self._send(("prefix_budget", self.prefix_budget), "starting")

    def _send(self, message: tuple, what: str) -> None:
        """Send to the child; EngineError (as from :meth:`_poll`) when it is gone."""
        try:
            self._conn.send(message)
        except (OSError, ValueError):  # a broken pipe: the child died
            self._poll(5.0, what)  # raises with the child's exit reason once it is seen dead
            self._stop_process(kill=True)
            raise EngineError(
                f"The model engine stopped answering while {what}; run again to restart it."
            ) from None

    def set_prefix_budget(self, budget: int) -> None:
        """Change the disk budget of saved policy prefixes (0: neither saved nor used)."""
        self.prefix_budget = budget
        if self.alive:
            with contextlib.suppress(EngineError):  # a dead child: the next run restarts it
                self._send(("prefix_budget", budget), "starting")

    def _stop_process(self, kill: bool = False) -> None:
        process, conn = self._process, self._conn
        self._process = self._conn = None
        self._info = None
        if process is None:
            return
        if not kill and process.is_alive() and conn is not None:
            with contextlib.suppress(OSError, ValueError):
                conn.send(("close", None))
            process.join(2.0)
        if process.is_alive():
            process.kill()
            process.join(5.0)
        if conn is not None:
            conn.close()

    def _poll(self, timeout: float, what: str):
        """One message from the child within timeout, or None; EngineError if it died."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self._conn.poll(min(POLL_SECONDS, max(0.0, deadline - time.monotonic()))):
                    return self._conn.recv()
            except (EOFError, OSError):
                pass  # the child went away: reported below
            if not self._process.is_alive():
                reason = _exit_description(self._process.exitcode)
                self._stop_process(kill=True)
                then = _AFTER_CRASH.get(what, "your work is safe and it is restarted")
                raise EngineError(f"The model engine stopped while {what} ({reason}); {then}.")
            if time.monotonic() >= deadline:
                return None

    # -- protocol -------------------------------------------------------------------
    def load(self, settings: EngineSettings) -> LoadFacts:
        if self.alive and settings == self._settings and self._info:
            return self._info
        inspect_model(settings.model_path)  # a bad file never reaches llama.cpp
        self._start()
        self._settings = settings
        self._send(("load", settings), "loading the model")
        message = self._poll(self.load_timeout, "loading the model")
        if message is None:
            self._stop_process(kill=True)
            raise EngineError(
                f"Loading the model took over {self.load_timeout:.0f} s and was stopped; "
                "try fewer GPU layers or a smaller context size."
            )
        kind, payload = message
        if kind == "load_failed":
            self._stop_process()
            raise EngineError(payload)
        self._info = payload
        return payload

    def classify(self, request: ClassifyRequest) -> Iterator[Event]:
        yield from self._run([request], ("classify", request))

    def classify_many(self, requests: list[ClassifyRequest], parallel: int) -> Iterator[Event]:
        """Run requests that share one policy in ``parallel`` sequences decoded together;
        events of different cases interleave, each case ends with one terminal event."""
        yield from self._run(list(requests), ("classify_many", (list(requests), parallel)))

    def _run(self, requests: list[ClassifyRequest], message: tuple) -> Iterator[Event]:
        open_ids = [request.case_id for request in requests]  # shrinks as the cases end
        failed = self._send_job(open_ids, message)
        if failed:
            yield from failed
            return
        cancel_deadline: float | None = None
        last_message = time.monotonic()
        while open_ids:
            try:
                answer = self._poll(0.25, "classifying")
            except EngineError as exc:
                yield from _fail_all(open_ids, str(exc), "crash")
                return
            now = time.monotonic()
            if answer is None:
                if self._cancel.is_set():
                    cancel_deadline = cancel_deadline or now + self.cancel_grace
                stopped = self._stopped(open_ids, now - last_message, now, cancel_deadline)
                if stopped:
                    yield from stopped
                    return
                continue
            last_message = now
            for event in answer[1]:
                yield event
                if isinstance(event, TERMINAL) and terminal_case_id(event) in open_ids:
                    open_ids.remove(terminal_case_id(event))

    def _send_job(self, case_ids: list[str], message: tuple) -> list[Event]:
        """Hand the job to the child (a fresh one after a crash); a Failed event per case
        when that is impossible, else []."""
        if self._settings is None:
            return _fail_all(case_ids, "Choose a model file before running.", "load")
        if not self.alive:
            try:
                self.load(self._settings)  # a fresh child after a crash
            except EngineError as exc:
                return _fail_all(case_ids, str(exc), "load")
        self._cancel.clear()
        try:
            self._send(message, "classifying")
        except EngineError as exc:
            return _fail_all(case_ids, str(exc), "crash")
        return []

    def _stopped(
        self, case_ids: list[str], silent: float, now: float, cancel_deadline: float | None
    ) -> list[Event]:
        """The child has been silent for ``silent`` seconds: past a cancel's grace (prompt
        processing ignores cancels) or the hang timeout it is killed and the open cases end;
        [] while waiting is right."""
        if cancel_deadline is not None and now >= cancel_deadline:
            self._stop_process(kill=True)
            return [Cancelled(case_id) for case_id in case_ids]
        if silent > self.hang_timeout:
            self._stop_process(kill=True)
            return _fail_all(
                case_ids,
                f"The model engine did not answer for {self.hang_timeout:.0f} s and was "
                "restarted; try a smaller context or fewer GPU layers.",
                "timeout",
            )
        return []

    def cancel(self) -> None:
        self._cancel.set()

    def close(self) -> None:
        self._stop_process()
        self._settings = None

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
