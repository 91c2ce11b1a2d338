"""LazyEngine: a fully cached suite never loads the model; it spawns and batches only what
the engine it wraps can, and loads that engine once however many slots spawn."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from app.core.cases import TestCase
from app.core.errors import EngineError
from app.core.policy import parse_policy
from app.core.run_types import EngineLoading, EngineReady, EngineSettings, RunSettings
from app.engine.lazy import LazyEngine
from app.engine.protocol import Capabilities
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


class SpawningEngine(CountingEngine):
    """A scripted engine with parallel slots, as a server has; each load takes a while, so
    that slots asking at the same time would load it more than once if nothing kept them out."""

    capabilities = Capabilities(spawns=True)

    def __init__(self) -> None:
        super().__init__()
        self.siblings: list[ScriptedEngine] = []

    def load(self, settings: EngineSettings) -> dict:
        threading.Event().wait(0.05)
        return super().load(settings)

    def spawn(self) -> ScriptedEngine:
        sibling = ScriptedEngine({"text 1": "1"})
        self.siblings.append(sibling)
        return sibling


def test_parallel_slots_of_a_lazy_engine_load_the_inner_engine_once(
    tiny_model: Path, tmp_path: Path
) -> None:
    inner = SpawningEngine()
    engine = LazyEngine(inner)
    events: list[object] = []
    engine.on_event = events.append
    engine.load(EngineSettings(model_path=str(tiny_model)))
    cases = [TestCase(f"c{i}", f"text {i}", "0") for i in range(6)]
    store = Store(tmp_path / "r.db")
    inputs = SuiteInputs(
        engine, parse_policy("# Instructions\nAnswer 0 or 1.\n"), cases, RunSettings(),
        store=store, model_fingerprint="m", template_hash="t", concurrency=3,
        engine_factory=engine.spawn,
    )  # fmt: skip
    summary = run_suite(inputs, order="file")
    results = {r.case_id: r.label for r in store.results(summary.run_id)}
    store.close()
    assert inner.loads == 1 and len(inner.siblings) == 3
    assert [type(e) for e in events] == [EngineLoading, EngineReady]
    assert sum(len(s.requests) for s in inner.siblings) == 6
    assert results == {f"c{i}": "1" if i == 1 else "0" for i in range(6)}


def test_a_slot_that_cannot_load_is_one_sentence() -> None:
    with pytest.raises(EngineError, match="Choose a model file"):
        LazyEngine(SpawningEngine()).spawn()  # never given a model


def test_a_method_the_inner_engine_lacks_is_a_type_error_even_under_python_o() -> None:
    engine = LazyEngine(CountingEngine())  # cannot batch, spawn or keep prefixes
    with pytest.raises(TypeError, match="cannot batch"):
        next(engine.classify_many([], 2))
    with pytest.raises(TypeError, match="cannot spawn"):
        engine.spawn()
    with pytest.raises(TypeError, match="no prefix budget"):
        engine.set_prefix_budget(5)
    assert engine.loaded is False and engine.engine.loads == 0
