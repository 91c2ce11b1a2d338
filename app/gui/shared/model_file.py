"""Asking for a local model file and checking that it is one (a GGUF file).

``check_model_file`` says in one sentence what is wrong with a path ('' when it looks like
a GGUF model); ``ask_for_model`` is what a run does when the settings name no usable
local model: it asks for a file once and returns engine settings that use it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

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


def ask_for_model(
    engine: EngineSettings, parent: QWidget, tell: Callable[[str], None]
) -> EngineSettings | None:
    """``engine`` when its model file exists; else ask for one and return settings that
    use it (a new object), or None when the user gave up or chose a file that is not a
    model (``tell`` gets one sentence, or a warning box explains)."""
    if engine.model_path and Path(engine.model_path).is_file():
        return engine
    path, _ = QFileDialog.getOpenFileName(
        parent, "Choose a gpt-oss-safeguard model file", "", GGUF_FILTER
    )
    if not path:
        tell("Running needs a model file (.gguf); choose one in Settings.")
        return None
    problem = check_model_file(path)
    if problem:
        QMessageBox.warning(parent, "Not a model file", problem)
        return None
    return EngineSettings(
        model_path=path,
        n_ctx=engine.n_ctx,
        n_gpu_layers=engine.n_gpu_layers,
        n_threads=engine.n_threads,
    )
