"""The backend values the settings keep: which backend, the local model and the server.

The settings page edits them as one plain dict (:func:`load_backend_values`,
:func:`save_backend_values`, :func:`normalize_values`), read and written through the typed
registry in :mod:`app.gui.shared.options`, so a garbled value falls back exactly as
everywhere else. :func:`backend_config` is the one place the window turns its settings into
the :class:`~app.runs.backends.config.BackendConfig` a run uses — the single source of truth for
which backend and model are active. The API key itself is never one of these values.

The CLI reads the same choice: the values live in ``backend.json`` beside the settings file
(:mod:`app.runs.backends.choice`, Qt-free). Every save writes it; every read takes its values
first (``models use`` in a terminal changes the window's model too); a window that finds none
(its first start after an update) writes the values it kept before.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from app.core.storage_paths import config_dir
from app.engine.remote import RemoteConfig
from app.gui.shared import options
from app.gui.shared.settings_store import load_engine_settings
from app.runs.backends.choice import read_choice, update_choice
from app.runs.backends.config import BackendConfig

FIELDS: dict[str, options.Option] = {  # value name -> setting
    "backend": options.BACKEND,
    "model_path": options.MODEL_PATH,
    "n_gpu_layers": options.N_GPU_LAYERS,
    "n_ctx": options.N_CTX,
    "parallel": options.PARALLEL,
    "base_url": options.BASE_URL,
    "remote_model": options.REMOTE_MODEL,
    "remote_api": options.REMOTE_API,
    "api_key_env": options.API_KEY_ENV,
    "concurrency": options.CONCURRENCY,
    "deadline": options.REMOTE_DEADLINE,  # seconds one case may take on the server
    "timeout": options.REMOTE_SILENCE,  # seconds a server may stay silent on a case
}
DEFAULTS: dict[str, Any] = {name: opt.default for name, opt in FIELDS.items()}


def normalize_values(values: dict) -> dict:
    """Fill in defaults and validate; unknown keys are dropped, garbled values fall back."""
    out = dict(DEFAULTS)
    for name, opt in FIELDS.items():
        value = values.get(name)
        if value is None:
            continue
        try:
            out[name] = opt.parse(value)
        except (TypeError, ValueError):
            out[name] = opt.default
    return out


def choice_folder(settings: QSettings) -> Path:
    """Where ``backend.json`` is: beside the settings file (the config folder)."""
    name = settings.fileName()
    if settings.format() == QSettings.Format.IniFormat and name:
        return Path(name).parent
    return config_dir()


_SEEN: dict[str, dict] = {}  # config folder -> the choice this process last read or wrote


def _share(settings: QSettings, values: dict) -> None:
    folder = choice_folder(settings)
    with contextlib.suppress(OSError):  # a read-only config folder: the window still works
        update_choice(values, folder)
        _SEEN[str(folder)] = read_choice(folder) or {}


def sync_backend_choice(settings: QSettings) -> None:
    """Keep the settings and the shared ``backend.json`` one choice: a file changed outside
    this process (``models use``, another window) is taken into the settings; otherwise the
    settings are written to it (also on the first start after an update, when there is none)."""
    folder = choice_folder(settings)
    stored = read_choice(folder)
    if stored is not None and stored != _SEEN.get(str(folder)):
        for name, value in stored.items():
            with contextlib.suppress(TypeError, ValueError):  # garbled: the settings' stands
                options.put(settings, FIELDS[name], FIELDS[name].parse(value))
    current = {name: options.get(settings, opt) for name, opt in FIELDS.items()}
    if stored != current:
        _share(settings, current)
    else:
        _SEEN[str(folder)] = stored


def load_backend_values(settings: QSettings) -> dict:
    """The backend values as stored (the key is never there)."""
    sync_backend_choice(settings)
    return {name: options.get(settings, opt) for name, opt in FIELDS.items()}


def save_backend_values(settings: QSettings, values: dict) -> None:
    normalized = normalize_values(values)
    for name, value in normalized.items():
        options.put(settings, FIELDS[name], value)
    settings.sync()
    _share(settings, normalized)


def remote_config(values: dict) -> RemoteConfig:
    """The RemoteConfig for the remote half of ``values``."""
    v = normalize_values(values)
    return RemoteConfig(
        base_url=v["base_url"],
        model=v["remote_model"],
        api_key_env=v["api_key_env"],
        api=v["remote_api"],
        deadline=v["deadline"],
        read_timeout=v["timeout"],
    )


def backend_config(settings: QSettings) -> BackendConfig:
    """The backend a run uses now, from the settings."""
    values = load_backend_values(settings)
    if values["backend"] == "remote":
        remote = remote_config(values)
        return BackendConfig("remote", remote=remote, concurrency=values["concurrency"])
    return BackendConfig(
        "local",
        engine=load_engine_settings(settings),
        concurrency=values["parallel"],
        prefix_budget=options.get(settings, options.PREFIX_CACHE_MB) * 2**20,
    )


def use_local_model(settings: QSettings, path: str) -> None:
    """Make ``path`` the active model and the local backend the active one."""
    options.put(settings, options.MODEL_PATH, path)
    options.put(settings, options.BACKEND, "local")
    settings.sync()
    _share(settings, {"backend": "local", "model_path": path})
