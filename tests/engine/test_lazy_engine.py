"""LazyEngine: a fully cached suite never loads the model; it batches only what the engine
it wraps can, and never spawns (the local engine it wraps has no slots)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.cases import TestCase
from app.core.errors import EngineError
from app.core.policy import parse_policy
from app.core.run_types import EngineLoading, EngineReady, EngineSettings, Failed, RunSettings
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
    runs, told = [], []
    for _ in range(2):
        inner = CountingEngine()
        engine = LazyEngine(inner)
        events: list[object] = []
        engine.on_event = events.append
        info = engine.load(EngineSettings(model_path=str(tiny_model)))
        assert info.chat_template and inner.loads == 0
        inputs = SuiteInputs(
            engine, policy, cases, RunSettings(), store=store, model_fingerprint="m",
            template_hash="t",
        )  # fmt: skip
        run_suite(inputs, order="file")
        runs.append(inner.loads)
        told.append([type(e) for e in events])
    store.close()
    assert runs == [1, 0]  # loaded once for the first run, never for the cached rerun
    assert told == [[EngineLoading, EngineReady], []]  # the real load is told, once


def test_a_case_without_a_model_is_one_sentence() -> None:
    from tests.support.requests import request

    (event,) = LazyEngine(CountingEngine()).classify(request("c1", "text"))  # never loaded
    assert isinstance(event, Failed) and event.kind == "load"
    assert event.message == "Choose a model file before running."


def test_bad_file_is_refused_at_load(tmp_path: Path) -> None:
    bad = tmp_path / "x.gguf"
    bad.write_bytes(b"not a model")
    with pytest.raises(EngineError):
        LazyEngine(CountingEngine()).load(EngineSettings(model_path=str(bad)))


def test_a_method_the_inner_engine_lacks_is_a_type_error_even_under_python_o() -> None:
    engine = LazyEngine(CountingEngine())  # cannot batch, spawn or keep prefixes
    with pytest.raises(TypeError, match="cannot batch"):
        next(engine.classify_many([], 2))
    assert not hasattr(engine, "spawn")  # a lazy engine never spawns
    with pytest.raises(TypeError, match="no prefix budget"):
        engine.set_prefix_budget(5)
    assert engine.loaded is False and engine.engine.loads == 0
