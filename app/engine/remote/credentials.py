"""API keys for remote servers: from an environment variable or the system keyring, never
from a settings file or the command line (see ``app.engine.remote.http``)."""

from __future__ import annotations

import os

from app.engine.remote.http_config import HttpError

DEFAULT_KEY_ENV = "SAFEGUARD_API_KEY"
KEYRING_SERVICE = "safeguard-studio"


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
