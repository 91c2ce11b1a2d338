"""The engine protocol: what every backend (local llama.cpp, remote server) implements.

The data it speaks (settings, requests, results, events) lives in :mod:`app.core.run_types`
so that the run service, the CLI and the window share it without importing an engine.

Beyond the four methods every engine has, an engine declares what else it can do in its
``capabilities`` (:class:`Capabilities`), one flag per optional method, and callers ask
those flags through :func:`can_batch`, :func:`can_spawn`, :func:`loads_lazily` and
:func:`has_prefix_budget`, which also tell a type checker which methods they may call.
Nothing probes an engine for a method by name; ``tests/engine/test_capabilities.py``
checks that every engine class's flags and its methods agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol, TypeGuard, runtime_checkable

from app.core.run_types import ClassifyRequest, EngineSettings, Event, LoadFacts


@dataclass(frozen=True)
class Capabilities:
    """What an engine can do besides load, classify, cancel and close."""

    batched: bool = False  # classify_many(requests, parallel): several cases decoded together
    spawns: bool = False  # spawn(): another engine of the same backend, for one more slot
    lazy: bool = False  # on_event: told EngineLoading/EngineReady when it really loads
    prefix_budget: bool = False  # set_prefix_budget(bytes): the saved policy prefixes' budget


# each flag of Capabilities and the member that it promises
CAPABILITY_MEMBERS = {
    "batched": "classify_many",
    "spawns": "spawn",
    "lazy": "on_event",
    "prefix_budget": "set_prefix_budget",
}


@runtime_checkable
class Engine(Protocol):
    """A classification backend. Methods are called from one worker thread at a time,
    except ``cancel``, which may be called from any thread."""

    @property
    def capabilities(self) -> Capabilities:
        """What this engine can do beyond this protocol (see :class:`Capabilities`)."""

    def load(self, settings: EngineSettings) -> LoadFacts:
        """Load (or reuse) the model; return what was found out about it.
        Raises EngineError with a one-sentence message."""

    def classify(self, request: ClassifyRequest) -> Iterator[Event]:
        """Run one request, yielding events; the last one is terminal."""

    def cancel(self) -> None:
        """Ask the running request to stop at the next token."""

    def close(self) -> None:
        """Release the model and any child process."""


class BatchedEngine(Engine, Protocol):
    """An engine that decodes several requests together (``capabilities.batched``)."""

    def classify_many(self, requests: list[ClassifyRequest], parallel: int) -> Iterator[Event]:
        """Run ``requests`` ``parallel`` at a time, yielding every request's events (each
        request's last one terminal) in the order they happen."""


class SpawningEngine(Engine, Protocol):
    """An engine that makes siblings for parallel slots (``capabilities.spawns``)."""

    def spawn(self) -> Engine:
        """A new engine for another thread: what this one's load found out, its own
        connection."""


class LazyEngineLike(Engine, Protocol):
    """An engine whose ``load`` defers the weights to the first request that needs them
    (``capabilities.lazy``); it tells ``on_event`` when it really loads."""

    on_event: Callable[[object], None] | None


class PrefixBudgetEngine(Engine, Protocol):
    """An engine that saves policy prefixes on disk (``capabilities.prefix_budget``)."""

    def set_prefix_budget(self, budget: int) -> None:
        """Change the disk budget of saved policy prefixes (0: neither saved nor used)."""


def can_batch(engine: Engine) -> TypeGuard[BatchedEngine]:
    return engine.capabilities.batched


def can_spawn(engine: Engine) -> TypeGuard[SpawningEngine]:
    return engine.capabilities.spawns


def loads_lazily(engine: Engine) -> TypeGuard[LazyEngineLike]:
    return engine.capabilities.lazy


def has_prefix_budget(engine: Engine) -> TypeGuard[PrefixBudgetEngine]:
    return engine.capabilities.prefix_budget
