"""Where a remote server is and how long it may take: :class:`RemoteConfig`.

The URL is kept as the server's root (``http://host:8000/v1`` as vLLM, Ollama and LM Studio
print it is ``http://host:8000``), so the cache key and the history of a server do not
depend on how its address was written. The API key itself is never here.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core import setting_limits as limits
from app.engine.remote.credentials import DEFAULT_KEY_ENV
from app.engine.remote.http_config import server_root

APIS = ("auto", "llama-server", "llama-cpp-python", "chat")  # "auto" detects one of the others


@dataclass(frozen=True)
class RemoteConfig:
    """Where the server is; the key itself is never stored here or in settings files."""

    base_url: str = "http://127.0.0.1:8080"
    model: str = ""  # "" uses the only model the server serves
    api_key_env: str = DEFAULT_KEY_ENV
    use_keyring: bool = True
    api: str = "auto"  # one of APIS
    connect_timeout: float = 10.0
    read_timeout: float = limits.READ_TIMEOUT.default
    retries: int = 3
    backoff: float = 0.5
    # longest one request may take (a whole answer), in seconds
    deadline: float = limits.DEADLINE.default
    max_body: int = 16 * 1024 * 1024  # largest answer accepted, in bytes
    list_timeout: float = 10.0  # longest the model list may take (at most ``deadline``)

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", server_root(self.base_url))
