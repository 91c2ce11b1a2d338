"""The backend the window and the CLI share: ``backend.json`` in the config folder.

One small JSON object, Qt-free, beside the window's ``settings.ini``: ``backend`` ("local"
or "remote"), the local ``model_path``, and the server's ``base_url``, ``remote_model``,
``remote_api``, ``api_key_env``, ``concurrency``, ``deadline`` and ``timeout`` (the
longest silence on a case, in seconds) (the API key is never
here). The window writes it whenever its backend settings change, and on its first start
after an update from the settings it kept before; ``models use`` writes the local model;
``classify`` and ``eval`` read it when no ``--backend``/``--model``/``--base-url`` says
otherwise (:func:`app.commands.backend_options.take_active_backend`) and say on stderr which
one they took.
"""

from __future__ import annotations

import json
from pathlib import Path

from app.core.storage_paths import atomic_write_text, config_dir

CHOICE_FILE = "backend.json"
KEYS = (
    "backend", "model_path", "n_ctx", "n_gpu_layers", "parallel", "base_url", "remote_model",
    "remote_api", "api_key_env", "concurrency", "deadline", "timeout",
)  # fmt: skip


def choice_path(folder: Path | None = None) -> Path:
    return (folder if folder is not None else config_dir()) / CHOICE_FILE


def read_choice(folder: Path | None = None) -> dict | None:
    """The stored choice (known keys only), or None when there is none or it is damaged
    (then the window's own settings stand, and write it again)."""
    try:
        data = json.loads(choice_path(folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    return {key: data[key] for key in KEYS if key in data}


def update_choice(values: dict, folder: Path | None = None) -> None:
    """Merge ``values`` (known keys only) into the stored choice; written atomically."""
    merged = {**(read_choice(folder) or {}), **{k: values[k] for k in KEYS if k in values}}
    path = choice_path(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(merged, indent=1, ensure_ascii=False) + "\n")


def describe_choice(choice: dict) -> str:
    """'the server http://host:8080' or 'the model tiny.gguf', for the CLI's line."""
    if choice.get("backend") == "remote":
        model = f" (model {choice['remote_model']})" if choice.get("remote_model") else ""
        return f"the server {choice.get('base_url', '')}{model}"
    return f"the model {Path(str(choice.get('model_path', ''))).name}"
