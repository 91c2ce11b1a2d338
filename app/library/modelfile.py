"""Check a GGUF file before llama.cpp ever sees it, and describe what it holds.

``inspect_model(path)`` reads the GGUF header (magic, version, metadata, tensor table) from
a read-only memory map and touches no weights, then checks that the file is a gpt-oss model
whose tensor data is all there. Anything wrong (missing, a folder, empty, random bytes,
truncated, another architecture, Ollama's ``gptoss`` blobs) raises ``ModelFileError`` with
one sentence that says what to do; a missing chat template is only a warning. The header
is read by :mod:`app.library.gguf_header`, which walks arrays instead of loading them.
"""

from __future__ import annotations

import mmap
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gguf

from app.core.errors import EngineError
from app.library.gguf_header import HeaderCursor, HeaderTooShort, SkippedArray

GGUF_MAGIC = b"GGUF"
ARCHITECTURE = "gpt-oss"
_MAX_COUNT = 10_000_000  # more tensors or keys than this means the bytes are not a header


class ModelFileError(EngineError):
    """The file cannot be used as the model; str() is the one-sentence message."""


@dataclass(frozen=True)
class ModelInfo:
    """What the header of a valid gpt-oss GGUF says. Sizes are bytes."""

    path: Path
    file_size: int
    version: int
    architecture: str
    name: str
    quantization: str  # general.file_type name, else the dominant weight type
    dominant_type: str  # tensor type holding the most bytes among matrices
    n_params: int
    tensor_bytes: int
    layer_bytes: tuple[int, ...]  # weights of each repeating block (blk.N.*)
    context_length: int
    block_count: int
    embedding_length: int
    head_count: int
    head_count_kv: int
    key_length: int
    value_length: int
    expert_count: int
    expert_used_count: int
    sliding_window: int
    vocab_size: int
    chat_template: str | None
    warnings: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def other_bytes(self) -> int:
        """Weights outside the repeating blocks (embeddings, output head, final norm)."""
        return self.tensor_bytes - sum(self.layer_bytes)


def inspect_model(path: str | Path) -> ModelInfo:
    """Validate ``path`` as a gpt-oss GGUF and describe it; raise ModelFileError if unusable."""
    path = Path(path).expanduser()
    label = path.name or str(path)
    if not path.exists():
        raise ModelFileError(f"{path} does not exist; check the path or download the model.")
    if path.is_dir():
        raise ModelFileError(
            f"{path} is a folder, not a model file; choose the .gguf file inside it."
        )
    try:
        size = path.stat().st_size
        if size == 0:
            raise ModelFileError(f"{label} is empty (0 bytes); download it again.")
        with (
            path.open("rb") as handle,
            mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as buf,
        ):
            return _parse(path, label, buf, size)
    except ModelFileError:
        raise
    except HeaderTooShort:
        raise ModelFileError(
            f"{label} ends in the middle of its GGUF header, so it is incomplete; download it again."
        ) from None
    except OSError as exc:
        raise ModelFileError(
            f"{label} could not be read ({exc.strerror or exc}); check its permissions."
        ) from exc
    except Exception as exc:  # garbage that parses into nonsense: never let it escape raw
        raise ModelFileError(
            f"{label} is damaged or not a GGUF model ({type(exc).__name__}: {exc}); download it again."
        ) from exc


