"""Shared pytest fixtures: synthetic gpt-oss models for the engine tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.support.synthetic_gguf import cached_model, write_synthetic_gguf  # noqa: E402


@pytest.fixture(scope="session")
def tiny_model() -> Path:
    """The tiny synthetic gpt-oss GGUF with the harmony chat template (cached on disk)."""
    return cached_model("tiny")


@pytest.fixture(scope="session")
def tiny_model_no_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny gpt-oss GGUF without ``tokenizer.chat_template``."""
    path = tmp_path_factory.mktemp("models") / "tiny-no-template.gguf"
    return write_synthetic_gguf(path, "tiny", chat_template=None)


@pytest.fixture(scope="session")
def wrong_arch_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny GGUF whose ``general.architecture`` is ``llama`` instead of ``gpt-oss``."""
    path = tmp_path_factory.mktemp("models") / "tiny-llama-arch.gguf"
    return write_synthetic_gguf(path, "tiny", architecture="llama")
