"""The engine protocol: what every backend (local llama.cpp, remote server) takes and emits.

A request carries the policy and the case separately, so a backend can share the policy
prefix between cases (KV-cache reuse now, parallel sequences later). Every request ends
with exactly one terminal event: ``Finished``, ``Failed`` or ``Cancelled``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from app.core.policy import OutputFormat
from app.core.verdict import Verdict

EFFORTS = ("low", "medium", "high")
RENDERERS = ("template", "harmony")


@dataclass(frozen=True)
class EngineSettings:
    """How the model is loaded. Changing any of these reloads the model."""

    model_path: str = ""
    n_ctx: int = 8192
    n_gpu_layers: int | str = "auto"  # "auto" fits to free VRAM; -1 all layers; 0 CPU only
    n_threads: int | None = None
    flash_attn: bool = False
    n_batch: int = 512


@dataclass(frozen=True)
class RunSettings:
    """How one classification runs. Part of the result-cache key."""

    effort: str = "medium"
    temperature: float = 1.0
    top_p: float = 1.0
    seed: int = 1234
    max_tokens: int = 1024  # token budget for reasoning + answer
    date: str | None = None  # the "Current date" line; fixed per run, None omits it
    renderer: str = "template"  # "template" (the GGUF's own) or "harmony" (built-in)
    grammar: str | None = None  # optional GBNF constraint (tests, strict formats)


@dataclass(frozen=True)
class ClassifyRequest:
    case_id: str
    policy: str  # the policy body as sent to the model (front matter removed)
    content: str
    run: RunSettings = field(default_factory=RunSettings)
    output: OutputFormat = field(default_factory=OutputFormat)  # how to read the answer


@dataclass
class TokenCounts:
    prompt: int = 0  # tokens in the whole prompt
    evaluated: int = 0  # prompt tokens actually run through the model
    reused: int = 0  # prompt tokens taken from the KV cache
    generated: int = 0


@dataclass
class Timings:
    load_ms: float = 0.0
    prompt_ms: float = 0.0
    generate_ms: float = 0.0


@dataclass
class ClassifyResult:
    """Everything known about one finished classification."""

    case_id: str
    verdict: Verdict
    analysis: str
    final: str
    stop_reason: str  # "return", "call", "endoftext", "budget", "cancelled", "error"
    tokens: TokenCounts
    timings: Timings
    model: str = ""  # model file name or remote model id


# Events streamed from a backend while a request runs.


@dataclass(frozen=True)
class Started:
    case_id: str
    prompt_tokens: int
    reused_tokens: int


@dataclass(frozen=True)
class Delta:
    """Text appended to a channel ("analysis", "final", "commentary", ...)."""

    case_id: str
    channel: str
    text: str


@dataclass(frozen=True)
class Finished:
    result: ClassifyResult


@dataclass(frozen=True)
class Failed:
    case_id: str
    message: str  # one sentence that says what to do
    kind: str = "error"  # "error", "crash", "timeout", "context", "load"


@dataclass(frozen=True)
class Cancelled:
    case_id: str


Event = Started | Delta | Finished | Failed | Cancelled
TERMINAL = (Finished, Failed, Cancelled)


def terminal_case_id(event: Finished | Failed | Cancelled) -> str:
    """The case a terminal event ends."""
    return event.result.case_id if isinstance(event, Finished) else event.case_id


class EngineError(RuntimeError):
    """A backend problem the user can act on; str() is the one-sentence message."""


@runtime_checkable
class Engine(Protocol):
    """A classification backend. Methods are called from one worker thread at a time,
    except ``cancel``, which may be called from any thread."""

    def load(self, settings: EngineSettings) -> dict:
        """Load (or reuse) the model; return facts about it (name, backend, n_ctx...).
        Raises EngineError with a one-sentence message."""

    def classify(self, request: ClassifyRequest) -> Iterator[Event]:
        """Run one request, yielding events; the last one is terminal."""

    def cancel(self) -> None:
        """Ask the running request to stop at the next token."""

    def close(self) -> None:
        """Release the model and any child process."""
