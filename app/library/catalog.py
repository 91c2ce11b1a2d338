"""The model library: the catalog of known GGUF files, the models folder, and local state.

The catalog is data (``resources/models.json``), so new quantizations are added without code.
Files live in the models folder: ``data_dir()/models`` unless ``SAFEGUARD_MODELS_DIR`` or an
argument says otherwise; partial downloads sit in its ``.partial`` subfolder. GGUF files
elsewhere on disk are registered by path ("add"), and one model is the active one ("use");
both are kept in ``data_dir()/model_library.json``, written atomically.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core import setting_limits as limits
from app.core.errors import EngineError
from app.core.resources import resource_path
from app.core.storage_paths import atomic_write_text, data_dir
from app.library.hardware import Hardware
from app.library.memory import MemoryEstimate, ModelShape, estimate_memory, fit_summary
from app.library.modelfile import ModelFileError, ModelInfo, inspect_model

CATALOG_PATH = resource_path("models.json")
MODELS_DIR_ENV = "SAFEGUARD_MODELS_DIR"
LIBRARY_FILE = "model_library.json"
PARTIAL_DIR = ".partial"
NOT_DOWNLOADED, PARTIAL, READY, INVALID = "not downloaded", "partial", "ready", "invalid"


class CatalogError(EngineError):
    """The catalog or the library file is unusable, or a name is unknown."""


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    name: str
    repo_id: str
    filename: str
    quantization: str
    size_bytes: int | None
    sha256: str | None
    verified: bool = False
    server_class: bool = False
    size_exact: bool = False
    notes: str = ""
    shape: dict[str, int] = field(default_factory=dict)

    def model_shape(self) -> ModelShape | None:
        """Architecture numbers for a memory estimate before the file is here."""
        keys = ("block_count", "head_count", "head_count_kv", "key_length", "value_length")
        if self.size_bytes is None or not all(k in self.shape for k in keys):
            return None
        return ModelShape(weights_bytes=self.size_bytes, **{k: int(self.shape[k]) for k in keys})


@dataclass
class LibraryItem:
    """One row of the models list: a catalog entry or an added file, and its state."""

    name: str
    source: str  # "catalog", "added" (by path) or "folder" (found in the models folder)
    path: Path
    state: str  # NOT_DOWNLOADED, PARTIAL, READY, INVALID
    size_on_disk: int = 0
    expected_size: int | None = None
    entry: CatalogEntry | None = None
    info: ModelInfo | None = None
    problem: str | None = None
    estimate: MemoryEstimate | None = None
    fit: str | None = None
    active: bool = False


def models_dir(override: str | Path | None = None) -> Path:
    """The models folder: ``override``, else $SAFEGUARD_MODELS_DIR, else data_dir()/models."""
    path = Path(override or os.environ.get(MODELS_DIR_ENV) or data_dir() / "models").expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def partial_files(folder: Path, filename: str) -> list[Path]:
    """Partial downloads of ``filename`` in ``folder`` (one per remote version)."""
    return sorted((folder / PARTIAL_DIR).glob(f"{Path(filename).name}.*.part"))


def load_catalog(path: str | Path | None = None) -> list[CatalogEntry]:
    """Read the catalog; raise CatalogError with one sentence when it is malformed."""
    path = Path(path or CATALOG_PATH)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        entries = [_entry(item) for item in raw["models"]]
    except FileNotFoundError:
        raise CatalogError(f"The model catalog {path} is missing; reinstall the app.") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise CatalogError(
            f"The model catalog {path} is malformed ({exc}); fix or restore it."
        ) from exc
    ids = [e.id for e in entries]
    if len(set(ids)) != len(ids):
        raise CatalogError(f"The model catalog {path} lists an id twice; make every id unique.")
    return entries


def _entry(item: dict[str, Any]) -> CatalogEntry:
    sha = item.get("sha256")
    if sha is not None and (
        len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha.lower())
    ):
        raise ValueError(f"entry {item.get('id')!r} has a sha256 that is not 64 hex digits")
    size = item.get("size_bytes")
    return CatalogEntry(
        id=str(item["id"]),
        name=str(item.get("name") or item["id"]),
        repo_id=str(item["repo_id"]),
        filename=str(item["filename"]),
        quantization=str(item.get("quantization", "")),
        size_bytes=int(size) if size is not None else None,
        sha256=sha.lower() if sha else None,
        verified=bool(item.get("verified", False)),
        server_class=bool(item.get("server_class", False)),
        size_exact=bool(item.get("size_exact", False)),
        notes=str(item.get("notes", "")),
        shape=dict(item.get("shape") or {}),
    )


def find_entry(name: str, entries: list[CatalogEntry]) -> CatalogEntry | None:
    """A catalog entry by id or file name (case-insensitive)."""
    key = name.strip().lower()
    for entry in entries:
        if key in (entry.id.lower(), entry.filename.lower()):
            return entry
    return None


# --- the library file (added models, active model) ---------------------------------------


def _library_path() -> Path:
    return data_dir() / LIBRARY_FILE


def read_library() -> dict[str, Any]:
    """{"active": path or None, "added": [{"name", "path"}]}; a damaged file reads as empty."""
    try:
        raw = json.loads(_library_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"active": None, "added": []}
    added = [a for a in raw.get("added", []) if isinstance(a, dict) and "name" in a and "path" in a]
    return {"active": raw.get("active"), "added": added}


def _write_library(library: dict[str, Any]) -> None:
    atomic_write_text(_library_path(), json.dumps(library, indent=2) + "\n")


def add_model(path: str | Path, name: str | None = None) -> LibraryItem:
    """Register a GGUF anywhere on disk after validating it; raises ModelFileError."""
    path = Path(path).expanduser().resolve()
    info = inspect_model(path)
    name = name or path.stem
    library = read_library()
    library["added"] = [a for a in library["added"] if a["name"] != name and a["path"] != str(path)]
    library["added"].append({"name": name, "path": str(path)})
    _write_library(library)
    return LibraryItem(name, "added", path, READY, path.stat().st_size, info=info)


def use_model(name: str, folder: str | Path | None = None) -> Path:
    """Make a ready model the active one: a catalog id, an added name, or a GGUF path."""
    path = _resolve(name, models_dir(folder)).resolve()
    inspect_model(path)  # raises ModelFileError with the reason
    library = read_library()
    library["active"] = str(path)
    _write_library(library)
    return path


def active_model() -> Path | None:
    """The active model's path, or None when none was chosen."""
    active = read_library().get("active")
    return Path(active) if active else None


