"""Memory estimate against hand-computed numbers, and the GPU-layer decision table."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.library.hardware import choose_gpu_layers
from app.library.memory import (
    COMPUTE_BASE_BYTES,
    MemoryEstimate,
    ModelShape,
    estimate_memory,
    fit_summary,
)
from app.library.modelfile import inspect_model
from tests.support.synthetic_gguf import planned_tensor_bytes

MiB = 1024 * 1024
# gpt-oss-safeguard-20b: 24 layers, 64 query heads, 8 KV heads of 64 (keys) + 64 (values).
GPT_OSS_20B = ModelShape(
    weights_bytes=12_100_000_000,
    block_count=24,
    head_count=64,
    head_count_kv=8,
    key_length=64,
    value_length=64,
)


def test_constant_is_what_the_docstring_says() -> None:
    assert COMPUTE_BASE_BYTES == 256 * MiB == 268_435_456


def test_gpt_oss_20b_at_8k_by_hand() -> None:
    est = estimate_memory(GPT_OSS_20B, 8192, flash_attn=False)
    # KV: 24 layers x 8192 tokens x 8 heads x (64 + 64) x 2 bytes (f16), all layers full (swa_full)
    assert est.kv_cache == 24 * 8192 * 8 * 128 * 2 == 402_653_184
    # compute: 256 MiB + 512 (batch) x 8192 x 64 heads x 4 bytes of attention scores
    assert est.compute == 268_435_456 + 1_073_741_824 == 1_342_177_280
    assert est.weights == 12_100_000_000
    assert est.total == 13_844_830_464
    assert 13e9 < est.total < 15e9  # the published "about 15 GB at 8K" includes the OS
    # one block on the GPU: its share of the weights plus its share of the KV cache
    assert est.layer_bytes == 12_100_000_000 // 24 + 402_653_184 // 24


def test_flash_attention_and_kv_type() -> None:
    # flash attention (the engine's default) keeps no score matrix
    assert estimate_memory(GPT_OSS_20B, 8192).compute == 268_435_456
    est = estimate_memory(GPT_OSS_20B, 8192, flash_attn=True, kv_type="q8_0")
    assert est.compute == 268_435_456
    assert est.kv_cache == 24 * 8192 * 8 * 128 * 34 // 32 == 213_909_504  # 34 bytes per 32


def test_context_scales_the_kv_cache_linearly() -> None:
    small, big = estimate_memory(GPT_OSS_20B, 4096), estimate_memory(GPT_OSS_20B, 131_072)
    assert big.kv_cache == 32 * small.kv_cache
    assert big.kv_cache == 6_442_450_944  # 6 GiB at the full 131k context


def test_synthetic_model_from_its_header(tiny_model: Path) -> None:
    est = estimate_memory(inspect_model(tiny_model), 1024, flash_attn=False)
    weights = planned_tensor_bytes("tiny")  # the generator's own count of what it writes
    assert est.weights == weights
    # tiny: 2 layers, 4 heads, 2 KV heads of 16 + 16
    assert est.kv_cache == 2 * 1024 * 2 * (16 + 16) * 2 == 262_144
    assert est.compute == 268_435_456 + 512 * 1024 * 4 * 4 == 276_824_064
    assert est.total == weights + 262_144 + 276_824_064


def test_bad_context_is_rejected() -> None:
    with pytest.raises(ValueError):
        estimate_memory(GPT_OSS_20B, 0)


EST = MemoryEstimate(
    n_ctx=1000,
    weights=10_000,
    kv_cache=2_000,
    compute=1_000,
    block_count=10,
    layer_bytes=1_100,
    other_bytes=0,
)


@pytest.mark.parametrize(
    ("requested", "offload", "vram", "layers"),
    [
        ("auto", False, 100_000, 0),  # CPU-only build: nothing offloaded
        (5, False, 100_000, 0),  # even when asked
        ("auto", True, None, -1),  # VRAM unknown (Metal): all, fallback covers failure
        ("auto", True, 20_000, -1),  # 13,000 <= 90% of 20,000: all
        ("auto", True, 10_000, 7),  # (9,000 - 1,000 compute) // 1,100 = 7 blocks
        ("auto", True, 1_500, 0),  # 1,350 - 1,000 < one block
        (5, True, 1_500, 5),  # a number is taken as chosen
        (-1, True, 1_500, -1),
        (99, True, None, -1),  # more than the model has means all
        (0, True, 100_000, 0),
    ],
)
def test_gpu_layer_decision_table(requested, offload: bool, vram, layers: int) -> None:  # noqa: ANN001
    plan = choose_gpu_layers(requested, EST, gpu_offload=offload, vram_free=vram)
    assert plan.n_gpu_layers == layers
    assert plan.reason


def test_fit_summary_phrases() -> None:
    assert "GPU" in fit_summary(EST, ram_available=5_000, vram_free=20_000, gpu_offload=True)
    assert "fits in RAM" in fit_summary(EST, ram_available=50_000)
    assert "too big" in fit_summary(EST, ram_available=5_000)
    assert "needs about" in fit_summary(EST, ram_available=None)
