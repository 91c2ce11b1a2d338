"""Estimate the memory a gpt-oss model needs at a given context size.

The estimate is three hand-checkable parts, in bytes:

* **weights** — the tensor data of the GGUF (what llama.cpp maps or copies), exactly as the
  header says (``ModelInfo.tensor_bytes``).
* **KV cache** — ``layers × n_ctx × kv_heads × (key_length + value_length) × bytes per
  element`` (f16: 2). gpt-oss alternates sliding-window (128-token) and full-attention
  layers, and llama.cpp could keep only the window for the former; we load with
  ``swa_full=True`` (needed for exact prompt-prefix reuse), so every layer holds the full
  context and the formula counts all of them. For gpt-oss-safeguard-20b (24 layers, 8 KV
  heads of 64+64) at 8,192 tokens: 24 × 8192 × 8 × 128 × 2 = 402,653,184 bytes.
* **compute buffers** — an allowance, not a measurement: ``COMPUTE_BASE_BYTES`` (256 MiB:
  activations, the logits row, graph metadata) plus, without flash attention, the f32
  attention-score matrix llama.cpp materialises for one layer at a time:
  ``n_batch × n_ctx × heads × 4``. For the 20b at 8K with n_batch 512: 512 × 8192 × 64 × 4 =
  1 GiB. Flash attention does not build that matrix, so it adds nothing.

The 20b MXFP4 file (≈12.1 GB of tensors) thus needs ≈13.8 GB at 8K without flash attention,
in line with the published "about 15 GB" once the OS and the app are counted.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.library.modelfile import ModelInfo, format_bytes

MiB = 1024 * 1024
COMPUTE_BASE_BYTES = 256 * MiB
ATTENTION_SCORE_BYTES = 4  # f32 scores, one layer at a time
KV_BYTES_PER_ELEMENT = {"f32": 4.0, "f16": 2.0, "bf16": 2.0, "q8_0": 34 / 32, "q4_0": 18 / 32}


@dataclass(frozen=True)
class ModelShape:
    """The numbers the estimate needs; from a GGUF header or from catalog data."""

    weights_bytes: int
    block_count: int
    head_count: int
    head_count_kv: int
    key_length: int
    value_length: int
    layer_weight_bytes: int = 0  # weights of one repeating block (average); 0: spread evenly

    @classmethod
    def from_info(cls, info: ModelInfo) -> ModelShape:
        n = max(info.block_count, 1)
        return cls(
            weights_bytes=info.tensor_bytes,
            block_count=info.block_count,
            head_count=info.head_count,
            head_count_kv=info.head_count_kv,
            key_length=info.key_length,
            value_length=info.value_length,
            layer_weight_bytes=sum(info.layer_bytes) // n,
        )


@dataclass(frozen=True)
class MemoryEstimate:
    """Bytes needed to run a model at ``n_ctx`` tokens."""

    n_ctx: int
    weights: int
    kv_cache: int
    compute: int
    block_count: int
    layer_bytes: int  # one repeating block on the GPU: its weights plus its KV cache
    other_bytes: int  # weights outside the blocks (embeddings, output head)

    @property
    def total(self) -> int:
        return self.weights + self.kv_cache + self.compute

    def describe(self) -> str:
        return (
            f"{format_bytes(self.total)} at {self.n_ctx:,} tokens (weights {format_bytes(self.weights)}, "
            f"KV cache {format_bytes(self.kv_cache)}, compute {format_bytes(self.compute)})"
        )


def kv_cache_bytes(shape: ModelShape, n_ctx: int, kv_type: str = "f16") -> int:
    """KV cache for all layers at the full context (swa_full=True)."""
    per_element = KV_BYTES_PER_ELEMENT[kv_type]
    width = shape.head_count_kv * (shape.key_length + shape.value_length)
    return int(shape.block_count * n_ctx * width * per_element)


def compute_bytes(
    shape: ModelShape, n_ctx: int, *, n_batch: int = 512, flash_attn: bool = True
) -> int:
    """The compute-buffer allowance described in the module docstring."""
    if flash_attn:
        return COMPUTE_BASE_BYTES
    ubatch = min(n_batch, n_ctx)
    return COMPUTE_BASE_BYTES + ubatch * n_ctx * shape.head_count * ATTENTION_SCORE_BYTES


def estimate_memory(
    model: ModelShape | ModelInfo,
    n_ctx: int,
    *,
    n_batch: int = 512,
    flash_attn: bool = True,  # as the engine loads models (EngineSettings.flash_attn)
    kv_type: str = "f16",
) -> MemoryEstimate:
    """Estimate the memory ``model`` needs with a context of ``n_ctx`` tokens."""
    if n_ctx <= 0:
        raise ValueError("n_ctx must be positive")
    shape = ModelShape.from_info(model) if isinstance(model, ModelInfo) else model
    kv = kv_cache_bytes(shape, n_ctx, kv_type)
    n = max(shape.block_count, 1)
    layer_weights = shape.layer_weight_bytes or shape.weights_bytes // n
    return MemoryEstimate(
        n_ctx=n_ctx,
        weights=shape.weights_bytes,
        kv_cache=kv,
        compute=compute_bytes(shape, n_ctx, n_batch=n_batch, flash_attn=flash_attn),
        block_count=shape.block_count,
        layer_bytes=layer_weights + kv // n,
        other_bytes=max(shape.weights_bytes - layer_weights * shape.block_count, 0),
    )


def fit_summary(
    estimate: MemoryEstimate,
    *,
    ram_available: int | None,
    vram_free: int | None = None,
    gpu_offload: bool = False,
) -> str:
    """One short phrase for the models list: where the model would fit, if anywhere."""
    need = estimate.total
    if gpu_offload and vram_free is not None and need <= vram_free:
        return f"fits in GPU memory ({format_bytes(need)} of {format_bytes(vram_free)} free)"
    if ram_available is None:
        return f"needs about {format_bytes(need)}"
    if gpu_offload and vram_free is not None and need <= vram_free + ram_available:
        return f"fits split across GPU and RAM ({format_bytes(need)})"
    if need <= ram_available:
        return f"fits in RAM ({format_bytes(need)} of {format_bytes(ram_available)} available)"
    return f"too big: needs {format_bytes(need)}, {format_bytes(ram_available)} RAM available"