def _resolve(name: str, folder: Path) -> Path:
    entry = find_entry(name, load_catalog())
    if entry is not None:
        path = folder / entry.filename
        if not path.exists():
            raise CatalogError(
                f"{entry.id} is not downloaded yet; run 'safeguard-studio models pull {entry.id}' first."
            )
        return path
    for added in read_library()["added"]:
        if added["name"] == name:
            return Path(added["path"])
    if (folder / f"{name}.gguf").is_file():
        return folder / f"{name}.gguf"
    candidate = Path(name).expanduser()
    if candidate.suffix.lower() == ".gguf" or candidate.exists():
        return candidate.resolve()
    raise CatalogError(
        f"No model is called {name!r}; 'safeguard-studio models list' shows the names."
    )


# --- local state -------------------------------------------------------------------------


def list_models(
    folder: str | Path | None = None,
    *,
    n_ctx: int = limits.N_CTX.default,
    hardware: Hardware | None = None,
    catalog: list[CatalogEntry] | None = None,
    active: str | None = None,
) -> list[LibraryItem]:
    """Catalog entries, added files, then other GGUFs in the folder, with state and fit.
    The active one is ``active`` when given (the app's settings: "" when a server runs the
    model), else the library's own choice."""
    folder = models_dir(folder)
    chosen = active_model() if active is None else (Path(active) if active else None)
    active_path = chosen.resolve() if chosen is not None else None
    entries = catalog if catalog is not None else load_catalog()
    items = [_catalog_item(e, folder) for e in entries]
    known = {folder / e.filename for e in entries}
    for added in read_library()["added"]:
        items.append(_file_item(added["name"], "added", Path(added["path"]), None))
        known.add(Path(added["path"]))
    for path in sorted(folder.glob("*.gguf")):  # copied into the folder by hand
        if path not in known:
            items.append(_file_item(path.stem, "folder", path, None))
    for item in items:
        item.active = active_path is not None and item.path.resolve() == active_path
        _add_fit(item, n_ctx, hardware)
    return items


def _catalog_item(entry: CatalogEntry, folder: Path) -> LibraryItem:
    path = folder / entry.filename
    if path.exists():
        return _file_item(entry.id, "catalog", path, entry)
    partial = partial_files(folder, entry.filename)
    state = PARTIAL if partial else NOT_DOWNLOADED
    done = max((p.stat().st_size for p in partial), default=0)
    return LibraryItem(entry.id, "catalog", path, state, done, entry.size_bytes, entry)


def _file_item(name: str, source: str, path: Path, entry: CatalogEntry | None) -> LibraryItem:
    expected = entry.size_bytes if entry else None
    item = LibraryItem(name, source, path, READY, expected_size=expected, entry=entry)
    try:
        item.size_on_disk = path.stat().st_size if path.is_file() else 0
        item.info = inspect_model(path)
        for warning in item.info.warnings:
            item.problem = warning
    except ModelFileError as exc:
        item.state, item.problem = INVALID, str(exc)
        return item
    if (
        entry is not None
        and entry.size_exact
        and expected is not None
        and item.size_on_disk != expected
    ):
        item.state = INVALID
        item.problem = f"{path.name} is {item.size_on_disk:,} bytes, not the published {expected:,}; pull it again."
    return item


def _add_fit(item: LibraryItem, n_ctx: int, hardware: Hardware | None) -> None:
    shape = (
        ModelShape.from_info(item.info)
        if item.info
        else (item.entry.model_shape() if item.entry else None)
    )
    if shape is None:
        return
    item.estimate = estimate_memory(shape, n_ctx)
    if hardware is None:
        item.fit = fit_summary(item.estimate, ram_available=None)
    else:
        item.fit = fit_summary(
            item.estimate,
            ram_available=hardware.ram_available,
            vram_free=hardware.vram_free,
            gpu_offload=hardware.gpu_offload,
        )
