"""A small HTTP client for OpenAI-compatible servers: JSON calls, SSE streams, retries, keys.

Standard library only (``http.client``), one keep-alive connection per client, so each
worker thread of a concurrent run owns its own client. Connect and read timeouts are
separate. 429, 5xx and dropped connections are retried with exponential backoff (a bounded
number of times, honouring ``Retry-After`` up to the backoff cap); a refused connection is
not retried: the server is down and the user is told at once. The API key comes from an
environment variable or the system keyring (``keyring``, optional), never a settings file. ``abort()`` may be called from
any thread: it shuts the socket down, so a read blocked inside a stream returns at once.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_KEY_ENV = "SAFEGUARD_API_KEY"
KEYRING_SERVICE = "safeguard-studio"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_RESET_ERRORS = (
    ConnectionResetError,
    ConnectionAbortedError,
    BrokenPipeError,
    http.client.RemoteDisconnected,
    http.client.IncompleteRead,
)


class HttpError(Exception):
    """A request that failed for good; ``status`` is None when no HTTP answer came."""

    def __init__(self, message: str, status: int | None = None, body: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.body = body

    def server_message(self) -> str:
        """The error text the server put in its body (OpenAI or FastAPI shape), if any."""
        try:
            data = json.loads(self.body)
        except ValueError:
            return self.body.strip()[:300]
        if isinstance(data, dict):
            error = data.get("error", data.get("detail", data))
            if isinstance(error, dict):
                error = error.get("message", error)
            return str(error)[:300]
        return str(data)[:300]


class Aborted(Exception):
    """The request was aborted from another thread (a cancel)."""


@dataclass
class HttpConfig:
    base_url: str
    api_key: str | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 300.0  # longest silence allowed while a stream runs
    retries: int = 3  # extra attempts after the first
    backoff: float = 0.5  # first delay in seconds; doubles per attempt
    backoff_cap: float = 8.0


class HttpClient:
    """JSON and server-sent-event requests against one base URL."""

    def __init__(self, config: HttpConfig) -> None:
        self.config = config
        parts = urlsplit(config.base_url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise HttpError(f"{config.base_url!r} is not an http:// or https:// URL")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        self._conn: http.client.HTTPConnection | None = None
        self._lock = threading.Lock()
        self._aborted = threading.Event()
        self.retry_log: list[tuple[str, float]] = []  # (reason, delay) of every retry

    # -- connection ----------------------------------------------------------------------
    def _connect(self) -> http.client.HTTPConnection:
        if self._conn is None:
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            conn = cls(self._host, self._port, timeout=self.config.connect_timeout)
            conn.connect()
            conn.sock.settimeout(self.config.read_timeout)
            with self._lock:
                self._conn = conn
        return self._conn

    def close(self) -> None:
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def abort(self) -> None:
        """Stop the request in flight (from any thread); the next request reconnects."""
        self._aborted.set()
        with self._lock:
            sock = self._conn.sock if self._conn is not None else None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

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
        self._aborted.clear()
        payload = json.dumps(body).encode("utf-8") if body is not None else None
        attempt = 0
        while True:
            retry_reason, retry_after = "", None
            try:
                conn = self._connect()
                conn.request(method, self._prefix + path, payload, self._headers(body is not None))
                response = conn.getresponse()
            except (ConnectionRefusedError, socket.gaierror) as exc:
                self.close()
                raise HttpError(f"connection failed ({exc.__class__.__name__})") from None
            except TimeoutError:
                self.close()
                raise HttpError("the server did not answer in time") from None
            except _RESET_ERRORS as exc:
                self.close()
                if self._aborted.is_set():
                    raise Aborted from None
                retry_reason = f"connection dropped ({exc.__class__.__name__})"
            except OSError as exc:
                self.close()
                if self._aborted.is_set():
                    raise Aborted from None
                raise HttpError(f"connection failed ({exc})") from None
            else:
                if 200 <= response.status < 300:
                    return response
                text = response.read().decode("utf-8", errors="replace")
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                if response.status not in RETRY_STATUSES:
                    raise HttpError(f"HTTP {response.status}", response.status, text)
                retry_reason = f"HTTP {response.status}"
                retry_after = response.getheader("Retry-After")
                if attempt >= self.config.retries:
                    raise HttpError(f"HTTP {response.status}", response.status, text)
            if attempt >= self.config.retries:
                raise HttpError(f"{retry_reason}, after {attempt + 1} attempts")
            delay = self._delay(attempt, retry_after)
            self.retry_log.append((retry_reason, delay))
            if self._aborted.wait(delay):
                raise Aborted
            attempt += 1

    def get_json(self, path: str) -> object:
        return self._read_json(self._open("GET", path, None))

    def post_json(self, path: str, body: dict) -> object:
        return self._read_json(self._open("POST", path, body))

    def _read_json(self, response: http.client.HTTPResponse) -> object:
        try:
            text = response.read().decode("utf-8", errors="replace")
        except (OSError, http.client.HTTPException):
            self.close()
            raise HttpError("the connection dropped while reading the answer") from None
        try:
            return json.loads(text)
        except ValueError:
            raise HttpError("the server's answer is not JSON", response.status, text) from None

    def stream(self, path: str, body: dict) -> Iterator[dict]:
        """POST and yield each JSON event of a server-sent-event stream until ``[DONE]``.

        Raises ``Aborted`` after ``abort()``; a stream that ends without ``[DONE]`` just ends
        (the caller judges that from the finish reason it saw).
        """
        response = self._open("POST", path, body)
        if "text/event-stream" not in (response.getheader("Content-Type") or ""):
            yield self._read_json(response)  # a server that ignored "stream": one answer
            return
        data: list[str] = []
        try:
            while True:
                if self._aborted.is_set():
                    raise Aborted
                try:
                    raw = response.readline()
                except TimeoutError:
                    raise HttpError(
                        f"the server sent nothing for {self.config.read_timeout:.0f} s"
                    ) from None
                except (OSError, http.client.HTTPException, ValueError):
                    if self._aborted.is_set():
                        raise Aborted from None
                    raise HttpError("the connection dropped in the middle of the answer") from None
                if self._aborted.is_set():
                    raise Aborted
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
                try:
                    event = json.loads(text)
                except ValueError:
                    continue
                if isinstance(event, dict):
                    yield event
        finally:
            # A stream left unread cannot be reused for keep-alive: drop the connection.
            self.close()


# -- credentials: never in a settings file -------------------------------------------------
def resolve_api_key(
    base_url: str, env_var: str = DEFAULT_KEY_ENV, use_keyring: bool = True
) -> tuple[str | None, str]:
    """(key, where it came from): the environment variable first, then the system keyring."""
    env_var = env_var or DEFAULT_KEY_ENV
    key = os.environ.get(env_var)
    if key:
        return key, f"${env_var}"
    if not use_keyring:
        return None, "none"
    try:
        import keyring
    except ImportError:
        return None, f"none (only ${env_var} is read: the keyring package is not installed)"
    try:
        key = keyring.get_password(KEYRING_SERVICE, base_url.rstrip("/"))
    except Exception:  # a keyring backend can fail in many ways; a missing key is not fatal
        return None, "none (the system keyring could not be read)"
    return (key, "keyring") if key else (None, "none")


def store_api_key(base_url: str, key: str) -> None:
    """Save a key in the system keyring for this server (never in a settings file)."""
    try:
        import keyring

        keyring.set_password(KEYRING_SERVICE, base_url.rstrip("/"), key)
    except ImportError:
        raise HttpError(
            "The keyring package is not installed; set the key in an environment variable."
        ) from None
