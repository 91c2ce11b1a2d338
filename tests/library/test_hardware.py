"""Backend detection from llama.cpp's system info, RAM/VRAM parsing, and the CPU fallback."""

from __future__ import annotations

import sys

import pytest

from app.library.hardware import (
    detect_hardware,
    llama_build,
    load_with_fallback,
    parse_backend,
    parse_meminfo,
    parse_nvidia_smi,
)

CPU_INFO = "CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | OPENMP = 1 | REPACK = 1 | "


@pytest.mark.parametrize(
    ("info", "offload", "backend"),
    [
        (CPU_INFO, False, "CPU"),
        (
            "CUDA : ARCHS = 890 | USE_GRAPHS = 1 | PEER_MAX_BATCH_SIZE = 128 | " + CPU_INFO,
            True,
            "CUDA",
        ),
        ("Metal : EMBED_LIBRARY = 1 | CPU : NEON = 1 | ARM_FMA = 1 | ", True, "Metal"),
        ("Vulkan : COOPMAT = 1 | " + CPU_INFO, True, "Vulkan"),
        ("ROCm : NO_VMM = 1 | " + CPU_INFO, True, "ROCm"),
        (CPU_INFO, True, "GPU"),  # offload supported, backend not listed
        ("", False, "CPU"),
    ],
)
def test_parse_backend(info: str, offload: bool, backend: str) -> None:
    assert parse_backend(info, offload) == backend


def test_this_build_is_described() -> None:
    offload, info = llama_build()
    assert "CPU" in info
    hw = detect_hardware()
    assert hw.backend == parse_backend(info, offload)
    assert hw.gpu_offload == offload
    if sys.platform.startswith("linux"):
        assert hw.ram_total and hw.ram_available and 0 < hw.ram_available <= hw.ram_total


def test_parse_meminfo() -> None:
    text = "MemTotal:       16314788 kB\nMemFree:         1200000 kB\nMemAvailable:    9000000 kB\n"
    assert parse_meminfo(text) == (16314788 * 1024, 9000000 * 1024)
    old_kernel = "MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 10 kB\nCached: 200 kB\n"
    assert parse_meminfo(old_kernel) == (1000 * 1024, 310 * 1024)
    assert parse_meminfo("") == (None, None)


def test_parse_nvidia_smi() -> None:
    text = "NVIDIA GeForce RTX 4090, 24564, 23010\nNVIDIA A100-SXM4-80GB, 81920, 80000\n"
    gpus = parse_nvidia_smi(text)
    assert gpus[0] == ("NVIDIA GeForce RTX 4090", 24564 * 1024 * 1024, 23010 * 1024 * 1024)
    assert len(gpus) == 2
    assert parse_nvidia_smi("NVIDIA-SMI has failed because it couldn't communicate") == []


class _Loader:
    """A stand-in for Llama(...): fails whenever GPU layers are requested, if told to."""

    def __init__(self, gpu_fails: bool, cpu_fails: bool = False) -> None:
        self.calls: list[int] = []
        self.gpu_fails, self.cpu_fails = gpu_fails, cpu_fails

    def __call__(self, n_gpu_layers: int) -> str:
        self.calls.append(n_gpu_layers)
        if n_gpu_layers != 0 and self.gpu_fails:
            raise RuntimeError("CUDA error: out of memory\nmore log lines")
        if n_gpu_layers == 0 and self.cpu_fails:
            raise ValueError("Failed to load model from file")
        return f"model({n_gpu_layers})"


def test_gpu_failure_falls_back_to_cpu_and_says_so() -> None:
    loader = _Loader(gpu_fails=True)
    model, note = load_with_fallback(loader, -1)
    assert model == "model(0)" and loader.calls == [-1, 0]
    assert note is not None and "out of memory" in note and "CPU" in note
    assert "\n" not in note


def test_working_gpu_load_has_no_note() -> None:
    loader = _Loader(gpu_fails=False)
    assert load_with_fallback(loader, 20) == ("model(20)", None)
    assert loader.calls == [20]


def test_cpu_failure_is_not_retried() -> None:
    loader = _Loader(gpu_fails=False, cpu_fails=True)
    with pytest.raises(ValueError):
        load_with_fallback(loader, 0)
    assert loader.calls == [0]


def test_both_failing_raises_the_cpu_error_chained_to_the_gpu_error() -> None:
    loader = _Loader(gpu_fails=True, cpu_fails=True)
    with pytest.raises(ValueError) as caught:
        load_with_fallback(loader, -1)
    assert isinstance(caught.value.__cause__, RuntimeError)
    assert loader.calls == [-1, 0]
