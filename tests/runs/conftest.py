"""The real llama.cpp engine on the tiny synthetic model, for the run tests that need one."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.run_types import EngineSettings
from app.engine.local.engine import LocalEngine


@pytest.fixture(scope="module")
def engine(tiny_model: Path):
    eng = LocalEngine(cancel_grace=3.0)
    eng.load(EngineSettings(model_path=str(tiny_model), n_ctx=4096, n_threads=2))
    yield eng
    eng.close()
