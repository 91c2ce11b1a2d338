"""Every number a user sets for a run or an engine: its default and its range, in one table.

The window's stored settings (``app.gui.shared.options``) and the spin boxes of its Settings
dialog, the command line's defaults, the settings records of :mod:`app.core.run_types` and
the refusals of :mod:`app.core.settings_check` all read this table, so a value one of them
takes is a value every other one takes (``tests/gui/settings/test_setting_limits.py`` checks).

Why the ends are where they are:

* ``seed``: llama.cpp takes an unsigned 32-bit seed; 4,294,967,295 means "random" (refused:
  results are cached) and 2**32 would wrap to 0.
* ``max_tokens``: one token is a legal budget (a test's or a probe's); the top is the largest
  context a GGUF header may state.
* ``temperature``: the OpenAI API's range, which llama.cpp's samplers take as well.
* ``n_ctx``: below 512 the harmony scaffold, a short policy and an answer do not fit.
* ``unstable_below``: under one half, a case whose samples mostly disagree would count as
  stable.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """A setting's default and the closed range ``low..high`` it takes; ``special`` is a
    value outside the range with a meaning of its own (0 threads: llama.cpp decides; "auto"
    GPU layers: fit to free memory), which is then the default."""

    default: float | str
    low: float
    high: float
    special: float | str | None = None

    def holds(self, value: float) -> bool:
        return self.low <= value <= self.high

    def clamp(self, value: float) -> float:
        return min(self.high, max(self.low, value))

    def words(self) -> str:
        """``"from 0 to 2"``, ``"from 0 to 4,294,967,294"``: the range in a sentence."""
        return f"from {_number(self.low)} to {_number(self.high)}"


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else f"{value:,}"


# --- a run (part of the result-cache key) ---------------------------------------------------
TEMPERATURE = Limit(1.0, 0.0, 2.0)
TOP_P = Limit(1.0, 0.0, 1.0)
SEED = Limit(1234, 0, 2**32 - 2)
MAX_TOKENS = Limit(1024, 1, 1 << 20)  # the reasoning and the answer together
UNSTABLE_BELOW = Limit(0.8, 0.5, 1.0)  # Run ×k: a case is unstable below this agreement
SAMPLE_COUNTS = (3, 5, 10)  # Run ×k: the samples per case offered (seeds seed…seed+k-1)
SAMPLES = 5  # the window's k, until the user picks another

# --- the local engine -----------------------------------------------------------------------
N_CTX = Limit(8192, 512, 1 << 20)
N_THREADS = Limit(0, 1, 1024, special=0)  # 0 (none on the command line): llama.cpp decides
GPU_LAYERS = Limit("auto", 1, 999, special="auto")  # a layer count; or auto, -1 all, 0 CPU
PARALLEL = Limit(1, 1, 16)  # cases decoded together
PREFIX_CACHE_MB = Limit(2048, 0, 1 << 20)  # saved policy prefixes on disk; 0 turns it off

# --- a remote server ------------------------------------------------------------------------
CONCURRENCY = Limit(1, 1, 64)  # requests in flight
DEADLINE = Limit(600, 1, 86400)  # seconds one request (a whole answer) may take
READ_TIMEOUT = Limit(300, 1, 3600)  # seconds a server may stay silent on a case
