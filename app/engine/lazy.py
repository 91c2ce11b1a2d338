"""An engine that loads its model on the first request that needs it.

A fully cached suite (every case unchanged since the last run) then finishes without
loading 12 GB of weights: what the result cache key needs from the model — its fingerprint
and chat template — comes from the GGUF header instead.
"""

from __future__ import annotations

from collections.abc import Iterator

from app.engine.modelfile import inspect_model
from app.engine.protocol import ClassifyRequest, Engine, EngineError, EngineSettings, Event, Failed


class LazyEngine:
    """Wraps an engine; ``load`` only validates the file, the first ``classify`` loads."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._settings: EngineSettings | None = None
        self._loaded = False
        self.load_info: dict = {}

    def load(self, settings: EngineSettings) -> dict:
        info = inspect_model(settings.model_path)  # a bad file is refused now, not later
        self._settings, self._loaded = settings, False
        return {"model": info.path.name, "chat_template": info.chat_template, "lazy": True}

    def classify(self, request: ClassifyRequest) -> Iterator[Event]:
        if not self._loaded:
            if self._settings is None:
                yield Failed(request.case_id, "Choose a model file before running.", "load")
                return
            try:
                self.load_info = self.engine.load(self._settings)
            except EngineError as exc:
                yield Failed(request.case_id, str(exc), "load")
                return
            self._loaded = True
        yield from self.engine.classify(request)

    def cancel(self) -> None:
        self.engine.cancel()

    def close(self) -> None:
        self.engine.close()