def _parse(path: Path, label: str, buf: mmap.mmap, size: int) -> ModelInfo:
    cur = HeaderCursor(buf, size)
    if buf[:4] != GGUF_MAGIC:
        raise ModelFileError(
            f"{label} is not a GGUF model file; choose a .gguf file of gpt-oss-safeguard."
        )
    cur.pos = 4
    version = cur.take("<I")
    if version not in (2, 3):
        hint = " (it may be big-endian)" if version > 0xFFFF else ""
        raise ModelFileError(
            f"{label} uses GGUF version {version}{hint}, which is not supported; get a current GGUF (version 3)."
        )
    n_tensors, n_kv = cur.take("<Q"), cur.take("<Q")
    if n_tensors > _MAX_COUNT or n_kv > _MAX_COUNT:
        raise ModelFileError(f"{label} has a corrupt GGUF header; download it again.")
    meta: dict[str, Any] = {}
    for _ in range(n_kv):
        key = cur.string()
        meta[key] = cur.value(cur.take("<I"))
    arch = meta.get("general.architecture")
    if arch != ARCHITECTURE:
        raise ModelFileError(_wrong_architecture(label, arch))

    tensors = []
    for _ in range(n_tensors):
        name = cur.string()
        dims = [cur.take("<Q") for _ in range(cur.take("<I"))]
        tensors.append((name, dims, cur.take("<I"), cur.take("<Q")))
    align = int(meta.get("general.alignment", gguf.GGUF_DEFAULT_ALIGNMENT)) or 1
    data_start = -(-cur.pos // align) * align
    return _describe(path, label, size, version, meta, tensors, data_start)


def _wrong_architecture(label: str, arch: Any) -> str:
    if arch is None:
        return f"{label} does not say which model architecture it holds; choose a gpt-oss-safeguard GGUF."
    if arch == "gptoss":
        return (
            f"{label} is an Ollama blob (architecture 'gptoss'), which llama.cpp cannot load; "
            "download the gpt-oss-safeguard GGUF from Hugging Face instead."
        )
    return f"{label} is a '{arch}' model, not gpt-oss; choose a gpt-oss-safeguard GGUF."


def _describe(path, label, size, version, meta, tensors, data_start) -> ModelInfo:  # noqa: ANN001
    n_params = tensor_bytes = end = 0
    by_type: Counter[str] = Counter()
    n_layer = int(meta.get(f"{ARCHITECTURE}.block_count", 0))
    layer_bytes = [0] * n_layer
    for name, dims, type_id, offset in tensors:
        try:
            qtype = gguf.GGMLQuantizationType(type_id)
        except ValueError:
            raise ModelFileError(
                f"{label} holds tensor type {type_id}, unknown to this version; update the app or pick another file."
            ) from None
        block, type_size = gguf.GGML_QUANT_SIZES[qtype]
        count = 1
        for d in dims:
            count *= d
        nbytes = count // block * type_size
        n_params += count
        tensor_bytes += nbytes
        end = max(end, data_start + offset + nbytes)
        if len(dims) >= 2:
            by_type[qtype.name] += nbytes
        parts = name.split(".")
        if parts[0] == "blk" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < n_layer:
            layer_bytes[int(parts[1])] += nbytes
    if end > size:
        raise ModelFileError(
            f"{label} is truncated ({size:,} of {end:,} bytes); resume or repeat the download."
        )

    def num(key: str, default: int = 0) -> int:
        value = meta.get(f"{ARCHITECTURE}.{key}", default)
        return int(value) if isinstance(value, (int, float)) else default

    embd, heads = num("embedding_length"), num("attention.head_count")
    head_dim = embd // heads if heads else 0
    template = meta.get("tokenizer.chat_template")
    warnings = []
    if not isinstance(template, str) or not template.strip():
        template = None
        warnings.append(
            f"{label} has no chat template; the built-in harmony renderer will be used."
        )
    dominant = by_type.most_common(1)[0][0] if by_type else "unknown"
    return ModelInfo(
        path=path,
        file_size=size,
        version=version,
        architecture=ARCHITECTURE,
        name=str(meta.get("general.name") or path.stem),
        quantization=_file_type_name(meta.get("general.file_type")) or dominant,
        dominant_type=dominant,
        n_params=n_params,
        tensor_bytes=tensor_bytes,
        layer_bytes=tuple(layer_bytes),
        context_length=num("context_length"),
        block_count=n_layer,
        embedding_length=embd,
        head_count=heads,
        head_count_kv=num("attention.head_count_kv", heads),
        key_length=num("attention.key_length", head_dim),
        value_length=num("attention.value_length", head_dim),
        expert_count=num("expert_count"),
        expert_used_count=num("expert_used_count"),
        sliding_window=num("attention.sliding_window"),
        vocab_size=len(meta.get("tokenizer.ggml.tokens") or ()),
        chat_template=template,
        warnings=tuple(warnings),
        metadata={k: v for k, v in meta.items() if not isinstance(v, (SkippedArray, list))},
    )


def _file_type_name(value: Any) -> str | None:
    if not isinstance(value, int):
        return None
    try:
        return gguf.LlamaFileType(value).name.removeprefix("MOSTLY_")
    except ValueError:
        return None


def format_bytes(n: int | float | None) -> str:
    """Human-readable size in decimal units (as download pages show them): '12.1 GB'."""
    if n is None:
        return "?"
    value = float(n)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(value) < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"
