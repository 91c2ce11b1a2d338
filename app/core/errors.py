"""The base of every problem the user can act on, and the engine's own kind of it.

``str()`` of such an error is the one sentence shown to the user: what went wrong and
what to do. Code that reports problems to people catches :class:`UserError`.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can act on; str() is the one-sentence message."""


class EngineError(UserError, RuntimeError):
    """A backend problem the user can act on (model file, server, loading, memory)."""
