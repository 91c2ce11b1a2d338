"""One engine for the whole window: single-case runs and suites share it.

The local engine holds a ~15 GB model in a child process, so the ``EngineController``
(Run case) and the ``SuiteController`` (Run all / failed / selected / resume) must never
build one each. :class:`SharedEngine` is the one place that builds, loads, reuses and drops
the engine. Its methods are called on whichever worker thread runs a job (the window runs
one job at a time); only :attr:`engine` (for ``cancel()``) and :meth:`set_factory` are used
from the GUI thread, and neither waits for a load.

A crash drops the engine (``drop()``), so the next job of either controller builds a fresh
one through the factory. :meth:`set_factory` (the backend changed in Settings: local vs
remote) makes the next job drop the old engine and build a new one.

:func:`settings_engine_factory` builds the engine the settings ask for: ``RemoteEngine`` when
``engine/backend`` is ``remote``, else the local llama.cpp engine.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from PySide6.QtCore import QSettings

from app.core.run_types import EngineSettings
from app.engine.protocol import Engine

EngineFactory = Callable[[], Engine]


def local_engine_factory() -> Engine:
    """The local llama.cpp engine; imported lazily so the window opens fast."""
    from app.engine.local.engine import LocalEngine

    return LocalEngine()


def backend_factory(values: dict) -> EngineFactory:
    """A factory for the backend ``values`` (from ``load_backend_values``) describe."""
    from app.gui.shared.backend_values import normalize_values, remote_config

    values = normalize_values(values)
    if values["backend"] != "remote":
        return local_engine_factory
    config = remote_config(values)

    def remote() -> Engine:
        from app.engine.remote.engine import RemoteEngine

        return RemoteEngine(config)

    return remote


def settings_engine_factory(settings: QSettings) -> EngineFactory:
    from app.gui.shared.backend_values import load_backend_values

    return backend_factory(load_backend_values(settings))


class SharedEngine:
    """Builds, loads and drops the single engine the window's controllers share."""

    def __init__(self, factory: EngineFactory) -> None:
        self._factory = factory
        self._generation = 0
        self._ref_lock = threading.Lock()  # short: guards the references only
        self._load_lock = threading.Lock()  # held while a worker builds or loads
        self._engine: Engine | None = None
        self._loaded: tuple[int, EngineSettings] | None = None
        self._facts: dict = {}
        self.builds = 0  # engines built so far (tests, diagnostics)

    @property
    def engine(self) -> Engine | None:
        """The current engine, or None (safe from any thread; never waits for a load)."""
        with self._ref_lock:
            return self._engine

    @property
    def facts(self) -> dict:
        with self._ref_lock:
            return dict(self._facts)

    def set_factory(self, factory: EngineFactory) -> None:
        """Use another factory from the next job on (the old engine is dropped then)."""
        with self._ref_lock:
            self._factory = factory
            self._generation += 1

    def ensure(
        self, settings: EngineSettings, on_loading: Callable[[], None] | None = None
    ) -> tuple[Engine, dict, bool]:
        """The engine loaded with ``settings``: (engine, load facts, loaded just now).

        Builds one through the factory when there is none (or the factory changed) and
        loads it when the settings differ from the last load. A failed load drops it and
        re-raises (``EngineError`` carries the user-facing sentence). Worker threads only.
        """
        with self._load_lock:
            with self._ref_lock:
                engine, loaded, generation = self._engine, self._loaded, self._generation
                factory = self._factory
            if engine is not None and loaded == (generation, settings):
                return engine, self.facts, False
            if engine is not None and loaded is not None and loaded[0] != generation:
                self.drop()
                engine = None
            if on_loading is not None:
                on_loading()
            if engine is None:
                engine = factory()
                self.builds += 1
                with self._ref_lock:
                    self._engine, self._loaded = engine, None
            try:
                facts = engine.load(settings) or {}
            except Exception:
                self.drop()
                raise
            with self._ref_lock:
                self._loaded, self._facts = (generation, settings), dict(facts)
            return engine, dict(facts), True

    def drop(self) -> None:
        """Close and forget the engine (after a crash, or on quit); the next job builds one."""
        with self._ref_lock:
            engine, self._engine, self._loaded, self._facts = self._engine, None, None, {}
        if engine is not None:
            with contextlib.suppress(Exception):  # a dead engine may fail to close
                engine.close()

    def cancel(self) -> None:
        engine = self.engine
        if engine is not None:
            with contextlib.suppress(Exception):
                engine.cancel()

    close = drop
