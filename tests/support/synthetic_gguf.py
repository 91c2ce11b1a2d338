"""Write random-weight GGUF models of the gpt-oss architecture for tests and benchmarks.

The real gpt-oss-safeguard-20b weights cannot be downloaded where we build, so engine tests
run the real llama.cpp on a small model of the same architecture: the same metadata keys,
tensor names and layouts, a byte-level BPE tokenizer with the harmony special tokens, and
our own harmony chat template. Weights are random (fixed seed), so output is gibberish but
deterministic.

``write_synthetic_gguf`` writes one file; ``cached_model`` writes it once per generator
version under ``.cache/models`` (or ``$SAFEGUARD_TEST_MODEL_DIR``) and reuses it.
"""

from __future__ import annotations

import os
import tempfile
import zlib
from pathlib import Path
from typing import Literal

import gguf
import numpy as np

from tests.support.harmony_template import HARMONY_CHAT_TEMPLATE
from tests.support.model_specs import SPECS, TensorPlan, plan_tensors, vocab_for
from tests.support.vocab import SPECIAL_TOKENS, Vocab

__all__ = [
    "GENERATOR_VERSION",
    "HARMONY_CHAT_TEMPLATE",
    "SPECIAL_TOKENS",
    "ModelSize",
    "cached_model",
    "parameter_count",
    "planned_tensor_bytes",
    "write_synthetic_gguf",
]

# Bump whenever the bytes written for the same arguments change (invalidates caches).
GENERATOR_VERSION = 2

ModelSize = Literal["tiny", "medium"]

_Q8_0_BLOCK = 32
_Q8_0_BLOCK_BYTES = 34


# Standard deviation of the random weights: small, so activations stay tame in every layer.
_WEIGHT_STD = 0.02


def parameter_count(size: ModelSize) -> int:
    """Return the number of weights a model of ``size`` holds (without writing it)."""
    spec = SPECS[size]
    return sum(int(np.prod(t.shape)) for t in plan_tensors(spec, len(vocab_for(spec).tokens)))


def planned_tensor_bytes(size: ModelSize) -> int:
    """Return the bytes of tensor data a model of ``size`` holds (the file is a bit larger)."""
    spec = SPECS[size]
    return sum(_storage(t)[2] for t in plan_tensors(spec, len(vocab_for(spec).tokens)))


def write_synthetic_gguf(
    path: str | os.PathLike[str],
    size: ModelSize = "tiny",
    *,
    chat_template: str | None = HARMONY_CHAT_TEMPLATE,
    architecture: str = "gpt-oss",
    seed: int = 0,
    context_length: int = 8192,
) -> Path:
    """Write a random-weight gpt-oss GGUF to ``path`` atomically and return the path.

    ``chat_template=None`` leaves out ``tokenizer.chat_template``. Another ``architecture``
    writes the same content under that name (for validation tests; llama.cpp will not load
    it as gpt-oss). The same arguments always give a byte-identical file.
    """
    spec = SPECS[size]
    vocab = vocab_for(spec)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        writer = gguf.GGUFWriter(tmp_name, arch=architecture)
        _add_metadata(writer, size, vocab, chat_template, context_length)
        plans = plan_tensors(spec, len(vocab.tokens))
        for plan in plans:
            shape, dtype, nbytes = _storage(plan)
            writer.add_tensor_info(plan.name, shape, dtype, nbytes, raw_dtype=plan.qtype)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_ti_data_to_file()
        for plan in plans:  # one tensor in memory at a time
            writer.write_tensor_data(_random_tensor(plan, seed))
        writer.close()
        os.chmod(tmp_name, 0o644)  # mkstemp creates 0600
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return target


