"""How long one request to a server may take: its overall deadline and the wait for a reply.

:class:`RequestClock` arms a timer per request (retries and a whole stream included) that
shuts the socket down when the deadline passes, so a server that sends one byte every few
seconds cannot keep a read alive; ``check`` then says so in one sentence. ``silences`` waits
for the first byte of an answer in ticks of ``WAIT_TICK`` seconds, yielding a
:class:`Silence` each time, so a server that took a case and says nothing shows as
"waiting for the server · 40 s" instead of a frozen row; after ``read_timeout`` seconds it
gives up (``TimeoutError``). :func:`drain` runs such a step-by-step request to its end.
"""

from __future__ import annotations

import contextlib
import select
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import TypeVar

from app.engine.remote.http_config import HttpError

WAIT_TICK = 1.0  # seconds between Silence reports while a server has not answered
T = TypeVar("T")


@dataclass(frozen=True)
class Silence:
    """A request was sent and no answer has come for ``seconds`` (reported every tick)."""

    seconds: float


def silent(read_timeout: float) -> HttpError:
    """The error of a server that took a request and sent nothing for ``read_timeout``
    seconds (kind "silent": :class:`~app.engine.remote.reply.SilentServer` counts these)."""
    return HttpError(f"sent nothing for {read_timeout:g} s", kind="silent")


def drain(steps: Generator[object, None, T]) -> T:
    """Run a generator to its end and return what it returns (its yields are dropped)."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


class RequestClock:
    """The deadline of the request in flight; ``on_expire`` shuts its socket down."""

    def __init__(self, deadline: float, on_expire: Callable[[], None]) -> None:
        self.default = self.limit = deadline
        self.expired = threading.Event()
        self._on_expire = on_expire
        self._timer: threading.Timer | None = None

    def arm(self, deadline: float | None = None) -> None:
        """Start the deadline of a new request (``deadline`` replaces the default once)."""
        self.disarm()
        self.expired.clear()
        self.limit = self.default if deadline is None else deadline
        if self.limit and self.limit > 0:
            self._timer = threading.Timer(self.limit, self._expire)
            self._timer.daemon = True
            self._timer.start()

    def disarm(self) -> None:
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()

    def _expire(self) -> None:
        self.expired.set()
        self._on_expire()

    def check(self, close: Callable[[], None]) -> None:
        """Raise the deadline's sentence (after ``close``) once it has passed."""
        if self.expired.is_set():
            close()
            raise HttpError(
                f"the answer took longer than the {self.limit:g} s allowed for one request",
                kind="deadline",
            )

    def silences(
        self, sock: object, read_timeout: float, aborted: threading.Event, since: float = 0.0
    ) -> Iterator[Silence]:
        """Wait for the first byte of an answer on ``sock`` (at most ``read_timeout``),
        yielding the silence so far (counted from ``since``, when the request went out)
        every tick; an abort or the deadline shuts the socket down, which ends the wait and
        lets the reader say what happened."""
        started = time.monotonic()
        since = since or started
        while True:
            left = read_timeout - (time.monotonic() - started)
            if left <= 0:
                raise TimeoutError
            try:
                ready, _, _ = select.select([sock], [], [], min(WAIT_TICK, left))
            except (OSError, ValueError, TypeError):
                return  # a socket closed under us: the reader reports it
            if ready or aborted.is_set() or self.expired.is_set():
                return
            yield Silence(time.monotonic() - since)

    def first_event(
        self, response: object, sock: object, read_timeout: float, aborted: threading.Event,
        since: float,
    ) -> Iterator[Silence]:  # fmt: skip
        """:meth:`silences` for a stream whose headers came (servers send them at once and
        then queue the request): nothing when its reader already holds answer bytes."""
        if _buffered(response, sock):
            return
        try:
            yield from self.silences(sock, read_timeout, aborted, since)
        except TimeoutError:
            raise silent(read_timeout) from None


def _buffered(response: object, sock: object) -> bool:
    """Whether a response's reader holds unread bytes, asked without blocking; True when
    that cannot be told (TLS, no socket): the reader then just reads as it always does."""
    pending = getattr(sock, "pending", None)  # TLS: decrypted bytes wait in the socket
    if sock is None or pending is not None:
        return True
    timeout = sock.gettimeout()  # type: ignore[attr-defined]
    try:
        sock.setblocking(False)  # type: ignore[attr-defined]
        return bool(response.fp.peek(1))  # type: ignore[attr-defined]
    except (OSError, ValueError, AttributeError):
        return True
    finally:
        with contextlib.suppress(OSError):
            sock.settimeout(timeout)  # type: ignore[attr-defined]
