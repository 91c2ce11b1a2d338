"""The remote backend: the engine protocol over an OpenAI-compatible HTTP server.

This ``__init__`` names what the rest of the app may use of it without reaching into its
modules: the settings of a server (:class:`RemoteConfig`, the ``APIS`` to choose from, the
default API-key variable), checking a URL, and saving a key in the system keyring. The
engine itself is built by :func:`app.runs.backends.config.build_engine`; only ``app.engine`` and
``app.runs`` import the modules behind this surface (tests/test_architecture.py).
"""

from app.engine.remote.credentials import DEFAULT_KEY_ENV, store_api_key
from app.engine.remote.http_config import HttpError, check_base_url, server_root
from app.engine.remote.remote_config import APIS, RemoteConfig

__all__ = [
    "APIS", "DEFAULT_KEY_ENV", "HttpError", "RemoteConfig", "check_base_url", "server_root",
    "store_api_key",
]  # fmt: skip
