"""The app's shared vocabulary for running the model: settings, requests, results, events.

A request carries the policy and the case separately, so a backend can share the policy
prefix between cases. Every request ends with exactly one terminal event: ``Finished``,
``Failed`` or ``Cancelled``. Everything here is plain data: the engine, the run service,
the CLI and the window all speak it, and none of them owns it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core import setting_limits as limits
from app.core.policy import OutputFormat
from app.core.verdict import Verdict

EFFORTS = ("low", "medium", "high")
RENDERERS = ("template", "harmony")


@dataclass(frozen=True)
class EngineSettings:
    """How the model is loaded. Changing any of these reloads the model."""

    model_path: str = ""
    n_ctx: int = limits.N_CTX.default
    n_gpu_layers: int | str = "auto"  # "auto" fits to free VRAM; -1 all layers; 0 CPU only
    n_threads: int | None = None
    flash_attn: bool = True  # llama.cpp's default too; it also skips other sequences' cells
    n_batch: int = 512


@dataclass(frozen=True)
class RunSettings:
    """How one classification runs. Part of the result-cache key."""

    effort: str = "medium"
    temperature: float = limits.TEMPERATURE.default
    top_p: float = limits.TOP_P.default
    seed: int = limits.SEED.default
    max_tokens: int = limits.MAX_TOKENS.default  # token budget for reasoning + answer
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


@dataclass(frozen=True)
class Waiting:
    """The case was sent and nothing came back yet: ``seconds`` of silence so far (a remote
    server reports this every few seconds until its first answer, so a hang shows)."""

    case_id: str
    seconds: float


Event = Started | Delta | Finished | Failed | Cancelled | Waiting
TERMINAL = (Finished, Failed, Cancelled)


def terminal_case_id(event: Finished | Failed | Cancelled) -> str:
    """The case a terminal event ends."""
    return event.result.case_id if isinstance(event, Finished) else event.case_id


@dataclass(frozen=True)
class LoadFacts:
    """What a backend's ``load()`` found out: the model, where it runs, its template."""

    model: str = ""  # the GGUF file name, or the model id the server serves
    backend: str = "local"  # "local" or "remote"
    n_ctx: int = 0
    chat_template: str | None = None  # the template that renders prompts, if the app sees it
    lazy: bool = False  # only the header was read; the weights load on the first request
    load_ms: float = 0.0
    # local llama.cpp
    architecture: str = ""
    gpu_offload: bool = False  # this llama.cpp build can offload to a GPU
    n_gpu_layers: int | None = None  # layers on the GPU (-1 all, 0 none)
    placement: str = ""  # one sentence on where the layers went, and why
    # each harmony special token's id, None where it is not one token (model self-check)
    special_tokens: tuple[tuple[str, int | None], ...] = ()
    # remote server
    base_url: str = ""
    api: str = ""  # llama-server / llama-cpp-python / chat
    served_models: tuple[str, ...] = ()
    injection_safe: bool = True
    api_key_source: str = ""


# What a run reports about its engine, beside the engine's own events.


@dataclass(frozen=True)
class EngineLoading:
    """The model starts loading (the weights of a lazy engine, on its first real case)."""

    detail: str  # the model file or server


@dataclass(frozen=True)
class EngineReady:
    facts: LoadFacts


@dataclass(frozen=True)
class EngineFailed:
    """The engine could not load, or crashed; it was dropped and the next run builds one."""

    message: str
