"""An engine that loads its model on the first request that needs it.

A fully cached suite (every case unchanged since the last run) then finishes without
loading 12 GB of weights: what the result cache key needs from the model — its fingerprint
and chat template — comes from the GGUF header instead.
"""

from __future__ import annotations

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
    It can do what the engine it wraps can (batching, a prefix budget), and is lazy."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._settings: EngineSettings | None = None
        self._loaded = False
        self.load_info: LoadFacts | None = None  # the inner engine's, once it loaded
        # told EngineLoading / EngineReady around the real load (the run service's events)
        self.on_event: Callable[[object], None] | None = None

    @property
    def capabilities(self) -> Capabilities:
        inner = self.engine.capabilities
        return Capabilities(batched=inner.batched, lazy=True, prefix_budget=inner.prefix_budget)

    def load(self, settings: EngineSettings) -> LoadFacts:
        info = inspect_model(settings.model_path)  # a bad file is refused now, not later
        if settings != self._settings:
            self._settings, self._loaded = settings, False
        return LoadFacts(model=info.path.name, chat_template=info.chat_template, lazy=True)

    def classify(self, request: ClassifyRequest) -> Iterator[Event]:
        failed = self._ensure_loaded([request])
        yield from failed or self.engine.classify(request)

    def classify_many(self, requests: list[ClassifyRequest], parallel: int) -> Iterator[Event]:
        assert can_batch(self.engine), "classify_many of an engine that cannot batch"
        failed = self._ensure_loaded(requests)
        yield from failed or self.engine.classify_many(requests, parallel)

    def set_prefix_budget(self, budget: int) -> None:
        assert has_prefix_budget(self.engine), "a prefix budget for an engine without one"
        self.engine.set_prefix_budget(budget)

    def _ensure_loaded(self, requests: list[ClassifyRequest]) -> list[Event]:
        """Load on first use; a Failed event per request when that is impossible."""
        if self._loaded:
            return []
        if self._settings is None:
            message = "Choose a model file before running."
        else:
            tell = self.on_event or (lambda _event: None)
            tell(EngineLoading(self._settings.model_path))
            try:
                self.load_info = self.engine.load(self._settings)
                self._loaded = True
                tell(EngineReady(self.load_info))
                return []
            except EngineError as exc:
                message = str(exc)
        return [Failed(request.case_id, message, "load") for request in requests]

    @property
    def loaded(self) -> bool:
        """True once the weights are loaded (the first case that missed the cache)."""
        return self._loaded

    def cancel(self) -> None:
        self.engine.cancel()

    def close(self) -> None:
        self.engine.close()
