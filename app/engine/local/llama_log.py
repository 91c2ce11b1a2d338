"""llama.cpp's log, kept in memory to explain a failed load in llama.cpp's own words."""

from __future__ import annotations

import ctypes
from collections import deque

import llama_cpp

# The last lines llama.cpp logged, to explain a failed load in its own words.
_LOG_LINES: deque[str] = deque(maxlen=200)


@llama_cpp.llama_log_callback
def _capture_log(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
    _LOG_LINES.append(text.decode("utf-8", errors="replace"))


def clear_log() -> None:
    _LOG_LINES.clear()


def install_log_capture() -> None:
    """Route llama.cpp's log into memory (the default prints it to stderr)."""
    llama_cpp.llama_log_set(_capture_log, ctypes.c_void_p(0))


def load_failure_reason() -> str:
    """The most telling line llama.cpp logged, e.g. a missing tensor or key."""
    lines = [line.strip() for line in "".join(_LOG_LINES).splitlines() if line.strip()]
    for keyword in ("error", "failed", "missing", "wrong", "invalid", "unknown"):
        for line in reversed(lines):
            if keyword in line.lower():
                return line
    return lines[-1] if lines else "no reason was logged"
