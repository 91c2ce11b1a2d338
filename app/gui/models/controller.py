"""The bridge between the models dialog and the model library: background jobs plus signals.

Listing the library (which inspects every GGUF header), detecting the hardware (which may
run ``nvidia-smi``), validating an added file and downloading all run off the GUI thread.
The short library jobs go through the app's task runner (one at a time, in order); the long
download has a thread of its own, so that the list can be refreshed while a file arrives. Widgets call the methods and listen to the
signals, which are always delivered on the GUI thread.

A download ends with exactly one of ``downloadFinished``, ``downloadFailed`` or
``downloadCancelled``. Cancel goes through a ``threading.Event`` that the download checks
between chunks; the partial file stays in the models folder for a later resume.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from app.core import setting_limits as limits
from app.core.errors import EngineError
from app.gui.shared.tasks import TaskRunner
from app.library import catalog
from app.library.download import DownloadCancelled, Progress, download_entry
from app.library.hardware import Hardware, detect_hardware
from app.library.modelfile import format_bytes
from app.runs.backends.model_checks import stored_check


def hardware_summary(hw: Hardware) -> str:
    """'llama.cpp built for CUDA · RAM 31.2 GB available of 64.0 GB · GPU RTX 4090, 22.1 GB
    of 24.0 GB free' (what is not readable is said so)."""
    parts = [f"llama.cpp built for {hw.backend}" if hw.backend != "CPU" else "llama.cpp: CPU only"]
    if hw.ram_total is not None and hw.ram_available is not None:
        parts.append(
            f"RAM {format_bytes(hw.ram_available)} available of {format_bytes(hw.ram_total)}"
        )
    elif hw.ram_total is not None:
        parts.append(f"RAM {format_bytes(hw.ram_total)}")
    else:
        parts.append("RAM unknown")
    if hw.vram_total is not None:
        name = f"{hw.gpu_name}, " if hw.gpu_name else ""
        parts.append(
            f"GPU {name}{format_bytes(hw.vram_free)} of {format_bytes(hw.vram_total)} free"
        )
    elif hw.backend == "Metal":
        parts.append("GPU shares system memory")
    elif hw.gpu_offload:
        parts.append("GPU memory not readable")
    return " · ".join(parts)


def _message(exc: BaseException, fallback: str) -> str:
    text = str(exc).strip() if isinstance(exc, EngineError) else ""
    return text or f"{fallback} ({type(exc).__name__}: {exc})"


def _listing(
    folder: str, n_ctx: int, hardware: Hardware | None, active: str | None
) -> tuple[Hardware, list, dict]:
    """The hardware (detected the first time), the library list (``active``: the model the
    settings name) and each ready file's stored self-check by name; a pool-thread job."""
    try:
        hardware = hardware or detect_hardware()
        items = catalog.list_models(folder or None, n_ctx=n_ctx, hardware=hardware, active=active)
    except Exception as exc:  # a broken catalog: one sentence
        raise RuntimeError(_message(exc, "The model list could not be read.")) from None
    checks = {item.name: stored_check(item.path) for item in items if item.state == catalog.READY}
    return hardware, items, {name: check for name, check in checks.items() if check is not None}


def _adding(path: str) -> tuple[str, str]:
    try:
        item = catalog.add_model(path)
    except Exception as exc:
        raise RuntimeError(_message(exc, f"{Path(path).name} could not be added.")) from None
    return item.name, str(item.path)


def _using(name: str, folder: str) -> str:
    try:
        return str(catalog.use_model(name, folder or None))
    except Exception as exc:
        raise RuntimeError(_message(exc, f"{name} could not be made the active model.")) from None


class _DownloadWorker(QObject):
    """Runs one download at a time on the download thread."""

    phase = Signal(str, str)
    progress = Signal(str, object, object, float, float)
    finished = Signal(str, str)
    failed = Signal(str, str)
    cancelled = Signal(str)

    def __init__(self, cancel: threading.Event) -> None:
        super().__init__()
        self._cancel = cancel

    @Slot(object, str)
    def run(self, entry: catalog.CatalogEntry, folder: str) -> None:
        name, last_phase = entry.id, [""]

        def report(p: Progress) -> None:
            if p.phase != last_phase[0]:
                last_phase[0] = p.phase
                self.phase.emit(name, p.phase)
            eta = -1.0 if p.eta is None else float(p.eta)
            self.progress.emit(name, p.downloaded, p.total, float(p.speed), eta)

        try:
            path = download_entry(
                entry, folder=folder or None, progress=report, cancel=self._cancel
            )
        except DownloadCancelled:
            self.cancelled.emit(name)
        except Exception as exc:  # DownloadError carries the sentence; anything else too
            self.failed.emit(name, _message(exc, f"The download of {name} failed."))
        else:
            self.finished.emit(name, str(path))


