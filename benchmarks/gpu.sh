#!/usr/bin/env bash
# GPU figures on an NVIDIA machine: builds llama-cpp-python with CUDA in its own virtual
# environment (.venv-gpu, so the CPU .venv stays as it is), then runs on the medium
# synthetic model with every layer on the GPU:
#   - benchmarks.engine_bench (prefix reuse, engine / plain llama-cpp-python, the batching
#     table at 1-16 sequences and budgets 64/256, k=5 samples), with absolute tok/s;
#   - the same engine load with --gpu-layers auto, to print the auto-fit's choice;
#   - benchmarks.prefix_restore.
# Nothing depends on this script; run it when such a machine is at hand.
# Usage: benchmarks/gpu.sh [CUDA architectures, e.g. 90 for H100/H200; default: native]
set -euo pipefail
cd "$(dirname "$0")/.."

command -v nvidia-smi >/dev/null || { echo "no NVIDIA GPU here (nvidia-smi missing)"; exit 2; }
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
ARCH="${1:-native}"
VENV=.venv-gpu
PY="$VENV/bin/python"
LLAMA_VERSION="$(python3 -c 'import re,sys; t=open("pyproject.toml").read(); print(re.search(r"llama-cpp-python(?:\[server\])?>=([0-9.]+)", t).group(1))')"

if [ ! -x "$PY" ]; then
  python3 -m venv "$VENV"
  "$PY" -m pip install -q --upgrade pip
fi
if ! "$PY" -c 'import llama_cpp, sys; sys.exit(0 if llama_cpp.llama_supports_gpu_offload() else 1)' 2>/dev/null; then
  # CUDA build from source (10-20 minutes); nvcc must be on PATH (e.g. /usr/local/cuda/bin)
  export PATH="/usr/local/cuda/bin:$PATH"
  CMAKE_ARGS="-DGGML_CUDA=on -DCMAKE_CUDA_ARCHITECTURES=$ARCH" FORCE_CMAKE=1 \
    "$PY" -m pip install --no-cache-dir --force-reinstall --no-binary llama-cpp-python \
    "llama-cpp-python==$LLAMA_VERSION"
fi
"$PY" -m pip install -q -e '.[test]'
"$PY" -c 'import llama_cpp; assert llama_cpp.llama_supports_gpu_offload(), "not a GPU build"'

THREADS="$(nproc)"
echo "== auto-fit: which layers go to the GPU"
"$PY" - <<'PY'
from app.core.run_types import EngineSettings
from app.engine.local.engine import LocalEngine
from tests.support.synthetic_gguf import cached_model

with LocalEngine(prefix_budget=0) as engine:
    facts = engine.load(EngineSettings(model_path=str(cached_model("medium")), n_ctx=4096))
print(f"auto: {facts.n_gpu_layers} layers on the GPU ({facts.placement})")
PY
echo "== benchmarks.engine_bench, every layer on the GPU"
"$PY" -m benchmarks.engine_bench --gpu-layers -1 --threads "$THREADS" || echo "(a target was missed)"
echo "== benchmarks.prefix_restore"
"$PY" -m benchmarks.prefix_restore || echo "(a target was missed)"
