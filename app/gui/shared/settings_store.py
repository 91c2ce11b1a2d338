"""Where the window keeps its settings, and how they map onto engine and run settings.

Everything lives in one INI file (``settings.ini``) under the config folder from
platformdirs, redirectable with ``SAFEGUARD_CONFIG_DIR`` so tests never touch the user's
real settings. Keys are grouped: ``engine/*`` (how the model loads), ``run/*`` (how one
classification runs), ``ui/*`` (geometry, splitters, recent files).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from PySide6.QtCore import QSettings

from app.core.run_types import EFFORTS, EngineSettings, RunSettings
from app.core.storage_paths import APP_AUTHOR, APP_NAME

MAX_RECENT = 8


def config_dir() -> Path:
    """The settings folder: ``SAFEGUARD_CONFIG_DIR`` or the platform's user config folder."""
    path = Path(
        os.environ.get("SAFEGUARD_CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def open_settings() -> QSettings:
    """A QSettings bound to ``settings.ini`` in :func:`config_dir`."""
    return QSettings(str(config_dir() / "settings.ini"), QSettings.Format.IniFormat)


def _int(settings: QSettings, key: str, default: int) -> int:
    try:
        return int(settings.value(key, default))
    except (TypeError, ValueError):
        return default


def _float(settings: QSettings, key: str, default: float) -> float:
    try:
        return float(settings.value(key, default))
    except (TypeError, ValueError):
        return default


def _str(settings: QSettings, key: str, default: str = "") -> str:
    value = settings.value(key, default)
    return default if value is None else str(value)


def _gpu_layers(settings: QSettings) -> int | str:
    """ "auto" (fit to free GPU memory), -1 (all layers), 0 (CPU only) or a layer count."""
    value = str(settings.value("engine/n_gpu_layers", "auto")).strip().lower()
    if value == "auto":
        return "auto"
    try:
        return max(-1, int(value))
    except ValueError:
        return "auto"


def load_engine_settings(settings: QSettings) -> EngineSettings:
    """Read the engine settings; missing or garbled values fall back to the defaults."""
    base = EngineSettings()
    threads = _int(settings, "engine/n_threads", 0)
    return EngineSettings(
        model_path=_str(settings, "engine/model_path"),
        n_ctx=max(512, _int(settings, "engine/n_ctx", base.n_ctx)),
        n_gpu_layers=_gpu_layers(settings),
        n_threads=threads if threads > 0 else None,
        flash_attn=base.flash_attn,
        n_batch=base.n_batch,
    )


def save_engine_settings(settings: QSettings, engine: EngineSettings) -> None:
    settings.setValue("engine/model_path", engine.model_path)
    settings.setValue("engine/n_ctx", engine.n_ctx)
    settings.setValue("engine/n_gpu_layers", engine.n_gpu_layers)
    settings.setValue("engine/n_threads", engine.n_threads or 0)
    settings.sync()


def load_run_settings(settings: QSettings, effort: str | None = None) -> RunSettings:
    """Read the run settings; ``effort`` overrides the stored one (the toolbar combo)."""
    base = RunSettings()
    stored_effort = _str(settings, "run/effort", base.effort)
    effort = effort or stored_effort
    date = _str(settings, "run/date").strip()
    return RunSettings(
        effort=effort if effort in EFFORTS else base.effort,
        temperature=_float(settings, "run/temperature", base.temperature),
        top_p=_float(settings, "run/top_p", base.top_p),
        seed=_int(settings, "run/seed", base.seed),
        max_tokens=max(16, _int(settings, "run/max_tokens", base.max_tokens)),
        date=date or None,
    )


def save_run_settings(settings: QSettings, run: RunSettings) -> None:
    settings.setValue("run/effort", run.effort)
    settings.setValue("run/temperature", run.temperature)
    settings.setValue("run/top_p", run.top_p)
    settings.setValue("run/seed", run.seed)
    settings.setValue("run/max_tokens", run.max_tokens)
    settings.setValue("run/date", run.date or "")
    settings.sync()


def recent_files(settings: QSettings) -> list[str]:
    """Recently opened policy files, newest first, only those that still exist."""
    value = settings.value("ui/recent_files", [])
    if isinstance(value, str):
        value = [value] if value else []
    return [str(item) for item in (value or []) if item and Path(str(item)).is_file()]


def add_recent_file(settings: QSettings, path: Path | str) -> list[str]:
    """Put path first in the recent list (no repeats, at most MAX_RECENT) and return it."""
    path = str(Path(path).resolve())
    items = [path] + [item for item in recent_files(settings) if item != path]
    items = items[:MAX_RECENT]
    settings.setValue("ui/recent_files", items)
    settings.sync()
    return items
