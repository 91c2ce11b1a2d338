"""Where the window keeps its settings, and how they map onto engine and run settings.

Everything lives in one INI file (``settings.ini``) under the config folder from
platformdirs, redirectable with ``SAFEGUARD_CONFIG_DIR`` so tests never touch the user's
real settings. Every key, default and validation is in :mod:`app.gui.shared.options`; this
module turns them into engine and run settings and keeps the recent-files list.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from app.core.run_types import EFFORTS, EngineSettings, RunSettings
from app.core.storage_paths import config_dir
from app.gui.shared import options

MAX_RECENT = 8


def open_settings() -> QSettings:
    """A QSettings bound to ``settings.ini`` in :func:`config_dir`."""
    return QSettings(str(config_dir() / "settings.ini"), QSettings.Format.IniFormat)


def load_engine_settings(settings: QSettings) -> EngineSettings:
    """The local engine's settings; garbled values fall back to the defaults."""
    threads = options.get(settings, options.N_THREADS)
    return EngineSettings(
        model_path=options.get(settings, options.MODEL_PATH),
        n_ctx=options.get(settings, options.N_CTX),
        n_gpu_layers=options.get(settings, options.N_GPU_LAYERS),
        n_threads=threads or None,
    )


def save_engine_settings(settings: QSettings, engine: EngineSettings) -> None:
    options.put(settings, options.MODEL_PATH, engine.model_path)
    options.put(settings, options.N_CTX, engine.n_ctx)
    options.put(settings, options.N_GPU_LAYERS, engine.n_gpu_layers)
    options.put(settings, options.N_THREADS, engine.n_threads or 0)
    settings.sync()


def load_run_settings(settings: QSettings, effort: str | None = None) -> RunSettings:
    """The run settings; ``effort`` overrides the stored one (the toolbar combo)."""
    return RunSettings(
        effort=effort if effort in EFFORTS else options.get(settings, options.EFFORT),
        temperature=options.get(settings, options.TEMPERATURE),
        top_p=options.get(settings, options.TOP_P),
        seed=options.get(settings, options.SEED),
        max_tokens=options.get(settings, options.MAX_TOKENS),
        date=options.get(settings, options.DATE) or None,
    )


def save_run_settings(settings: QSettings, run: RunSettings) -> None:
    options.put(settings, options.EFFORT, run.effort)
    options.put(settings, options.TEMPERATURE, run.temperature)
    options.put(settings, options.TOP_P, run.top_p)
    options.put(settings, options.SEED, run.seed)
    options.put(settings, options.MAX_TOKENS, run.max_tokens)
    options.put(settings, options.DATE, run.date or "")
    settings.sync()


def recent_files(settings: QSettings) -> list[str]:
    """Recently opened policy files, newest first, only those that still exist."""
    items = options.get(settings, options.RECENT_FILES)
    return [item for item in items if Path(item).is_file()]


def add_recent_file(settings: QSettings, path: Path | str) -> list[str]:
    """Put path first in the recent list (no repeats, at most MAX_RECENT) and return it."""
    path = str(Path(path).resolve())
    items = [path] + [item for item in recent_files(settings) if item != path]
    items = items[:MAX_RECENT]
    options.put(settings, options.RECENT_FILES, items)
    settings.sync()
    return items
