"""Download a GGUF from the Hugging Face Hub into the models folder, resumably.

huggingface_hub does the talking: ``hf_hub_url`` and ``get_hf_file_metadata`` (endpoint,
token, etag, commit, size, offline mode) and ``http_get`` (its HTTP stack, headers, proxy
settings and in-call retry with Range after a dropped connection). We keep the partial file
ourselves because ``hf_hub_download`` in huggingface_hub 2.x writes to a per-process
temporary file that it deletes on any failure, so a cancel, a lost network or a restart
would start 12 GB over. Ours is ``<models>/.partial/<file>.<etag>.part``: it survives all
three and is resumed with a Range request; a new remote version (new etag) starts afresh.

Nothing touches the network unless ``download_file`` is called, and not then when
``HF_HUB_OFFLINE`` is set. ``HF_ENDPOINT`` is read at call time. After the transfer the
file's sha256 is checked against the catalog's, or against the hub's LFS etag (which is the
sha256 of the file); a mismatch deletes the file and raises.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import shutil
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from app.core.errors import EngineError
from app.library.catalog import PARTIAL_DIR, CatalogEntry, models_dir, partial_files
from app.library.modelfile import format_bytes

DISK_MARGIN = 256 * 1024 * 1024  # keep this much free beyond the file itself
_HASH_CHUNK = 8 * 1024 * 1024
_EMIT_EVERY = 0.1  # seconds between progress callbacks
_OFFLINE_VALUES = {"1", "ON", "YES", "TRUE"}


class DownloadError(EngineError):
    """A download that cannot go on; str() is one sentence that says what to do."""


class DownloadCancelled(DownloadError):
    """The user cancelled; the partial file is kept for a later resume."""


@dataclass(frozen=True)
class Progress:
    phase: str  # "downloading", "verifying" or "done"
    downloaded: int  # bytes on disk, with earlier attempts' (while verifying: bytes checked)
    total: int | None
    speed: float  # bytes per second over the last few seconds
    eta: float | None  # seconds left at that speed

    @property
    def fraction(self) -> float | None:
        return self.downloaded / self.total if self.total else None


ProgressFn = Callable[[Progress], None]


def is_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().upper() in _OFFLINE_VALUES


class _Meter:
    """Speed over a sliding window of samples, and throttled progress callbacks."""

    def __init__(self, total: int | None, start: int, callback: ProgressFn | None) -> None:
        self.total, self.callback = total, callback
        self.samples: deque[tuple[float, int]] = deque([(time.monotonic(), start)], maxlen=50)
        self.last_emit, self.phase = 0.0, "downloading"

    def update(self, done: int, phase: str = "downloading", force: bool = False) -> None:
        now = time.monotonic()
        if phase != self.phase:  # a new phase counts its own bytes: restart the speed window
            self.phase = phase
            self.samples.clear()
        self.samples.append((now, done))
        while len(self.samples) > 2 and now - self.samples[0][0] > 5.0:
            self.samples.popleft()
        if self.callback is None or (not force and now - self.last_emit < _EMIT_EVERY):
            return
        self.last_emit = now
        t0, b0 = self.samples[0]
        speed = (done - b0) / (now - t0) if now > t0 and done > b0 else 0.0
        eta = (self.total - done) / speed if speed > 0 and self.total else None
        self.callback(Progress(phase, done, self.total, speed, eta))


class _MeteredFile:
    """The partial file as http_get sees it: counts bytes and stops on cancel."""

    def __init__(self, handle, meter: _Meter, cancel: threading.Event | None) -> None:  # noqa: ANN001
        self.handle, self.meter, self.cancel = handle, meter, cancel

    def write(self, data: bytes) -> int:
        if self.cancel is not None and self.cancel.is_set():
            raise DownloadCancelled("The download was cancelled; pull again to resume it.")
        written = self.handle.write(data)
        self.meter.update(self.handle.tell())
        return written

    def __getattr__(self, name: str):  # noqa: ANN204  (tell, seek, truncate, flush, ...)
        return getattr(self.handle, name)


def download_entry(entry: CatalogEntry, **kwargs) -> Path:  # noqa: ANN003
    """Download a catalog entry; see ``download_file`` for the keyword arguments."""
    if entry.server_class:
        raise DownloadError(
            f"{entry.id} is a server-class model ({format_bytes(entry.size_bytes)}); run it on a server "
            "and connect with the remote backend instead of downloading it here."
        )
    kwargs.setdefault("sha256", entry.sha256)
    return download_file(entry.repo_id, entry.filename, **kwargs)


def download_file(
    repo_id: str,
    filename: str,
    *,
    folder: str | Path | None = None,
    revision: str = "main",
    sha256: str | None = None,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
    token: str | bool | None = None,
    endpoint: str | None = None,
) -> Path:
    """Fetch ``filename`` of ``repo_id`` into the models folder and return its path.

    Resumes a partial file left by a cancel, a network error or a restart. Raises
    DownloadCancelled when ``cancel`` is set, DownloadError otherwise.
    """
    if is_offline():
        raise DownloadError(
            "Downloads are switched off (HF_HUB_OFFLINE is set); unset it, or copy the file by hand "
            "and register it (Add file… in Models, or 'safeguard-studio models add PATH')."
        )
    from huggingface_hub import get_hf_file_metadata, hf_hub_url
    from huggingface_hub.utils import build_hf_headers

    folder = models_dir(folder)
    endpoint = (endpoint or os.environ.get("HF_ENDPOINT") or "").rstrip("/") or None
    url = hf_hub_url(repo_id, filename, revision=revision, endpoint=endpoint)
    try:
        meta = get_hf_file_metadata(url, token=token)
    except Exception as exc:
        raise DownloadError(_explain(exc, repo_id, filename)) from exc
    total, etag = meta.size, (meta.etag or "noetag")
    name = Path(filename).name
    dest = folder / name
    expected_hash = sha256 or (etag.lower() if _is_sha256(etag) else None)

    if dest.is_file() and total is not None and dest.stat().st_size == total:
        meter = _Meter(total, total, progress)
        meter.update(total, phase="done", force=True)
        return dest  # already here (it was verified when it arrived)
    part, have = _partial(folder, name, etag, total)
    _check_disk(folder, (total or 0) - have, name)

    headers = build_hf_headers(token=token)
    location = meta.location or url
    if urlparse(location).netloc != urlparse(url).netloc:
        headers.pop("authorization", None)  # signed CDN links must not get the hub token
    meter = _Meter(total, have, progress)
    meter.update(have, force=True)
    if total is None or have < total:
        _fetch(location, headers, part, have, total, name, meter, cancel)
    if expected_hash:
        _verify(part, expected_hash, meter, cancel, name)
    os.replace(part, dest)
    meter.update(dest.stat().st_size, phase="done", force=True)
    return dest


def _partial(folder: Path, name: str, etag: str, total: int | None) -> tuple[Path, int]:
    """The partial file this download of ``name`` resumes into, and its size (0: a new
    one). Partial files of older remote versions, which cannot be resumed into, go."""
    part = folder / PARTIAL_DIR / f"{name}.{_safe(etag)[:16]}.part"
    for stale in partial_files(folder, name):
        if stale != part:
            stale.unlink(missing_ok=True)
    part.parent.mkdir(parents=True, exist_ok=True)
    have = part.stat().st_size if part.exists() else 0
    if total is not None and have > total:
        part.unlink()
        have = 0
    return part, have


def _fetch(
    location: str,
    headers: dict,
    part: Path,
    have: int,
    total: int | None,
    name: str,
    meter: _Meter,
    cancel: threading.Event | None,
) -> None:
    """Append the rest of ``name`` (from byte ``have``) to ``part``; DownloadError, saying
    where it stopped, for anything but a cancel."""
    from huggingface_hub.file_download import http_get

    kwargs = {
        "resume_size": have,
        "headers": headers,
        "expected_size": total,
        "displayed_filename": name,
    }
    if "tqdm_class" in inspect.signature(http_get).parameters:
        kwargs["tqdm_class"] = _SilentTqdm()
    try:
        with part.open("ab") as handle:
            http_get(location, _MeteredFile(handle, meter, cancel), **kwargs)
    except DownloadCancelled:
        raise
    except Exception as exc:
        done = part.stat().st_size if part.exists() else 0
        raise DownloadError(
            f"The download of {name} stopped at {format_bytes(done)} ({type(exc).__name__}: {exc}); "
            "pull it again to resume from there."
        ) from exc


def _SilentTqdm() -> type:  # noqa: N802  (builds the class lazily: tqdm is huggingface_hub's)
    from huggingface_hub.utils import tqdm

    class Silent(tqdm):
        def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
            kwargs["disable"] = True
            super().__init__(*args, **kwargs)

    return Silent


def _check_disk(folder: Path, needed: int, name: str) -> None:
    free = shutil.disk_usage(folder).free
    if needed > 0 and free < needed + DISK_MARGIN:
        raise DownloadError(
            f"Not enough disk space for {name}: it needs {format_bytes(needed + DISK_MARGIN)} and "
            f"{folder} has {format_bytes(free)} free; free some space or choose another models folder."
        )


def _verify(
    path: Path, expected: str, meter: _Meter, cancel: threading.Event | None, name: str
) -> None:
    digest = hashlib.sha256()
    done = 0
    meter.update(done, phase="verifying", force=True)
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            if cancel is not None and cancel.is_set():
                raise DownloadCancelled(
                    "The check of the download was cancelled; pull again to finish it."
                )
            digest.update(chunk)
            done += len(chunk)
            meter.update(done, phase="verifying")
    if digest.hexdigest() != expected.lower():
        path.unlink(missing_ok=True)
        raise DownloadError(
            f"{name} does not match its published sha256 checksum, so it was deleted; pull it again."
        )


def _is_sha256(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdefABCDEF" for c in value)


def _safe(value: str) -> str:
    return "".join(c for c in value if c.isalnum()) or "noetag"


def _explain(exc: Exception, repo_id: str, filename: str) -> str:
    """One sentence for a failed metadata request."""
    kind = type(exc).__name__
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if kind == "OfflineModeIsEnabled":
        return "Downloads are switched off (HF_HUB_OFFLINE is set); unset it to download."
    if kind == "GatedRepoError" or status in (401, 403):
        return f"{repo_id} needs you to accept its terms or log in; run 'hf auth login' or set HF_TOKEN."
    if kind == "RepositoryNotFoundError":
        return f"The repository {repo_id} was not found on the hub; check the catalog entry or the name."
    if kind in ("EntryNotFoundError", "RemoteEntryNotFoundError") or status == 404:
        return f"{filename} is not in {repo_id}; check the file name in the catalog."
    if kind == "RevisionNotFoundError":
        return f"That revision of {repo_id} does not exist; check the revision."
    return (
        f"The hub could not be reached ({kind}: {exc}); check the network connection and try again."
    )
