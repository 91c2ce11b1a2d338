"""The backend values the settings store: which backend, the local model and the server.

Plain dicts, no widgets: :func:`load_backend_values` / :func:`save_backend_values` read and
write them in ``QSettings`` (the local keys are the ones ``settings_store`` reads),
:func:`normalize_values` fills in defaults and coerces types, and :func:`remote_config`
builds the ``RemoteConfig`` for the remote half. The API key itself is never one of them.
``BackendSettingsWidget`` (in :mod:`app.gui.settings.backend_page`) edits these values.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings

from app.engine.remote.engine import APIS, RemoteConfig
from app.engine.remote.http import DEFAULT_KEY_ENV

DEFAULTS: dict = {
    "backend": "local",
    "model_path": "",
    "n_gpu_layers": "auto",
    "n_ctx": 8192,
    "parallel": 1,  # local: cases decoded together in one context
    "base_url": "http://127.0.0.1:8080",
    "remote_model": "",
    "remote_api": "auto",
    "api_key_env": DEFAULT_KEY_ENV,
    "concurrency": 1,
}
_KEYS = {  # value name -> QSettings key (local keys are the ones settings_store reads)
    "backend": "engine/backend",
    "model_path": "engine/model_path",
    "n_gpu_layers": "engine/n_gpu_layers",
    "n_ctx": "engine/n_ctx",
    "parallel": "engine/parallel",
    "base_url": "remote/base_url",
    "remote_model": "remote/model",
    "remote_api": "remote/api",
    "api_key_env": "remote/api_key_env",
    "concurrency": "remote/concurrency",
}


def _as_int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def normalize_values(values: dict) -> dict:
    """Fill in defaults and coerce types; unknown or garbled values fall back."""
    out = dict(DEFAULTS)
    out.update({k: v for k, v in values.items() if k in DEFAULTS and v is not None})
    out["backend"] = out["backend"] if out["backend"] in ("local", "remote") else "local"
    layers = out["n_gpu_layers"]
    out["n_gpu_layers"] = "auto" if str(layers) == "auto" else _as_int(layers, -1)
    if isinstance(out["n_gpu_layers"], int) and out["n_gpu_layers"] < -1:
        out["n_gpu_layers"] = -1
    out["n_ctx"] = max(512, _as_int(out["n_ctx"], DEFAULTS["n_ctx"]))
    out["remote_api"] = out["remote_api"] if out["remote_api"] in APIS else "auto"
    out["concurrency"] = max(1, _as_int(out["concurrency"], 1))
    out["parallel"] = min(16, max(1, _as_int(out["parallel"], 1)))
    for key in ("model_path", "base_url", "remote_model", "api_key_env"):
        out[key] = str(out[key]).strip()
    out["api_key_env"] = out["api_key_env"] or DEFAULT_KEY_ENV
    return out


def load_backend_values(settings: QSettings) -> dict:
    """Read the backend values from QSettings (the key is never there)."""
    return normalize_values({name: settings.value(key) for name, key in _KEYS.items()})


def save_backend_values(settings: QSettings, values: dict) -> None:
    """Write the backend values; anything not listed in ``_KEYS`` (a key) is ignored."""
    for name, value in normalize_values(values).items():
        settings.setValue(_KEYS[name], value)
    settings.sync()


def remote_config(values: dict) -> RemoteConfig:
    """The RemoteConfig for the remote half of ``values``."""
    v = normalize_values(values)
    return RemoteConfig(
        base_url=v["base_url"],
        model=v["remote_model"],
        api_key_env=v["api_key_env"],
        api=v["remote_api"],
    )
