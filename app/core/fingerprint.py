"""Fingerprints of model files and the key under which a classification result is cached.

A GGUF model is 12 GB; hashing it on every start would take minutes. Its fingerprint is
its size, its modification time (nanoseconds) and the SHA-256 of its first 1 MiB, which
holds the GGUF header and metadata (architecture, tokenizer, chat template). A re-download
or an edit of the metadata changes the fingerprint; so does merely touching the file, which
costs a cache miss and nothing worse.

The result cache key is a SHA-256 over a canonical JSON object of everything that decides
a result: the model fingerprint, the chat-template hash, the hash of the exact policy text,
the hash of the content and every field of :class:`RunSettings` (reasoning effort,
temperature, top_p, seed, max_tokens, date, renderer, grammar — and any field added later).
The case id is not part of it: the same content under another id is the same question.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from app.core.run_types import RunSettings

HEADER_BYTES = 1 << 20  # 1 MiB: GGUF header, metadata and the start of the tensor index
CACHE_KEY_VERSION = 2  # bump when the meaning of a cached result changes (2: formats read
# from the policy text, tiers, escalate and two labels on the verdict)
_PLACEHOLDER = "@content@"


@dataclass(frozen=True)
class ModelFingerprint:
    """What identifies a model file without reading all of it."""

    name: str
    size: int
    mtime_ns: int
    header_sha256: str

    @property
    def digest(self) -> str:
        """One hex string standing for the whole fingerprint (used in cache keys)."""
        return text_hash(f"{self.size}:{self.mtime_ns}:{self.header_sha256}")

    def to_dict(self) -> dict:
        return {**asdict(self), "digest": self.digest}


def text_hash(text: str) -> str:
    """SHA-256 hex digest of text encoded as UTF-8 (no normalisation of any kind)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def model_fingerprint(path: Path | str, header_bytes: int = HEADER_BYTES) -> ModelFingerprint:
    """Fingerprint a model file: size, mtime and the hash of its first ``header_bytes``.

    Raises FileNotFoundError / OSError like ``open`` does.
    """
    path = Path(path)
    with path.open("rb") as handle:
        stat = os.fstat(handle.fileno())
        header = handle.read(header_bytes)
    return ModelFingerprint(
        name=path.name,
        size=stat.st_size,
        mtime_ns=stat.st_mtime_ns,
        header_sha256=hashlib.sha256(header).hexdigest(),
    )


def template_hash(template: str | None, renderer: str = "template") -> str:
    """Hash of the chat template that renders prompts (the built-in renderer has none)."""
    return text_hash(f"{renderer}\x00{template or ''}")


def settings_dict(run: RunSettings) -> dict:
    """The run settings as plain JSON-able values (floats kept as floats)."""
    data = asdict(run)
    for name in ("temperature", "top_p"):
        data[name] = float(data[name])
    return data


def cache_key_factory(
    *, model: ModelFingerprint | str, template: str, policy_text: str, run: RunSettings
) -> Callable[[str], str]:
    """A function content -> cache key for one suite; the same keys as
    :func:`result_cache_key`, with the parts common to every case serialised once."""
    parts = {
        "v": CACHE_KEY_VERSION,
        "model": model.digest if isinstance(model, ModelFingerprint) else model,
        "template": template,
        "policy": text_hash(policy_text),
        "content": _PLACEHOLDER,
        "run": settings_dict(run),
    }
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    head, tail = canonical.split(f'"content":"{_PLACEHOLDER}"', 1)
    head_bytes, tail_bytes = (head + '"content":"').encode("ascii"), ('"' + tail).encode("ascii")

    def key(content: str) -> str:
        digest = text_hash(content).encode("ascii")
        return hashlib.sha256(head_bytes + digest + tail_bytes).hexdigest()

    return key


def result_cache_key(
    *,
    model: ModelFingerprint | str,
    template: str,
    policy_text: str,
    content: str,
    run: RunSettings,
) -> str:
    """The cache key of one classification (see the module notes for its parts).

    ``model`` is a fingerprint or its digest; ``template`` is a template hash from
    :func:`template_hash` (or any stable string standing for the renderer).
    """
    factory = cache_key_factory(model=model, template=template, policy_text=policy_text, run=run)
    return factory(content)
