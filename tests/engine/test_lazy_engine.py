"""LazyEngine: a fully cached suite never loads the model."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.cases import TestCase
from app.core.errors import EngineError
from app.core.policy import parse_policy
from app.core.run_types import EngineSettings, RunSettings
from app.engine.lazy import LazyEngine
from app.runs.pipeline.inputs import SuiteInputs
from app.runs.pipeline.suite import run_suite
from app.store import Store
from tests.support.scripted_engine import ScriptedEngine


class CountingEngine(ScriptedEngine):
    def __init__(self) -> None:
        super().__init__({})
        self.loads = 0

    def load(self, settings: EngineSettings) -> dict:
        self.loads += 1
        return super().load(settings)


def test_model_loads_only_when_a_case_misses_the_cache(tiny_model: Path, tmp_path: Path) -> None:
    policy = parse_policy("# Instructions\nAnswer 0 or 1.\n")
    cases = [TestCase(f"c{i}", f"text {i}", "0") for i in range(3)]
    store = Store(tmp_path / "r.db")
    runs = []
    for _ in range(2):
        inner = CountingEngine()
        engine = LazyEngine(inner)
        info = engine.load(EngineSettings(model_path=str(tiny_model)))
        assert info.chat_template and inner.loads == 0
        inputs = SuiteInputs(
            engine, policy, cases, RunSettings(), store=store, model_fingerprint="m",
            template_hash="t",
        )  # fmt: skip
        run_suite(inputs, order="file")
        runs.append(inner.loads)
    store.close()
    assert runs == [1, 0]  # loaded once for the first run, never for the cached rerun


def test_bad_file_is_refused_at_load(tmp_path: Path) -> None:
    bad = tmp_path / "x.gguf"
    bad.write_bytes(b"not a model")
    with pytest.raises(EngineError):
        LazyEngine(CountingEngine()).load(EngineSettings(model_path=str(bad)))
