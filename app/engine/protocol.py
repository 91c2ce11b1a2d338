"""The engine protocol: what every backend (local llama.cpp, remote server) implements.

The data it speaks (settings, requests, results, events) lives in :mod:`app.core.run_types`
so that the run service, the CLI and the window share it without importing an engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from app.core.run_types import ClassifyRequest, EngineSettings, Event, LoadFacts


@runtime_checkable
class Engine(Protocol):
    """A classification backend. Methods are called from one worker thread at a time,
    except ``cancel``, which may be called from any thread."""

    def load(self, settings: EngineSettings) -> LoadFacts:
        """Load (or reuse) the model; return what was found out about it.
        Raises EngineError with a one-sentence message."""

    def classify(self, request: ClassifyRequest) -> Iterator[Event]:
        """Run one request, yielding events; the last one is terminal."""

    def cancel(self) -> None:
        """Ask the running request to stop at the next token."""

    def close(self) -> None:
        """Release the model and any child process."""
