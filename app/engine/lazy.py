"""An engine that loads its model on the first request that needs it.

A fully cached suite (every case unchanged since the last run) then finishes without
loading 12 GB of weights: what the result cache key needs from the model — its fingerprint
and chat template — comes from the GGUF header instead.

The wrapper can do what the engine it wraps can, but for parallel slots: its capabilities
are the inner engine's, plus ``lazy`` and less ``spawns`` (only the local engine is wrapped,
and it has no slots; a wrapper with slots would have to load once for all of them). It
carries the other optional methods; one the inner engine cannot do raises TypeError (a
caller that asked the capabilities never calls it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

from app.core.errors import EngineError
from app.core.run_types import (
    ClassifyRequest,
    EngineLoading,
    EngineReady,
    EngineSettings,
    Event,
    Failed,
    LoadFacts,
)
from app.engine.protocol import Capabilities, Engine, can_batch, has_prefix_budget
from app.library.modelfile import inspect_model


class LazyEngine:
    """Wraps an engine; ``load`` only validates the file, the first ``classify`` loads.
    It can do what the engine it wraps can but spawn, and is lazy."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._settings: EngineSettings | None = None
        self._loaded = False
        self.load_info: LoadFacts | None = None  # the inner engine's, once it loaded
        # told EngineLoading / EngineReady around the real load (the run service's events)
        self.on_event: Callable[[object], None] | None = None

    @property
    def capabilities(self) -> Capabilities:
        return dataclasses.replace(self.engine.capabilities, lazy=True, spawns=False)

    def load(self, settings: EngineSettings) -> LoadFacts:
        info = inspect_model(settings.model_path)  # a bad file is refused now, not later
        if settings != self._settings:
            self._settings, self._loaded = settings, False
        return LoadFacts(model=info.path.name, chat_template=info.chat_template, lazy=True)

    def classify(self, request: ClassifyRequest) -> Iterator[Event]:
        failed = self._ensure_loaded([request])
        yield from failed or self.engine.classify(request)

    def classify_many(self, requests: list[ClassifyRequest], parallel: int) -> Iterator[Event]:
        inner = self.engine
        if not can_batch(inner):
            raise TypeError(f"{type(inner).__name__} cannot batch; ask can_batch() first.")
        failed = self._ensure_loaded(requests)
        yield from failed or inner.classify_many(requests, parallel)

    def set_prefix_budget(self, budget: int) -> None:
        inner = self.engine
        if not has_prefix_budget(inner):
            raise TypeError(f"{type(inner).__name__} has no prefix budget; ask first.")
        inner.set_prefix_budget(budget)

    def _ensure_loaded(self, requests: list[ClassifyRequest]) -> list[Event]:
        """Load on first use; a Failed event per request when that is impossible."""
        message = self._load()
        return [Failed(request.case_id, message, "load") for request in requests if message]

    def _load(self) -> str:
        """Load the inner engine unless it is loaded: "" when it is, else why not."""
        if self._loaded:
            return ""
        if self._settings is None:
            return "Choose a model file before running."
        tell = self.on_event or (lambda _event: None)
        tell(EngineLoading(self._settings.model_path))
        try:
            self.load_info = self.engine.load(self._settings)
        except EngineError as exc:
            return str(exc)
        self._loaded = True
        tell(EngineReady(self.load_info))
        return ""

    @property
    def loaded(self) -> bool:
        """True once the weights are loaded (the first case that missed the cache)."""
        return self._loaded

    def cancel(self) -> None:
        self.engine.cancel()

    def close(self) -> None:
        self.engine.close()
