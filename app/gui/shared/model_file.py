"""Checking that it is one (a GGUF file).

``check_model_file`` says in one sentence what is wrong with a path ('' when it looks like
a GGUF model); ``model_file_ready`` tells a run whether the settings name a model file at
all (when not, the window sends the user to the Models dialog).
"""

from __future__ import annotations

from pathlib import Path

from app.core.run_types import EngineSettings

GGUF_FILTER = "GGUF model files (*.gguf);;All files (*)"


def check_model_file(path: str) -> str:
    """'' when path looks like a GGUF file, else one sentence saying what is wrong."""
    if not path:
        return "Choose a model file (.gguf)."
    file = Path(path)
    if not file.is_file():
        return f"{file.name} does not exist; choose another file."
    try:
        with file.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        return f"Cannot read {file.name} ({exc.strerror}); check its permissions."
    if magic != b"GGUF":
        return f"{file.name} is not a GGUF model file; choose a .gguf file."
    return ""


def model_file_ready(engine: EngineSettings) -> bool:
    """Whether the settings name a model file that exists."""
    return bool(engine.model_path) and Path(engine.model_path).is_file()
