"""Policy prefixes' KV state kept on disk, so a new engine process skips evaluating them.

A file holds one sequence's state as ``llama_state_seq_get_data`` wrote it, behind a header
of our own: llama.cpp's buffer names neither the model nor its own version, so llama.cpp
must never see a buffer we cannot vouch for. The header carries the whole key (model
fingerprint, context size, KV cache types, ``swa_full``, flash attention, GPU layers, template hash,
renderer, date, the prefix's token ids and the llama.cpp version), the payload's length and
its SHA-256. A file whose key differs, whose payload is short or whose checksum fails is
rejected with a log line, deleted, and the prefix is evaluated again.

Files are written atomically (temporary file, then rename) and used least-recently first
out of a size budget. The cache is optional: a folder that cannot be written (a read-only
file system, no permission) is named once in a warning and the store turns itself off, so
every prefix is evaluated again and no run ever fails because of it. Nothing here imports llama.cpp or Qt: the Settings page uses it to
show and clear the folder.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import struct
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from app.core import setting_limits as limits
from app.core.storage_paths import atomic_write_bytes, cache_dir

log = logging.getLogger(__name__)

MAGIC = b"SGKVSTATE1\n"
SUFFIX = ".kvstate"
DEFAULT_BUDGET = limits.PREFIX_CACHE_MB.default * 1024**2  # bytes (the table says MB)
STALE_TEMP_SECONDS = 3600  # a temporary file this old is a save a killed process left
_LENGTH = struct.Struct("<I")  # the header's length, after the magic


def prefix_dir() -> Path:
    """The folder of saved prefixes (under the cache folder, ``SAFEGUARD_CACHE_DIR``)."""
    path = cache_dir() / "prefixes"
    path.mkdir(parents=True, exist_ok=True)
    return path


def tokens_hash(tokens: list[int]) -> str:
    return hashlib.sha256(b",".join(str(t).encode() for t in tokens)).hexdigest()


@dataclass(frozen=True)
class PrefixKey:
    """Everything that makes a saved prefix state valid for a context."""

    model: str  # model fingerprint digest (size, mtime, header hash)
    llama: str  # llama.cpp build the state came from
    n_ctx: int  # the engine's context-size setting
    type_k: int  # KV cache element types (ggml type ids)
    type_v: int
    swa_full: bool
    flash_attn: int  # flash attention changes the V cache's layout
    n_gpu_layers: int
    template: str  # chat template hash (with the renderer)
    renderer: str
    date: str | None
    n_tokens: int
    tokens: str  # SHA-256 of the prefix's token ids

    @property
    def digest(self) -> str:
        text = json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def encode(key: PrefixKey, payload: bytes) -> bytes:
    header = {
        "key": asdict(key),
        "length": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
    }
    raw = json.dumps(header, sort_keys=True).encode()
    return MAGIC + _LENGTH.pack(len(raw)) + raw + payload


def decode(data: bytes, key: PrefixKey) -> bytes:
    """The payload of a file's bytes if it is whole and was saved under key; else ValueError
    saying what is wrong."""
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + _LENGTH.size:
        raise ValueError("not a prefix state file")
    start = len(MAGIC) + _LENGTH.size
    (size,) = _LENGTH.unpack_from(data, len(MAGIC))
    try:
        header = json.loads(data[start : start + size])
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("unreadable header") from None
    if not isinstance(header, dict) or header.get("key") != asdict(key):
        raise ValueError("saved for another model, llama.cpp build or setting")
    payload = data[start + size :]
    if len(payload) != header.get("length"):
        raise ValueError(f"truncated ({len(payload)} of {header.get('length')} bytes)")
    if hashlib.sha256(payload).hexdigest() != header.get("sha256"):
        raise ValueError("checksum mismatch")
    return payload


class PrefixStore:
    """A folder of prefix states under a size budget, least recently used evicted first."""

    def __init__(self, folder: Path | None = None, budget: int = DEFAULT_BUDGET) -> None:
        self.folder = Path(folder) if folder is not None else prefix_dir()
        self.budget = budget
        self.last_read_ms = 0.0  # the last load's disk read, for the benchmark
        self.failure = ""  # why the folder cannot be written; the store is off once set

    @property
    def enabled(self) -> bool:
        """Whether prefixes are saved and used (a budget, and a folder that can be written)."""
        return self.budget > 0 and not self.failure

    def _unwritable(self, exc: OSError) -> None:
        """Turn the store off, warning once with the folder and the reason."""
        if not self.failure:
            self.failure = exc.strerror or str(exc)
            log.warning(
                "The prefix cache folder %s cannot be written (%s); runs go on without "
                "saved policy prefixes.", self.folder, self.failure,
            )  # fmt: skip

    def path(self, key: PrefixKey) -> Path:
        return self.folder / f"{key.digest}{SUFFIX}"

    def load(self, key: PrefixKey) -> bytes | None:
        """The saved state for key, checked; None when there is none or it was rejected."""
        path = self.path(key)
        started = time.perf_counter()
        try:
            data = path.read_bytes()
        except OSError:
            return None
        self.last_read_ms = (time.perf_counter() - started) * 1000
        try:
            payload = decode(data, key)
        except ValueError as exc:
            self.reject(path, str(exc))
            return None
        try:
            os.utime(path)  # most recently used
        except OSError as exc:
            self._unwritable(exc)
        return payload

    def reject(self, path: Path, reason: str) -> None:
        log.warning("Prefix state %s rejected (%s); the prefix is evaluated again.", path, reason)
        self._remove(path)

    def _remove(self, path: Path) -> bool:
        """Delete a file; False (and the store off) when the folder refuses."""
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            self._unwritable(exc)
            return False
        return True

    def save(self, key: PrefixKey, payload: bytes) -> Path | None:
        """Write the state atomically, then evict down to the budget; None when it cannot
        be kept (over the budget on its own, or the disk refused)."""
        data = encode(key, payload)
        if len(data) > self.budget or not self.enabled:
            return None
        path = self.path(key)
        try:
            atomic_write_bytes(path, data)
        except OSError as exc:
            self._unwritable(exc)
            return None
        self.evict(keep=path)
        return path

    def files(self) -> list[Path]:
        """Saved states, least recently used first."""
        entries = []
        for path in self.folder.glob(f"*{SUFFIX}"):
            try:
                entries.append((path.stat().st_mtime_ns, path))
            except OSError:
                continue  # removed meanwhile
        return [path for _, path in sorted(entries)]

    def usage(self) -> int:
        """Bytes the saved states take."""
        return sum(path.stat().st_size for path in self.files() if path.exists())

    def evict(self, keep: Path | None = None) -> list[Path]:
        """Delete least recently used states until the folder fits the budget (and the
        temporary files of saves that never finished)."""
        for temp in self.folder.glob(f".*{SUFFIX}.*.tmp"):
            try:
                stale = time.time() - temp.stat().st_mtime > STALE_TEMP_SECONDS
            except OSError:
                continue
            if stale and not self._remove(temp):
                return []
        files = self.files()
        sizes = {path: path.stat().st_size for path in files if path.exists()}
        total = sum(sizes.values())
        evicted = []
        for path in files:
            if total <= self.budget:
                break
            if path == keep or path not in sizes:
                continue
            if not self._remove(path):
                break
            total -= sizes[path]
            evicted.append(path)
        return evicted

    def clear(self) -> int:
        """Delete every saved state; returns the bytes freed."""
        freed = 0
        for path in self.files():
            try:
                freed += path.stat().st_size
                path.unlink()
            except OSError:
                continue
        return freed
