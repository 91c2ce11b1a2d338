"""A small HTTP client for OpenAI-compatible servers: JSON calls, SSE streams, retries, keys.

Standard library only (``http.client``), one keep-alive connection per client, so each
worker thread of a concurrent run owns its own client. Connect and read timeouts are
separate. 429, 5xx and dropped connections are retried with exponential backoff (a bounded
number of times, honouring ``Retry-After`` up to the backoff cap); a refused connection is
not retried: the server is down and the user is told at once. The API key comes from an
environment variable or the system keyring (``keyring``, optional), never a settings file.
``abort()`` may be called from any thread: it shuts the socket down, so a read blocked
inside a stream returns at once.

Nothing waits or grows without bound: every request, retries and a whole stream included,
has an overall ``deadline`` (:mod:`app.engine.remote.limits`), and no answer may be larger
than ``max_body`` bytes. A stream reports each second the server has not started its answer
(a ``Silence``), so a server that hangs shows.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import time
from collections.abc import Generator, Iterator

from app.engine.remote.credentials import (
    DEFAULT_KEY_ENV,
    KEYRING_SERVICE,
    resolve_api_key,
    store_api_key,
)
from app.engine.remote.http_config import (
    Aborted,
    HttpConfig,
    HttpError,
    check_base_url,
    server_root,
)
from app.engine.remote.limits import RequestClock, Silence, drain, silent

__all__ = [
    "DEFAULT_KEY_ENV", "KEYRING_SERVICE", "Aborted", "HttpClient", "HttpConfig", "HttpError",
    "Silence", "check_base_url", "resolve_api_key", "server_root", "store_api_key",
]  # fmt: skip
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_RESET_ERRORS = (
    ConnectionResetError,
    ConnectionAbortedError,
    BrokenPipeError,
    http.client.RemoteDisconnected,
    http.client.IncompleteRead,
)


class HttpClient:
    """JSON and server-sent-event requests against one base URL."""

    def __init__(self, config: HttpConfig) -> None:
        self.config = config
        scheme, self._host, self._port, self._prefix = check_base_url(config.base_url)
        self._https = scheme == "https"
        self._conn: http.client.HTTPConnection | None = None
        self._sock: socket.socket | None = None  # the connection's socket, even once closed
        self._sent = 0.0  # when the request in flight went out (monotonic)
        self._lock = threading.Lock()
        self._aborted = threading.Event()
        self._clock = RequestClock(config.deadline, self._shutdown)
        self.retry_log: list[tuple[str, float]] = []  # (reason, delay) of every retry

    # -- connection ----------------------------------------------------------------------
    def _connect(self) -> http.client.HTTPConnection:
        if self._conn is None:
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            conn = cls(self._host, self._port, timeout=self.config.connect_timeout)
            try:
                conn.connect()
            except TimeoutError:
                conn.close()
                self._check_deadline()
                raise HttpError(
                    "the server did not answer in time: connecting took over "
                    f"{self.config.connect_timeout:g} s"
                ) from None
            conn.sock.settimeout(self.config.read_timeout)
            with self._lock:
                self._conn, self._sock = conn, conn.sock
        return self._conn

    def close(self) -> None:
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def abort(self) -> None:
        """Stop the request in flight (from any thread); the next request reconnects."""
        self._aborted.set()
        self._shutdown()

    def _shutdown(self) -> None:
        with self._lock:
            sock = (self._conn.sock if self._conn is not None else None) or self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _check_deadline(self) -> None:
        self._clock.check(self.close)

    def _headers(self, has_body: bool) -> dict[str, str]:
        headers = {"Accept": "application/json, text/event-stream"}
        if has_body:
            headers["Content-Type"] = "application/json"
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        return headers

    # -- requests ------------------------------------------------------------------------
    def _delay(self, attempt: int, retry_after: str | None) -> float:
        delay = min(self.config.backoff * (2**attempt), self.config.backoff_cap)
        if retry_after:
            with contextlib.suppress(ValueError):
                delay = min(max(delay, float(retry_after)), self.config.backoff_cap)
        return delay

    def _open(self, method: str, path: str, body: dict | None) -> http.client.HTTPResponse:
        """Send a request and return a 2xx response (body unread), retrying what may pass."""
        return drain(self._attempts(method, path, body))

    def _attempts(
        self, method: str, path: str, body: dict | None
    ) -> Generator[Silence, None, http.client.HTTPResponse]:
        """:meth:`_open` step by step: a :class:`Silence` every tick while the server has
        not started its answer, then the 2xx response (body unread)."""
        self._aborted.clear()
        payload = json.dumps(body).encode("utf-8") if body is not None else None
        attempt = 0
        while True:
            response, retry_reason = yield from self._attempt(method, path, payload)
            retry_after = None
            if response is not None:
                if 200 <= response.status < 300:
                    return response
                retry_reason, retry_after = self._refused(response, attempt)
            if attempt >= self.config.retries:
                raise HttpError(f"{retry_reason}, after {attempt + 1} attempts")
            delay = self._delay(attempt, retry_after)
            self.retry_log.append((retry_reason, delay))
            if self._aborted.wait(delay):
                raise Aborted
            self._check_deadline()
            attempt += 1

    def _attempt(
        self, method: str, path: str, payload: bytes | None
    ) -> Generator[Silence, None, tuple[http.client.HTTPResponse | None, str]]:
        """Send once: (the response, '') or, for a dropped connection that may be retried,
        (None, why). Raises HttpError for what a retry cannot fix, Aborted after abort()."""
        try:
            conn = self._connect()
            conn.request(method, self._prefix + path, payload, self._headers(payload is not None))
            self._sent = time.monotonic()
            yield from self._clock.silences(
                conn.sock, self.config.read_timeout, self._aborted, self._sent
            )
            return conn.getresponse(), ""
        except (ConnectionRefusedError, socket.gaierror) as exc:
            self.close()
            raise HttpError(f"connection failed ({exc.__class__.__name__})") from None
        except TimeoutError:
            self.close()
            self._check_deadline()
            raise silent(self.config.read_timeout) from None
        except _RESET_ERRORS as exc:
            self._dropped()
            return None, f"connection dropped ({exc.__class__.__name__})"
        except (OSError, http.client.HTTPException) as exc:
            self._dropped()
            raise HttpError(f"connection failed ({exc})") from None

    def _dropped(self) -> None:
        """The connection failed: closed; Aborted if that was abort(), or past the deadline."""
        self.close()
        if self._aborted.is_set():
            raise Aborted from None
        self._check_deadline()

    def _refused(self, response: http.client.HTTPResponse, attempt: int) -> tuple[str, str | None]:
        """A status outside 2xx: raises HttpError unless it may pass on a retry that is
        left; then (why, the server's Retry-After)."""
        text = self._read_body(response)
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        if response.status not in RETRY_STATUSES or attempt >= self.config.retries:
            raise HttpError(f"HTTP {response.status}", response.status, text)
        return f"HTTP {response.status}", response.getheader("Retry-After")

    def get_json(self, path: str, deadline: float | None = None) -> object:
        """GET a JSON answer; ``deadline`` replaces the configured one for this call."""
        return self._call("GET", path, None, deadline)

    def post_json(self, path: str, body: dict) -> object:
        return self._call("POST", path, body)

    def _call(
        self, method: str, path: str, body: dict | None, deadline: float | None = None
    ) -> object:
        self._clock.arm(deadline)
        try:
            return self._read_json(self._open(method, path, body))
        finally:
            self._clock.disarm()

    def _too_large(self) -> HttpError:
        self.close()
        size = self.config.max_body / (1024 * 1024)
        return HttpError(f"the answer is larger than {size:g} MB", kind="too_large")

    def _read_body(self, response: http.client.HTTPResponse) -> str:
        """The whole body (at most ``max_body`` bytes), read under the deadline."""
        limit = self.config.max_body
        try:
            data = response.read(limit + 1)
        except (OSError, http.client.HTTPException, ValueError):
            self.close()
            if self._aborted.is_set():
                raise Aborted from None
            self._check_deadline()
            raise HttpError("the connection dropped while reading the answer") from None
        self._check_deadline()
        if len(data) > limit:
            raise self._too_large()
        return data.decode("utf-8", errors="replace")

    def _read_json(self, response: http.client.HTTPResponse) -> object:
        text = self._read_body(response)
        try:
            return json.loads(text)
        except ValueError:
            raise HttpError(
                "the server's answer is not JSON", response.status, text, kind="not_json"
            ) from None

    def stream(self, path: str, body: dict) -> Iterator[dict | Silence]:
        """POST and yield each JSON event of a server-sent-event stream until ``[DONE]``,
        and a :class:`Silence` every ``WAIT_TICK`` seconds until the answer starts.

        Raises ``Aborted`` after ``abort()``; a stream that ends without ``[DONE]`` just ends
        (the caller judges that from the finish reason it saw).
        """
        self._clock.arm()
        try:
            response = yield from self._attempts("POST", path, body)
            if "text/event-stream" not in (response.getheader("Content-Type") or ""):
                yield self._read_json(response)  # a server that ignored "stream": one answer
                return
            yield from self._clock.first_event(  # headers came, the answer not yet
                response, self._sock, self.config.read_timeout, self._aborted, self._sent
            )
            yield from self._events(response)
        finally:
            self._clock.disarm()
            # A stream left unread cannot be reused for keep-alive: drop the connection.
            self.close()

    def _events(self, response: http.client.HTTPResponse) -> Iterator[dict]:
        data: list[str] = []
        received = 0
        while True:
            raw = self._read_line(response, received)
            received += len(raw)
            if received > self.config.max_body:
                raise self._too_large()
            if not raw:
                return
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            if line.startswith("data:"):
                data.append(line[5:].lstrip(" "))
                continue
            if line or not data:
                continue  # comments (": ping"), event names, or stray blank lines
            text, data = "\n".join(data), []
            if text.strip() == "[DONE]":
                return
            event = _json_object(text)
            if event is not None:
                yield event

    def _read_line(self, response: http.client.HTTPResponse, received: int) -> bytes:
        """The stream's next line (b'' at its end), at most what ``max_body`` leaves plus
        one byte; raises Aborted after abort() and HttpError past the deadline or on a drop."""
        if self._aborted.is_set():
            raise Aborted
        try:
            raw = response.readline(self.config.max_body - received + 1)
        except TimeoutError:
            self._check_deadline()
            raise silent(self.config.read_timeout) from None
        except (OSError, http.client.HTTPException, ValueError):
            if self._aborted.is_set():
                raise Aborted from None
            self._check_deadline()
            raise HttpError("the connection dropped in the middle of the answer") from None
        if self._aborted.is_set():
            raise Aborted
        self._check_deadline()
        return raw


def _json_object(text: str) -> dict | None:
    """One event's JSON object; None for anything else (skipped, as servers send pings)."""
    try:
        event = json.loads(text)
    except ValueError:
        return None
    return event if isinstance(event, dict) else None
