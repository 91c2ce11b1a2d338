"""Check every run and engine setting once, before anything loads.

The CLI and the window both call :func:`check_settings` with the settings they are about to
use; a bad value becomes one :class:`SettingsError` sentence that names the setting and the
range it takes, instead of a traceback from the engine process or a late failure after the
model has loaded. The caller knows the model file, so it passes the model's trained context
length and a function that describes the memory a context needs (``app.library.memory``):
a context the model cannot use is refused with that estimate, before loading.

Seeds: a run is reproducible and its results are cached, so the seed must be fixed; a
"random" seed (-1 in llama.cpp) is refused, and the help says so. *Run ×k* samples with the
seeds ``seed … seed+k-1``, so every one of them must be a fixed seed too: llama.cpp takes a
32-bit seed, 4,294,967,295 means "random" and 2**32 would wrap to 0
(:func:`check_samples`, which also checks the agreement share that marks a case unstable).
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable

from app.core import setting_limits as limits
from app.core.errors import UserError
from app.core.run_types import EFFORTS, RENDERERS, EngineSettings, RunSettings

MAX_SEED = limits.SEED.high  # the ranges and why: app.core.setting_limits
SEED_HELP = f"fixed sampling seed, 0 to {MAX_SEED:,} (a random seed is refused: results are cached)"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class SettingsError(UserError, ValueError):
    """A run or engine setting out of range; str() says which and what it takes."""


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_date(date: str | None) -> None:
    """``None`` (no date line) or a real calendar date written YYYY-MM-DD."""
    if date is None:
        return
    try:
        valid = bool(_DATE.fullmatch(date)) and bool(datetime.date.fromisoformat(date))
    except (TypeError, ValueError):
        valid = False
    if not valid:
        raise SettingsError(f"The date {date!r} is not a real date; write it as YYYY-MM-DD.")


def check_run_settings(run: RunSettings, n_ctx: int | None = None) -> None:
    """Raise :class:`SettingsError` for the first run setting out of range."""
    if run.effort not in EFFORTS:
        raise SettingsError(
            f"Reasoning effort {run.effort!r} is unknown; use {', '.join(EFFORTS)}."
        )
    if run.renderer not in RENDERERS:
        raise SettingsError(f"Renderer {run.renderer!r} is unknown; use {', '.join(RENDERERS)}.")
    if not _is_int(run.max_tokens) or not limits.MAX_TOKENS.holds(run.max_tokens):
        raise SettingsError(
            f"The token budget {run.max_tokens} is out of range; use a number "
            f"{limits.MAX_TOKENS.words()}."
        )
    if n_ctx is not None and _is_int(n_ctx) and run.max_tokens >= n_ctx:
        raise SettingsError(
            f"The token budget {run.max_tokens:,} does not leave room for the prompt in a "
            f"context of {n_ctx:,} tokens; lower the budget or raise the context."
        )
    if not _finite(run.temperature) or not limits.TEMPERATURE.holds(run.temperature):
        raise SettingsError(
            f"The temperature {run.temperature} is out of range; use a number "
            f"{limits.TEMPERATURE.words()} (1 is recommended)."
        )
    if not _finite(run.top_p) or not limits.TOP_P.holds(run.top_p):
        raise SettingsError(
            f"top_p {run.top_p} is out of range; use a number {limits.TOP_P.words()}."
        )
    if not _is_int(run.seed) or not limits.SEED.holds(run.seed):
        raise SettingsError(
            f"The seed {run.seed} is not a fixed seed; use a number {limits.SEED.words()} "
            "(runs are cached, so a random seed is not offered)."
        )
    check_date(run.date)


def check_samples(seed: int, samples: int, unstable_below: float) -> None:
    """Raise :class:`SettingsError` when *Run ×k*'s seeds pass the last fixed seed, or when
    the unstable share is not a number from 0 to 1."""
    if samples > 1 and _is_int(seed) and seed + samples - 1 > MAX_SEED:
        raise SettingsError(
            f"The seed {seed:,} with {samples} samples would use seeds up to "
            f"{seed + samples - 1:,}, past the last fixed seed {MAX_SEED:,}; use a seed of "
            f"at most {MAX_SEED - samples + 1:,}."
        )
    if not _finite(unstable_below) or not limits.UNSTABLE_BELOW.holds(unstable_below):
        raise SettingsError(
            f"The unstable share {unstable_below} is out of range; use a number "
            f"{limits.UNSTABLE_BELOW.words()} (0.8: a case is unstable when fewer than 4 of 5 "
            "samples agree)."
        )


def check_engine_settings(
    engine: EngineSettings,
    *,
    model_context: int | None = None,
    describe_memory: Callable[[int], str] | None = None,
) -> None:
    """Raise :class:`SettingsError` for the first engine setting out of range.

    ``model_context`` is the context the model was trained for (from its GGUF header) and
    ``describe_memory(n_ctx)`` says what that context would need; both are optional.
    """
    n_ctx = engine.n_ctx
    if not _is_int(n_ctx) or n_ctx < limits.N_CTX.low:
        raise SettingsError(
            f"The context size {n_ctx} is too small; use {limits.N_CTX.low} tokens or more."
        )
    if model_context and n_ctx > model_context:
        need = f"; it would need about {describe_memory(n_ctx)}" if describe_memory else ""
        raise SettingsError(
            f"The context size {n_ctx:,} is more than the model's {model_context:,} tokens"
            f"{need}; use {model_context:,} or less."
        )
    if n_ctx > limits.N_CTX.high:
        raise SettingsError(
            f"The context size {n_ctx:,} is more than any model's; use a number of tokens "
            f"{limits.N_CTX.words()}."
        )
    layers = engine.n_gpu_layers
    if layers != "auto" and (not _is_int(layers) or layers < -1):
        raise SettingsError(
            f"GPU layers {layers!r} is not valid; use auto, -1 (all), 0 (CPU only) or a number."
        )
    threads = engine.n_threads
    if threads is not None and (not _is_int(threads) or not limits.N_THREADS.holds(threads)):
        raise SettingsError(
            f"Threads {threads} is not valid; use a number {limits.N_THREADS.words()}, or leave "
            "it out."
        )
    if not _is_int(engine.n_batch) or engine.n_batch < 1:
        raise SettingsError(f"The batch size {engine.n_batch} is not valid; use 1 or more.")


def check_settings(
    run: RunSettings,
    engine: EngineSettings | None = None,
    *,
    model_context: int | None = None,
    describe_memory: Callable[[int], str] | None = None,
) -> None:
    """Check a run's settings and, for a local model, its engine settings (see above)."""
    if engine is not None:
        check_engine_settings(engine, model_context=model_context, describe_memory=describe_memory)
    check_run_settings(run, engine.n_ctx if engine is not None else None)
