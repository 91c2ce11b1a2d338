"""The run tests' fixtures: the real llama.cpp engine on the tiny synthetic model, and a
results store in a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.run_types import EngineSettings
from app.engine.local.engine import LocalEngine
from app.store import Store


@pytest.fixture(scope="module")
def engine(tiny_model: Path):
    eng = LocalEngine(cancel_grace=3.0)
    eng.load(EngineSettings(model_path=str(tiny_model), n_ctx=4096, n_threads=2))
    yield eng
    eng.close()


@pytest.fixture()
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path / "data"))
    s = Store(tmp_path / "r.db")
    yield s
    s.close()
