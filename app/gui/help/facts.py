"""What Help ▸ About shows and Help ▸ Report a problem copies: versions, backend, folders.

``gather_facts`` looks at the llama.cpp build (which loads its shared library) and may ask
``nvidia-smi`` for the GPU, so the menu runs it on a worker thread. ``diagnostics_text``
turns the facts and the last engine error into a plain-text block for a bug report; it
never includes policy or case text (the engine error is the only free text, and it is the
app's own sentence).
"""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from app import __version__
from app.core.resources import app_root, is_frozen
from app.core.storage_paths import data_dir
from app.library.catalog import models_dir
from app.library.hardware import detect_hardware

MODEL_LICENCE = (
    "gpt-oss-safeguard is published by OpenAI under the Apache 2.0 licence. Its use is "
    "also subject to the gpt-oss usage policy: use it to classify content against your own "
    "policies, check its labels before acting on them, and do not use it to harm people."
)
APP_LICENCE = "Safeguard Studio is free software under the Apache 2.0 licence."


@dataclass(frozen=True)
class AppFacts:
    """A snapshot of this installation, taken once per About or report."""

    version: str
    python: str
    qt: str
    pyside: str
    llama_cpp_python: str
    backend: str
    gpu: str
    system_info: str
    data_dir: Path
    models_dir: Path
    install: str  # "bundle at …" or "checkout at …"
    platform: str


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _qt_versions() -> tuple[str, str]:
    import PySide6
    from PySide6.QtCore import qVersion

    return qVersion(), PySide6.__version__


def _llama_version() -> str:
    version = _package_version("llama_cpp_python")
    if version == "not installed":  # a frozen build carries the module, not its metadata
        try:
            import llama_cpp

            version = getattr(llama_cpp, "__version__", version)
        except Exception:
            pass
    return version


def gather_facts() -> AppFacts:
    """Versions, the llama.cpp backend, the GPU and the folders (takes up to a second)."""
    hardware = detect_hardware()
    qt, pyside = _qt_versions()
    gpu = hardware.gpu_name or ("none detected" if hardware.backend == "CPU" else "unknown")
    if hardware.vram_total:
        gpu += f" ({hardware.vram_total / 2**30:.1f} GiB)"
    # a bundle's resources sit in its _internal folder; name the folder users see
    where = (
        f"bundle at {Path(sys.executable).parent}" if is_frozen() else f"checkout at {app_root()}"
    )
    return AppFacts(
        version=__version__,
        python=platform.python_version(),
        qt=qt,
        pyside=pyside,
        llama_cpp_python=_llama_version(),
        backend=hardware.backend,
        gpu=gpu,
        system_info=hardware.system_info.strip(),
        data_dir=data_dir(),
        models_dir=models_dir(),
        install=where,
        platform=f"{platform.system()} {platform.release()} ({platform.machine()})",
    )


def about_rows(facts: AppFacts) -> list[tuple[str, str]]:
    """(label, value) rows for the About dialog, in display order."""
    return [
        ("Version", facts.version),
        ("llama.cpp", f"llama-cpp-python {facts.llama_cpp_python}, {facts.backend} backend"),
        ("GPU", facts.gpu),
        ("Python / Qt", f"Python {facts.python}, Qt {facts.qt} (PySide6 {facts.pyside})"),
        ("Data folder", str(facts.data_dir)),
        ("Models folder", str(facts.models_dir)),
        ("Installed as", facts.install),
    ]


def diagnostics_text(facts: AppFacts, last_error: str = "") -> str:
    """The plain-text block that Report a problem copies (no policy or case text)."""
    lines = [
        "Safeguard Studio diagnostics",
        f"version: {facts.version}",
        f"platform: {facts.platform}",
        f"python: {facts.python}",
        f"qt: {facts.qt} (PySide6 {facts.pyside})",
        f"llama-cpp-python: {facts.llama_cpp_python}",
        f"backend: {facts.backend}",
        f"gpu: {facts.gpu}",
        f"llama.cpp system info: {facts.system_info or 'unavailable'}",
        f"installed as: {facts.install}",
        f"last engine error: {last_error.strip() or 'none'}",
    ]
    return "\n".join(lines) + "\n"
