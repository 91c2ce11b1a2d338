"""What this machine offers the model: GPU backend, RAM, VRAM, and how many layers to offload.

* The backend comes from the llama.cpp build itself: ``llama_supports_gpu_offload()`` and the
  backend names in ``llama_print_system_info()`` ("CUDA : ARCHS = 890 | ... | CPU : AVX2 = 1").
* RAM from ``/proc/meminfo`` on Linux, ``sysctl``/``sysconf`` on macOS; None where unknown.
* VRAM from ``nvidia-smi`` when it is installed (a local subprocess with a short timeout,
  no network); None otherwise (Metal shares system memory, so RAM is the limit there).
* ``choose_gpu_layers`` is a pure function of those numbers, and ``load_with_fallback``
  retries a failed GPU load on the CPU and says so.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from app.library.memory import MemoryEstimate

T = TypeVar("T")
VRAM_HEADROOM = 0.9  # keep 10% of free GPU memory for the driver, display and fragmentation
_GPU_BACKENDS = {
    "CUDA": "CUDA",
    "ROCM": "ROCm",
    "HIP": "ROCm",
    "METAL": "Metal",
    "MTL": "Metal",
    "VULKAN": "Vulkan",
    "SYCL": "SYCL",
    "CANN": "CANN",
    "OPENCL": "OpenCL",
    "MUSA": "MUSA",
}


@dataclass(frozen=True)
class Hardware:
    """A snapshot of the machine; byte counts are None where they cannot be read."""

    backend: str  # "CUDA", "Metal", "Vulkan", "ROCm", ..., or "CPU"
    gpu_offload: bool
    system_info: str
    ram_total: int | None
    ram_available: int | None
    vram_total: int | None
    vram_free: int | None
    gpu_name: str | None = None


@dataclass(frozen=True)
class GpuPlan:
    n_gpu_layers: int  # -1: all layers (and the output head)
    reason: str


def parse_backend(system_info: str, gpu_offload: bool) -> str:
    """Name the GPU backend listed in a llama.cpp system-info string, or "CPU"."""
    for segment in system_info.split("|"):
        if ":" not in segment:
            continue
        name = segment.split(":", 1)[0].strip().upper()
        if name in _GPU_BACKENDS:
            return _GPU_BACKENDS[name]
    return "GPU" if gpu_offload else "CPU"


def llama_build() -> tuple[bool, str]:
    """(GPU offload supported, system-info string) of the installed llama-cpp-python."""
    try:
        import llama_cpp
    except Exception:  # not installed or its shared library fails to load
        return False, ""
    try:
        info = llama_cpp.llama_print_system_info()
        text = info.decode("utf-8", "replace") if isinstance(info, bytes) else str(info)
        return bool(llama_cpp.llama_supports_gpu_offload()), text
    except Exception:
        return False, ""


def parse_meminfo(text: str) -> tuple[int | None, int | None]:
    """(MemTotal, MemAvailable) in bytes from the text of /proc/meminfo."""
    values: dict[str, int] = {}
    for line in text.splitlines():
        match = re.match(r"(\w+):\s+(\d+)\s*kB", line)
        if match:
            values[match.group(1)] = int(match.group(2)) * 1024
    available = values.get("MemAvailable")
    if available is None and "MemFree" in values:
        available = values["MemFree"] + values.get("Cached", 0) + values.get("Buffers", 0)
    return values.get("MemTotal"), available


def memory_info() -> tuple[int | None, int | None]:
    """(total, available) RAM in bytes; None for what this platform does not tell."""
    if sys.platform.startswith("linux"):
        try:
            with open("/proc/meminfo", encoding="ascii") as handle:
                return parse_meminfo(handle.read())
        except OSError:
            return None, None
    total = available = None
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        if hasattr(os, "sysconf_names") and "SC_AVPHYS_PAGES" in os.sysconf_names:
            available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        pass
    if sys.platform == "darwin" and total is None:
        total = _sysctl_int("hw.memsize")
    return total, available


def _sysctl_int(name: str) -> int | None:
    try:
        out = subprocess.run(["sysctl", "-n", name], capture_output=True, text=True, timeout=3)
        return int(out.stdout.strip())
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def parse_nvidia_smi(text: str) -> list[tuple[str, int, int]]:
    """(name, total bytes, free bytes) per GPU from ``--format=csv,noheader,nounits`` (MiB)."""
    gpus = []
    for line in text.strip().splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) >= 3 and parts[1].isdigit() and parts[2].isdigit():
            gpus.append((parts[0], int(parts[1]) * 1024 * 1024, int(parts[2]) * 1024 * 1024))
    return gpus


def nvidia_vram() -> tuple[str, int, int] | None:
    """The first NVIDIA GPU as (name, total, free) bytes, or None without nvidia-smi."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return None
    query = [exe, "--query-gpu=name,memory.total,memory.free", "--format=csv,noheader,nounits"]
    try:
        out = subprocess.run(query, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    gpus = parse_nvidia_smi(out.stdout) if out.returncode == 0 else []
    return gpus[0] if gpus else None


def detect_hardware() -> Hardware:
    """Look at the llama.cpp build, RAM and (NVIDIA) VRAM; takes milliseconds."""
    offload, info = llama_build()
    backend = parse_backend(info, offload)
    total, available = memory_info()
    gpu = nvidia_vram() if backend in ("CUDA", "GPU", "Vulkan") else None
    return Hardware(
        backend=backend,
        gpu_offload=offload,
        system_info=info,
        ram_total=total,
        ram_available=available,
        vram_total=gpu[1] if gpu else None,
        vram_free=gpu[2] if gpu else None,
        gpu_name=gpu[0] if gpu else None,
    )


def choose_gpu_layers(
    requested: int | str,
    estimate: MemoryEstimate,
    *,
    gpu_offload: bool,
    vram_free: int | None,
) -> GpuPlan:
    """Decide ``n_gpu_layers``: "auto", or a number the user chose (-1 all, 0 none).

    "auto": 0 on a CPU-only build; all layers when the whole estimate fits in 90% of the
    free VRAM, or when VRAM cannot be read (Metal's unified memory; a failed load falls
    back to the CPU); otherwise as many blocks as fit after the compute buffers.
    """
    n = estimate.block_count
    if not gpu_offload:
        return GpuPlan(0, "this llama.cpp build has no GPU support, so the model runs on the CPU")
    if requested != "auto":
        layers = int(requested)
        if layers < 0 or layers > n:
            return GpuPlan(-1, "all layers on the GPU, as chosen")
        return GpuPlan(layers, f"{layers} of {n} layers on the GPU, as chosen")
    if vram_free is None:
        return GpuPlan(-1, "all layers on the GPU (its free memory cannot be read)")
    usable = int(vram_free * VRAM_HEADROOM)
    if estimate.total <= usable:
        return GpuPlan(-1, "all layers on the GPU (the model fits in its memory)")
    room = usable - estimate.compute
    layers = max(0, min(n, room // estimate.layer_bytes if estimate.layer_bytes else 0))
    if layers == 0:
        return GpuPlan(0, "on the CPU: not even one layer fits in the free GPU memory")
    return GpuPlan(
        layers, f"{layers} of {n} layers on the GPU, the rest on the CPU (GPU memory is short)"
    )


def load_with_fallback(load_fn: Callable[[int], T], n_gpu_layers: int) -> tuple[T, str | None]:
    """Call ``load_fn(n_gpu_layers)``; if that fails with GPU layers, retry with 0.

    Returns (what load_fn returned, a note for the user or None). A CPU load that fails
    raises as it is; so does the CPU retry, chained to the GPU error.
    """
    try:
        return load_fn(n_gpu_layers), None
    except Exception as gpu_error:
        if n_gpu_layers == 0:
            raise
        try:
            result = load_fn(0)
        except Exception as cpu_error:
            raise cpu_error from gpu_error
        reason = (
            str(gpu_error).strip().splitlines()[0]
            if str(gpu_error).strip()
            else type(gpu_error).__name__
        )
        return result, f"Loading on the GPU failed ({reason}), so the model runs on the CPU."
