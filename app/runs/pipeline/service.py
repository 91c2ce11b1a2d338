"""The one run pipeline that the window and the CLI share.

:class:`RunService` takes a :class:`~app.runs.pipeline.selection.RunJob` and runs it: builds (or
reuses) the engine for the job's backend with :func:`~app.runs.backends.config.build_engine`,
loads it (lazily for the local model: nothing is loaded when every case is cached), keys
the result cache on :func:`~app.runs.backends.config.model_identity`, picks the cases, and hands
them to :func:`~app.runs.pipeline.suite.run_suite`, which looks each case up in the cache, runs the
misses and stores each result as it lands. Everything it reports goes to ``on_event``:
the engine's own events (``Started``, ``Delta``), the engine's state (``EngineLoading``,
``EngineReady``, ``EngineFailed``) and the suite's (``SuiteStarted``, ``CaseStored``,
``SuiteEnded``). Every run ends with one :class:`~app.runs.pipeline.selection.RunOutcome`.

An engine process that dies on a case (a native crash, a kill) does not stop the run: the
suite restarts it and tries the case once more, and a case that crashes it twice is an
error case (:func:`~app.runs.pipeline.results.classify_case`). An engine that cannot load
(or cannot be restarted) stops the run (what was stored stays; a resume continues it; the
outcome's summary says how many cases did not run) and is dropped: the next run builds a
fresh one. The service is not
thread-safe except :meth:`cancel`; the window calls it from its one worker thread.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from app.core.errors import EngineError, UserError
from app.core.fingerprint import cache_key_factory
from app.core.run_types import EngineFailed, EngineLoading, EngineReady, LoadFacts
from app.core.settings_check import check_samples
from app.engine.protocol import Engine, can_spawn, loads_lazily
from app.runs.backends.config import (
    BackendConfig,
    apply_prefix_budget,
    build_engine,
    check_backend,
    model_identity,
    template_key,
)
from app.runs.pipeline.inputs import SuiteInputs
from app.runs.pipeline.results import CaseStored
from app.runs.pipeline.samples import run_samples
from app.runs.pipeline.selection import (
    LAST_RUN,
    RunJob,
    RunOutcome,
    last_unfinished_run,
    select_cases,
)
from app.runs.pipeline.suite import run_suite
from app.store import Store, StoreError

EngineFactory = Callable[[BackendConfig], Engine]
# engine, model identity, template key, cancel -> anything (see RunService.run_task)
EngineTask = Callable[[Engine, object, str, threading.Event], object]
# every next case would fail the same way: an engine that cannot (re)load, a bad grammar
_STOP_PREFIXES = ("load:", "grammar:")


class RunService:
    """Runs jobs on one engine at a time, over one store (see the module notes)."""

    def __init__(self, store: Store, engine_factory: EngineFactory = build_engine) -> None:
        self.store = store
        self._factory = engine_factory
        self._engine: Engine | None = None
        self._config: BackendConfig | None = None
        self._facts: LoadFacts | None = None
        self._lock = threading.Lock()  # guards the engine reference for cancel()
        self.builds = 0  # engines built so far (tests, diagnostics)

    @property
    def facts(self) -> LoadFacts | None:
        """What the engine's load found out, or None before the first run."""
        return self._facts

    @property
    def engine(self) -> Engine | None:
        return self._engine

    def run(
        self,
        job: RunJob,
        *,
        cancel: threading.Event | None = None,
        on_event: Callable[[object], None] | None = None,
    ) -> RunOutcome:
        """Run ``job``; never raises for a problem the user can act on (the outcome says)."""
        emit = on_event or (lambda _event: None)
        cancel = cancel or threading.Event()
        try:
            check_backend(job.backend, job.run)  # every setting, before anything loads
            check_samples(job.run.seed, job.samples, job.unstable_below)
            engine, facts = self._ensure(job.backend, emit)
        except UserError as exc:
            emit(EngineFailed(str(exc)))
            return RunOutcome("failed", message=str(exc))
        crash: list[str] = []

        def forward(event: object) -> None:
            if isinstance(event, CaseStored):
                result = event.result
                if result.status == "error" and result.message.startswith(_STOP_PREFIXES):
                    crash.append(result.message)
                    cancel.set()  # stop here; a resume continues once the cause is fixed
            emit(event)

        try:
            outcome = self._run(job, engine, facts, cancel, forward)
        except ValueError as exc:  # a job that cannot run (resume of another policy text)
            outcome = RunOutcome("failed", message=str(exc))
        except StoreError as exc:  # the database failed (full disk, lock): the engine is fine
            return RunOutcome("failed", message=str(exc))
        except Exception as exc:  # an engine that broke outside its event stream
            self.drop()
            message = str(exc).strip() or type(exc).__name__
            emit(EngineFailed(message))
            return RunOutcome("failed", message=f"The run stopped: {message}")
        if crash:
            kind, message = (part.strip() for part in crash[0].split(":", 1))
            if kind == "load":  # a bad grammar leaves the engine as it is
                self.drop()
                emit(EngineFailed(message))
            outcome = RunOutcome("failed", outcome.run_id, outcome.summary, message)
            outcome.stopped_by = kind
        return outcome

    def _run(
        self,
        job: RunJob,
        engine: Engine,
        facts: LoadFacts,
        cancel: threading.Event,
        emit: Callable[[object], None],
    ) -> RunOutcome:
        identity = model_identity(job.backend, facts)
        template = template_key(facts, job.run.renderer)
        make_key = cache_key_factory(
            model=identity, template=template, policy_text=job.policy.text, run=job.run
        )
        resume = job.resume_run_id
        if resume == LAST_RUN:
            resume = last_unfinished_run(self.store, job)
            if not resume:
                return RunOutcome(
                    "finished", message="There is no unfinished run of this policy to resume."
                )
        cases = select_cases(job, self.store, make_key)
        if not cases and resume is None:
            return RunOutcome("finished", message="No cases matched; nothing to run.")
        concurrency = job.backend.concurrency
        parallel: dict = {}
        if concurrency > 1 and can_spawn(engine):  # a server's parallel slots
            parallel = {"concurrency": concurrency, "engine_factory": engine.spawn}
        elif concurrency > 1:  # the local engine decodes that many cases together
            parallel = {"concurrency": concurrency}
        inputs = SuiteInputs(
            engine, job.policy, cases, job.run, store=self.store, model_fingerprint=identity,
            template_hash=template, cancel=cancel, on_event=emit, cases_path=job.cases_path,
            note=job.note, **parallel,
        )  # fmt: skip
        if job.samples > 1:
            sampled = run_samples(inputs, job.samples, threshold=job.unstable_below)
            if sampled.cancelled:
                return RunOutcome("cancelled", "", sampled.samples[-1])
            summary = sampled.suite_summary(len(cases))
            outcome = RunOutcome("finished", sampled.run_id, summary, stability=sampled.stability)
            if sampled.errors:  # errors do not vote, and a run with them does not pass
                first = sampled.errors[0]
                outcome.message = (
                    f"{len(sampled.errors)} of {len(cases) * job.samples} samples failed and "
                    f"did not vote; the first ({first.case_id}): "
                    f"{first.message.split(':', 1)[-1].strip()}"
                )
            return outcome
        order = "failed-first" if job.failed_first else "file"
        summary = run_suite(inputs, resume_run_id=resume, order=order, kind=job.kind)
        status = "cancelled" if summary.cancelled else "finished"
        return RunOutcome(status, summary.run_id, summary)

    def run_task(
        self,
        backend: BackendConfig,
        task: EngineTask,
        *,
        renderer: str = "template",
        cancel: threading.Event | None = None,
        on_event: Callable[[object], None] | None = None,
    ) -> object:
        """Run ``task(engine, model identity, template key, cancel)`` on this service's one
        engine (a suggested edit, its held-out check). Raises what the task raises; an
        engine that cannot load raises EngineError."""
        emit = on_event or (lambda _event: None)
        cancel = cancel or threading.Event()
        try:
            engine, facts = self._ensure(backend, emit)
        except EngineError as exc:
            emit(EngineFailed(str(exc)))
            raise
        identity = model_identity(backend, facts)
        return task(engine, identity, template_key(facts, renderer), cancel)

    def _ensure(
        self, config: BackendConfig, emit: Callable[[object], None]
    ) -> tuple[Engine, LoadFacts]:
        """The engine for ``config``, loaded; a different config drops the old engine."""
        engine = self._engine
        if engine is not None and self._facts is not None and config.same_engine(self._config):
            apply_prefix_budget(engine, config.prefix_budget)
            self._listen(engine, emit)
            return engine, self._facts
        self.drop()
        engine = self._factory(config)
        self.builds += 1
        with self._lock:
            self._engine, self._config = engine, config
        if not loads_lazily(engine):
            emit(EngineLoading(config.describe()))
        try:
            facts = engine.load(config.engine)
        except Exception:
            self.drop()
            raise
        self._facts = facts
        self._listen(engine, emit)
        emit(EngineReady(facts))
        return engine, facts

    @staticmethod
    def _listen(engine: Engine, emit: Callable[[object], None]) -> None:
        """A lazy engine tells this run's listener when it really loads the weights."""
        if loads_lazily(engine):
            engine.on_event = emit

    def cancel(self) -> None:
        """Stop the case in flight at its next token (any thread)."""
        with self._lock:
            engine = self._engine
        if engine is not None:
            with contextlib.suppress(Exception):
                engine.cancel()

    def drop(self) -> None:
        """Close and forget the engine; the next run builds a fresh one."""
        with self._lock:
            engine, self._engine, self._config, self._facts = self._engine, None, None, None
        if engine is not None:
            with contextlib.suppress(Exception):  # a dead engine may fail to close
                engine.close()

    close = drop
