"""Run a whole test set through ``run_suite`` on a worker thread, reported as Qt signals.

``SuiteController`` is the bridge for batch runs: the window builds a :class:`SuiteRequest`
(policy, cases, settings, which cases, resume, order) and calls :meth:`start`; the worker
loads the engine (kept between runs, reloaded when the engine settings change), picks the
cases, and calls :func:`app.runs.suite.run_suite`, which stores each result the moment it
finishes. Signals reach the GUI thread queued:

- ``suiteStarted(run_id, total)``; ``caseStored(result, index, total, cached, eta)`` for
  every stored result (eta -1 when unknown) and ``casesStored(list)`` for the same results
  in batches (cache hits arrive in bursts; a batch is at most ~100 ms of work, so the event
  loop never waits behind ten thousand queued signals);
- ``deltaReceived(case_id, channel, text)`` while the engine streams;
- ``suiteEnded(SuiteOutcome)``: exactly one per start, status finished / failed / cancelled.

Cancel sets a ``threading.Event`` that ``run_suite`` checks between cases and events, and
calls ``engine.cancel()`` so the case in flight stops at its next token.

The engine comes from a :class:`~app.gui.running.engine_holder.SharedEngine` (the window shares one
with its ``EngineController``). An engine crash (a result stored with an error of kind
``crash`` or ``load``) stops the run, drops the engine so the next run builds a fresh one,
and ends the run as ``failed`` with the crash message; its stored results stay and
``resume_run_id=LAST_RUN`` continues it. The request, the outcome and the choice of cases
live in :mod:`app.gui.running.suite_request`. ``caseStarted(case_id)`` marks the case in flight.
The thread, cancel and shutdown plumbing it shares with ``EngineController`` lives in
:mod:`app.gui.shared.worker_thread`.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from PySide6.QtCore import QMetaMethod, Signal, Slot

from app.core.fingerprint import cache_key_factory, model_fingerprint, template_hash
from app.core.run_types import Delta, EngineSettings, Started
from app.core.store import Store, StoredResult
from app.engine.protocol import Engine
from app.gui.running.engine_controller import default_engine_factory
from app.gui.running.engine_holder import EngineFactory, SharedEngine
from app.gui.running.suite_request import (
    LAST_RUN,
    SELECTIONS,
    SuiteOutcome,
    SuiteRequest,
    last_unfinished_run,
    select_cases,
)
from app.gui.shared.worker_thread import EngineWorker, WorkerHost, describe_model
from app.runs.suite import CaseStored, SuiteEnded, SuiteStarted, run_suite

BATCH_SECONDS = 0.1
_CRASH_PREFIXES = ("crash:", "load:")


class _SuiteWorker(EngineWorker):
    """Lives on the worker thread; one run at a time."""

    started = Signal(str, int)
    caseStarted = Signal(str)
    batch = Signal(list)  # list[CaseStored]
    delta = Signal(str, str, str)
    ended = Signal(object)

    def __init__(self, store: Store, shared: SharedEngine, cancel: threading.Event) -> None:
        super().__init__(shared, cancel)
        self._store = store
        self._facts: dict = {}
        self._crash = ""

    def _ensure_engine(self, settings: EngineSettings) -> Engine:
        engine, self._facts = self._load_engine(settings)
        return engine

    @Slot(object)
    def run(self, request: SuiteRequest) -> None:
        pending: list[CaseStored] = []
        last_flush = time.monotonic()

        def flush() -> None:
            nonlocal last_flush
            if pending:
                self.batch.emit(list(pending))
                pending.clear()
            last_flush = time.monotonic()

        def on_event(event: object) -> None:
            if isinstance(event, CaseStored):
                pending.append(event)
                result = event.result
                if result.status == "error" and result.message.startswith(_CRASH_PREFIXES):
                    self._crash = result.message.split(":", 1)[1].strip()
                    self._cancel.set()  # the engine died: stop here, resume later
                if not event.cached or time.monotonic() - last_flush > BATCH_SECONDS:
                    flush()
            elif isinstance(event, Started):
                self.caseStarted.emit(event.case_id)
            elif isinstance(event, Delta):
                self.delta.emit(event.case_id, event.channel, event.text)
            elif isinstance(event, SuiteStarted):
                self.started.emit(event.run_id, event.total)
            elif isinstance(event, SuiteEnded):
                flush()

        self._crash = ""
        try:
            outcome = self._run(request, on_event)
        except ValueError as exc:  # a request that cannot run (resume of another text)
            outcome = SuiteOutcome("failed", message=str(exc))
        except Exception as exc:  # EngineError carries the user-facing sentence
            self._drop_engine()
            message = str(exc).strip() or type(exc).__name__
            self.state.emit("error", message)
            outcome = SuiteOutcome("failed", message=f"The run stopped: {message}")
        if self._crash:
            self._drop_engine()  # the next run, of either kind, builds a fresh engine
            self.state.emit("error", self._crash)
            outcome = SuiteOutcome("failed", outcome.run_id, outcome.summary, self._crash)
        flush()
        self.ended.emit(outcome)

    def _run(self, request: SuiteRequest, on_event) -> SuiteOutcome:
        engine = self._ensure_engine(request.engine)
        path = request.engine.model_path
        facts = self._facts
        if facts.get("backend") == "remote":  # the server's model, not a local file
            fingerprint = f"remote:{facts.get('base_url')}#{facts.get('model')}"
        elif path and Path(path).is_file():
            fingerprint = model_fingerprint(path)
        else:
            fingerprint = str(facts.get("name") or path or "model")
        template = str(
            self._facts.get("template_hash")
            or template_hash(self._facts.get("chat_template"), request.run.renderer)
        )
        make_key = cache_key_factory(
            model=fingerprint, template=template, policy_text=request.policy.text,
            run=request.run,
        )  # fmt: skip
        resume = request.resume_run_id
        if resume == LAST_RUN:
            resume = last_unfinished_run(self._store, request)
            if not resume:
                return SuiteOutcome(
                    "finished", message="There is no unfinished run of this policy to resume."
                )
        cases = select_cases(request, self._store, make_key)
        if not cases and resume is None:
            return SuiteOutcome("finished", message="No cases matched; nothing to run.")
        self.state.emit("running", "")
        parallel = {}
        if request.concurrency > 1 and hasattr(engine, "spawn"):  # a server's parallel slots
            parallel = {"concurrency": request.concurrency, "engine_factory": engine.spawn}
        elif request.concurrency > 1:  # the local engine decodes that many cases together
            parallel = {"concurrency": request.concurrency}
        summary = run_suite(
            engine, request.policy, cases, request.run, store=self._store,
            model_fingerprint=fingerprint, template_hash=template,
            resume_run_id=resume,
            order="failed-first" if request.failed_first else "file",
            cancel=self._cancel, on_event=on_event, cases_path=request.cases_path,
            note=request.note, **parallel,
        )  # fmt: skip
        status = "cancelled" if summary.cancelled else "finished"
        if not self._crash:
            self.state.emit("ready", describe_model(self._facts, request.engine))
        return SuiteOutcome(status, summary.run_id, summary)


class SuiteController(WorkerHost):
    """Starts and cancels batch runs; see the module notes for the signals."""

    suiteStarted = Signal(str, int)  # run id, cases in this run
    caseStarted = Signal(str)  # case id: the engine starts on it (not sent for cache hits)
    caseStored = Signal(object, int, int, bool, float)  # StoredResult, index, total, cached, eta
    casesStored = Signal(list)  # list[StoredResult], the same results in batches
    suiteProgress = Signal(int, int, float)  # once per batch: done, total, eta (-1 unknown)
    deltaReceived = Signal(str, str, str)  # case id, channel, text
    suiteEnded = Signal(object)  # SuiteOutcome
    engineStateChanged = Signal(str, str)  # loading / ready / running / error, detail
    modelLoaded = Signal(object)  # the dict load() returned
    _runRequested = Signal(object)

    def __init__(
        self,
        store: Store,
        engine_factory: EngineFactory | None = None,
        parent=None,
        *,
        shared: SharedEngine | None = None,
    ) -> None:
        shared = shared or SharedEngine(engine_factory or default_engine_factory)
        super().__init__(shared, "suite-worker", parent)
        self.store = store
        self._run_id = ""
        self._done = 0
        self._worker = _SuiteWorker(store, self.shared, self._cancel)
        self._adopt(self._worker)
        self._runRequested.connect(self._worker.run)
        self._worker.started.connect(self._on_started)
        self._worker.batch.connect(self._on_batch)
        self._worker.delta.connect(self.deltaReceived)
        self._worker.caseStarted.connect(self.caseStarted)
        self._worker.loaded.connect(self.modelLoaded)
        self._worker.state.connect(self.engineStateChanged)
        self._worker.ended.connect(self._on_ended)

    def run_id(self) -> str:
        """The id of the running run, or of the last one."""
        return self._run_id

    def start(self, request: SuiteRequest) -> bool:
        """Queue a run; False (and nothing happens) while another one runs."""
        if self._busy:
            return False
        if request.selection not in SELECTIONS:
            raise ValueError(f"Unknown selection '{request.selection}'.")
        self._done = 0
        self._begin_job()
        self._runRequested.emit(request)
        return True

    @Slot(str, int)
    def _on_started(self, run_id: str, total: int) -> None:
        self._run_id = run_id
        self.suiteStarted.emit(run_id, total)

    @Slot(list)
    def _on_batch(self, events: list) -> None:
        if self.isSignalConnected(QMetaMethod.fromSignal(self.caseStored)):
            for event in events:
                eta = -1.0 if event.eta_s is None else float(event.eta_s)
                self.caseStored.emit(event.result, event.index, event.total, event.cached, eta)
        self.casesStored.emit([event.result for event in events])
        if events:
            last = events[-1]
            eta = -1.0 if last.eta_s is None else float(last.eta_s)
            self._done += len(events)  # a count: parallel results arrive out of order
            self.suiteProgress.emit(self._done, last.total, eta)

    @Slot(object)
    def _on_ended(self, outcome: SuiteOutcome) -> None:
        self._busy = False
        if outcome.run_id:
            self._run_id = outcome.run_id
        self.suiteEnded.emit(outcome)


def stored_as_result(stored: StoredResult):
    """A ``ClassifyResult`` view of a stored result, for ``CaseTableModel.set_result``."""
    from app.core.run_types import ClassifyResult, Timings, TokenCounts

    return ClassifyResult(
        case_id=stored.case_id, verdict=stored.verdict, analysis=stored.analysis,
        final=stored.final, stop_reason=stored.stop_reason,
        tokens=TokenCounts(stored.prompt_tokens, stored.evaluated_tokens,
                           stored.reused_tokens, stored.generated_tokens),
        timings=Timings(stored.load_ms, stored.prompt_ms, stored.generate_ms),
    )  # fmt: skip
