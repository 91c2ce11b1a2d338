"""What a request to a remote server may do, and how it fails: limits, the URL, errors.

:class:`HttpConfig` holds the limits of :class:`~app.engine.remote.http.HttpClient`
(timeouts, retries, the overall deadline, the largest answer); :func:`check_base_url` turns
a server URL into its parts or one sentence (no scheme, a port out of range), and
:func:`server_root` takes the ``/v1`` off the URL that vLLM, Ollama and LM Studio print;
:class:`HttpError` is a request that failed for good, with the HTTP status when one came.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from app.core import setting_limits as limits


class HttpError(Exception):
    """A request that failed for good; ``status`` is None when no HTTP answer came."""

    def __init__(
        self, message: str, status: int | None = None, body: str = "", *, kind: str = ""
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = body
        self.kind = kind  # "" or "deadline", "too_large", "not_json", "url", "silent"

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
    read_timeout: float = limits.READ_TIMEOUT.default  # longest silence allowed while a stream runs
    retries: int = 3  # extra attempts after the first
    backoff: float = 0.5  # first delay in seconds; doubles per attempt
    backoff_cap: float = 8.0
    # longest time one request may take, stream and retries included
    deadline: float = limits.DEADLINE.default
    max_body: int = 16 * 1024 * 1024  # largest answer accepted, in bytes


def server_root(url: str) -> str:
    """The server's URL without surrounding blanks, trailing slashes or a final ``/v1``:
    ``http://host:8000/v1`` (what vLLM, Ollama and LM Studio print) is ``http://host:8000``,
    since every request path here starts with ``/v1`` itself."""
    text = (url or "").strip().rstrip("/")
    _scheme, sep, rest = text.partition("://")
    if sep and "/" in rest and rest.lower().endswith("/v1"):
        text = text[: -len("/v1")].rstrip("/")
    return text


def check_base_url(url: str) -> tuple[str, str, int | None, str]:
    """(scheme, host, port, path) of a server URL, or an HttpError with one sentence."""
    parts = urlsplit(server_root(url))
    if parts.scheme not in ("http", "https"):
        raise HttpError(
            f"The server URL {url!r} does not start with http:// or https://; write it like "
            "http://127.0.0.1:8080.",
            kind="url",
        )
    try:
        port = parts.port
    except ValueError:
        raise HttpError(
            f"The server URL {url!r} has a port outside 1-65535; check the port number.",
            kind="url",
        ) from None
    if not parts.hostname or port == 0:
        raise HttpError(
            f"The server URL {url!r} has no host name; write it like http://127.0.0.1:8080.",
            kind="url",
        )
    return parts.scheme, parts.hostname, port, parts.path.rstrip("/")
