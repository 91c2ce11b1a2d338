"""Shared pytest fixtures: synthetic gpt-oss models for the engine tests."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Never touch the user's real folders: every test (and every process it starts) writes its
# data, cache, logs, settings and models under one temporary folder per session; a test that
# needs its own folder sets the variable again with monkeypatch.
_SESSION_HOME = Path(tempfile.mkdtemp(prefix="safeguard-tests-"))
for _name in ("DATA", "CACHE", "LOG", "CONFIG", "MODELS"):
    os.environ[f"SAFEGUARD_{_name}_DIR"] = str(_SESSION_HOME / _name.lower())
os.environ["HF_HUB_OFFLINE"] = "1"  # tests that download point HF_ENDPOINT at a loopback hub

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


@pytest.fixture(autouse=True)
def _own_cache_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Each test gets an empty cache folder, so a policy prefix saved by one test (and
    restored instead of evaluated) never changes another test's token counts."""
    monkeypatch.setenv("SAFEGUARD_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    # and its own config folder: the backend one test chose (models use, the window's
    # settings) must not become the CLI's active backend in another
    monkeypatch.setenv("SAFEGUARD_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))


@pytest.fixture(scope="module")
def llama_server(tiny_model: Path):
    """``python -m llama_cpp.server`` on the tiny model on a free loopback port (alias
    ``tiny``); one per test module, stopped after it."""
    from tests.support.llama_server import start_server, stop_server

    process, url = start_server(tiny_model)
    try:
        yield url
    finally:
        stop_server(process)