def cached_model(size: ModelSize, cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the path of the default synthetic model of ``size``, writing it if needed.

    The directory is ``cache_dir``, else ``$SAFEGUARD_TEST_MODEL_DIR``, else
    ``<repo>/.cache/models``. The file name carries ``GENERATOR_VERSION``.
    """
    if cache_dir is None:
        env_dir = os.environ.get("SAFEGUARD_TEST_MODEL_DIR")
        repo_root = Path(__file__).resolve().parents[2]
        cache_dir = env_dir if env_dir else repo_root / ".cache" / "models"
    target = Path(cache_dir) / f"synthetic-gpt-oss-{size}-v{GENERATOR_VERSION}.gguf"
    if not target.is_file():
        write_synthetic_gguf(target, size)
    return target


def _add_metadata(
    writer: gguf.GGUFWriter,
    size: ModelSize,
    vocab: Vocab,
    chat_template: str | None,
    context_length: int,
) -> None:
    spec = SPECS[size]
    writer.add_name(f"Synthetic gpt-oss ({size}, random weights)")
    writer.add_quantization_version(gguf.GGML_QUANT_VERSION)
    writer.add_context_length(context_length)
    writer.add_embedding_length(spec.n_embd)
    writer.add_block_count(spec.n_layer)
    writer.add_feed_forward_length(spec.n_ff_exp)
    writer.add_expert_feed_forward_length(spec.n_ff_exp)
    writer.add_head_count(spec.n_head)
    writer.add_head_count_kv(spec.n_head_kv)
    writer.add_key_length(spec.head_dim)
    writer.add_value_length(spec.head_dim)
    writer.add_rope_dimension_count(spec.head_dim)
    writer.add_rope_freq_base(150000.0)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_expert_count(spec.n_expert)
    writer.add_expert_used_count(spec.n_expert_used)
    writer.add_sliding_window(128)

    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("gpt-4o")
    writer.add_token_list(list(vocab.tokens))
    writer.add_token_types(list(vocab.token_types))
    writer.add_token_merges(list(vocab.merges))
    writer.add_bos_token_id(vocab.token_id("<|startoftext|>"))
    writer.add_eos_token_id(vocab.token_id("<|return|>"))
    writer.add_eot_token_id(vocab.token_id("<|end|>"))
    writer.add_pad_token_id(vocab.token_id("<|endoftext|>"))
    writer.add_add_bos_token(False)
    writer.add_add_eos_token(False)
    if chat_template is not None:
        writer.add_chat_template(chat_template)


def _storage(plan: TensorPlan) -> tuple[tuple[int, ...], np.dtype, int]:
    """Return the numpy shape, numpy dtype and byte size used to store ``plan``."""
    numpy_shape = tuple(reversed(plan.shape))
    count = int(np.prod(numpy_shape))
    if plan.qtype == gguf.GGMLQuantizationType.Q8_0:
        row = numpy_shape[-1]
        byte_shape = (*numpy_shape[:-1], row // _Q8_0_BLOCK * _Q8_0_BLOCK_BYTES)
        return byte_shape, np.dtype(np.uint8), int(np.prod(byte_shape))
    if plan.qtype == gguf.GGMLQuantizationType.F16:
        return numpy_shape, np.dtype(np.float16), count * 2
    return numpy_shape, np.dtype(np.float32), count * 4


def _random_tensor(plan: TensorPlan, seed: int) -> np.ndarray:
    """Generate ``plan``'s data from a generator seeded by ``seed`` and the tensor name."""
    shape, dtype, _ = _storage(plan)
    if plan.init == "ones":
        return np.ones(shape, dtype=np.float32)
    rng = np.random.default_rng([seed, zlib.crc32(plan.name.encode())])
    std = _WEIGHT_STD
    if plan.qtype == gguf.GGMLQuantizationType.Q8_0:
        # Valid Q8_0 blocks made directly: one fp16 scale, then 32 uniform int8 values whose
        # standard deviation (127/sqrt(3) * scale) is ``std``. Much faster than quantizing.
        blocks = np.empty((int(np.prod(shape)) // _Q8_0_BLOCK_BYTES, _Q8_0_BLOCK_BYTES), np.uint8)
        scale = np.float16(std * np.sqrt(3.0) / 127.0)
        blocks[:, :2] = np.frombuffer(scale.tobytes(), dtype=np.uint8)
        blocks[:, 2:] = rng.integers(-127, 128, size=(blocks.shape[0], 32), dtype=np.int8).view(
            np.uint8
        )
        return blocks.reshape(shape)
    values = rng.standard_normal(shape, dtype=np.float32) * np.float32(std)
    return values.astype(dtype, copy=False)
