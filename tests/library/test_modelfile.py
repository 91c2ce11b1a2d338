"""GGUF validation before loading: good files pass, every kind of bad file gets one sentence."""

from __future__ import annotations

import os
import time
from pathlib import Path

import gguf
import numpy as np
import pytest

from app.core.errors import EngineError
from app.library.modelfile import ModelFileError, inspect_model
from tests.support.synthetic_gguf import parameter_count, planned_tensor_bytes, write_synthetic_gguf


def _one_sentence(message: str) -> None:
    assert message.endswith("."), message
    assert "\n" not in message
    assert message.count(". ") == 0 or "e.g." in message, message


def test_synthetic_gpt_oss_is_valid(tiny_model: Path) -> None:
    info = inspect_model(tiny_model)
    assert info.architecture == "gpt-oss"
    assert info.version == 3
    assert info.block_count == 2 and info.head_count == 4 and info.head_count_kv == 2
    assert info.key_length == 16 and info.value_length == 16
    assert info.expert_count == 4 and info.expert_used_count == 2
    assert info.context_length == 8192 and info.sliding_window == 128
    assert info.tensor_bytes == planned_tensor_bytes("tiny")
    assert info.n_params == parameter_count("tiny")
    assert info.quantization == "F32" and info.dominant_type == "F32"
    assert info.chat_template and "<|start|>" in info.chat_template
    assert info.warnings == ()
    assert len(info.layer_bytes) == 2 and 0 < sum(info.layer_bytes) < info.tensor_bytes


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p.write_bytes(b""), "empty"),
        (lambda p: p.write_bytes(os.urandom(4096)), "not a GGUF"),
        (lambda p: p.write_bytes(b"GGUF" + os.urandom(4092)), "version"),
        (lambda p: p.write_text("llama.cpp model, honest\n" * 50), "not a GGUF"),
    ],
    ids=["zero-bytes", "random-bytes", "magic-then-garbage", "text-file"],
)
def test_bad_files_get_one_sentence(tmp_path: Path, make, expected: str) -> None:  # noqa: ANN001
    path = tmp_path / "model.gguf"
    make(path)
    with pytest.raises(ModelFileError) as caught:
        inspect_model(path)
    assert expected in str(caught.value)
    assert isinstance(caught.value, EngineError)
    _one_sentence(str(caught.value))


def test_garbage_after_valid_version_is_translated(tmp_path: Path) -> None:
    path = tmp_path / "garbage.gguf"
    path.write_bytes(b"GGUF" + (3).to_bytes(4, "little") + os.urandom(8192))
    with pytest.raises(ModelFileError) as caught:
        inspect_model(path)
    _one_sentence(str(caught.value))


def test_truncated_tensor_data(tiny_model: Path, tmp_path: Path) -> None:
    data = tiny_model.read_bytes()
    path = tmp_path / "cut.gguf"
    path.write_bytes(data[: len(data) - 1000])
    with pytest.raises(ModelFileError, match="truncated") as caught:
        inspect_model(path)
    _one_sentence(str(caught.value))


def test_truncated_inside_header(tiny_model: Path, tmp_path: Path) -> None:
    path = tmp_path / "head.gguf"
    path.write_bytes(tiny_model.read_bytes()[:3000])
    with pytest.raises(ModelFileError, match="incomplete"):
        inspect_model(path)


def test_other_architecture_is_named(wrong_arch_model: Path) -> None:
    with pytest.raises(ModelFileError) as caught:
        inspect_model(wrong_arch_model)
    assert "'llama'" in str(caught.value) and "gpt-oss" in str(caught.value)
    _one_sentence(str(caught.value))


def test_ollama_gptoss_blob(tmp_path: Path) -> None:
    path = write_synthetic_gguf(tmp_path / "sha256-blob", "tiny", architecture="gptoss")
    with pytest.raises(ModelFileError, match="Ollama"):
        inspect_model(path)


def test_missing_chat_template_is_a_warning(tiny_model_no_template: Path) -> None:
    info = inspect_model(tiny_model_no_template)
    assert info.chat_template is None
    assert len(info.warnings) == 1 and "harmony" in info.warnings[0]


def test_directory_and_missing_path(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="folder"):
        inspect_model(tmp_path)
    with pytest.raises(ModelFileError, match="does not exist"):
        inspect_model(tmp_path / "nope.gguf")


def test_huge_vocabulary_header_is_fast(tmp_path: Path) -> None:
    """A header with the real model's vocabulary size is read without touching weights."""
    path = tmp_path / "big-vocab.gguf"
    writer = gguf.GGUFWriter(path, "gpt-oss")
    writer.add_block_count(1)
    writer.add_token_list([f"t{i}" for i in range(201_088)])
    writer.add_token_merges([f"a{i} b{i}" for i in range(100_000)])
    writer.add_tensor("token_embd.weight", np.zeros((4, 32), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    start = time.perf_counter()
    info = inspect_model(path)
    assert time.perf_counter() - start < 1.0
    assert info.vocab_size == 201_088
    assert info.tensor_bytes == 4 * 32 * 4