class ModelsController(QObject):
    """Lists, adds, activates and downloads models off the GUI thread."""

    hardwareDetected = Signal(str)  # one-line summary; the Hardware is in .hardware
    modelsListed = Signal(object)  # list[LibraryItem]
    checksRead = Signal(object)  # dict[name, StoredCheck]: each ready file's stored self-check
    listFailed = Signal(str)
    fileAdded = Signal(str, str)  # name, path
    fileRejected = Signal(str)  # one sentence
    activeModelChanged = Signal(str)  # path
    useFailed = Signal(str)
    downloadStarted = Signal(str)
    downloadPhaseChanged = Signal(str, str)  # name, "downloading" / "verifying" / "done"
    downloadProgress = Signal(str, object, object, float, float)  # name, bytes, total, B/s, eta
    downloadFinished = Signal(str, str)  # name, path
    downloadFailed = Signal(str, str)  # name, message
    downloadCancelled = Signal(str)
    _downloadRequested = Signal(object, str)

    def __init__(self, folder: str | Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder = str(folder or "")
        # the window's settings say which model is active ("" for a server); None: the library
        self.active_path: str | None = None
        self.hardware: Hardware | None = None
        self.items: list[catalog.LibraryItem] = []
        self._downloading: str | None = None
        self._cancel = threading.Event()
        self.tasks = TaskRunner(self, max_threads=1)  # list, add, use: one at a time, in order
        self._download_thread = QThread()
        self._download_thread.setObjectName("models-download")
        self._download = _DownloadWorker(self._cancel)
        self._download.moveToThread(self._download_thread)
        self._wire()

    def _wire(self) -> None:
        dl = self._download
        self._downloadRequested.connect(dl.run)
        dl.phase.connect(self.downloadPhaseChanged)
        dl.progress.connect(self.downloadProgress)
        dl.finished.connect(self._on_download_finished)
        dl.failed.connect(self._on_download_failed)
        dl.cancelled.connect(self._on_download_cancelled)

    # --- requests ---------------------------------------------------------------------
    def models_dir(self) -> Path:
        return catalog.models_dir(self.folder or None)

    def refresh(self, n_ctx: int = limits.N_CTX.default) -> None:
        """List the library (and detect the hardware the first time); see modelsListed."""
        self.tasks.submit(
            _listing, self.folder, int(n_ctx), self.hardware, self.active_path,
            on_done=self._on_listed, on_error=self.listFailed.emit,
        )  # fmt: skip

    def add_file(self, path: str | Path) -> None:
        """Validate and register a GGUF; fileAdded or fileRejected follows."""
        self.tasks.submit(
            _adding, str(path),
            on_done=lambda added: self.fileAdded.emit(*added), on_error=self.fileRejected.emit,
        )  # fmt: skip

    def use(self, name: str) -> None:
        """Make a ready model the active one; activeModelChanged or useFailed follows."""
        self.tasks.submit(
            _using, name, self.folder,
            on_done=self.activeModelChanged.emit, on_error=self.useFailed.emit,
        )  # fmt: skip

    def download(self, name: str) -> bool:
        """Start (or resume) downloading a catalog entry; False while another one runs."""
        if self._downloading is not None:
            return False
        try:
            entry = catalog.find_entry(name, catalog.load_catalog())
        except EngineError as exc:
            self.downloadFailed.emit(name, str(exc))
            return True
        if entry is None:
            self.downloadFailed.emit(name, f"{name} is not in the model catalog.")
            return True
        self._downloading = entry.id
        self._cancel.clear()
        self._start(self._download_thread)
        self.downloadStarted.emit(entry.id)
        self._downloadRequested.emit(entry, self.folder)
        return True

    def cancel_download(self) -> None:
        """Stop the download at its next chunk; the partial file is kept."""
        if self._downloading is not None:
            self._cancel.set()

    def downloading(self) -> str | None:
        """The name of the model being downloaded, or None."""
        return self._downloading

    def threads_running(self) -> bool:
        return self.tasks.pending() > 0 or self._download_thread.isRunning()

    def shutdown(self, timeout_ms: int = 15000) -> None:
        """Cancel a download and stop both threads (on close); safe to call twice."""
        self._cancel.set()
        if self._download_thread.isRunning():
            self._download_thread.quit()
            self._download_thread.wait(timeout_ms)
        self.tasks.shutdown(timeout_ms)

    @staticmethod
    def _start(thread: QThread) -> None:
        if not thread.isRunning():
            thread.start()

    # --- results ----------------------------------------------------------------------
    def _on_listed(self, listing: tuple[Hardware, list[catalog.LibraryItem], dict]) -> None:
        hardware, items, checks = listing
        if self.hardware is None:
            self.hardware = hardware
            self.hardwareDetected.emit(hardware_summary(hardware))
        self.items = list(items)
        self.modelsListed.emit(self.items)
        self.checksRead.emit(checks)

    def _end_download(self) -> None:
        self._downloading = None

    @Slot(str, str)
    def _on_download_finished(self, name: str, path: str) -> None:
        self._end_download()
        self.downloadFinished.emit(name, path)

    @Slot(str, str)
    def _on_download_failed(self, name: str, message: str) -> None:
        self._end_download()
        self.downloadFailed.emit(name, message)

    @Slot(str)
    def _on_download_cancelled(self, name: str) -> None:
        self._end_download()
        self.downloadCancelled.emit(name)
