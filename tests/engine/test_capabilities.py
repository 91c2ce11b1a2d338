"""Every engine declares what it can do beyond the protocol, and its methods agree with it.

The run pipeline never probes an engine for a method: it reads ``capabilities``
(:mod:`app.engine.protocol`). A flag without its method would crash a run; a method
without its flag would never be used. Both are caught here for every engine class in
``app/engine`` and for the tests' stand-ins.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import pytest

import app.engine
from app.core.cases import TestCase
from app.core.policy import parse_policy
from app.core.run_types import EngineSettings, RunSettings
from app.engine.lazy import LazyEngine
from app.engine.local.engine import LocalEngine
from app.engine.protocol import CAPABILITY_MEMBERS, Capabilities, Engine
from app.engine.remote.engine import RemoteConfig, RemoteEngine
from app.runs.backends.config import BackendConfig, apply_prefix_budget, build_engine
from app.runs.pipeline.inputs import SuiteInputs
from app.runs.pipeline.suite import run_suite
from app.store import Store
from tests.support.analysis_data import SeededEngine
from tests.support.fake_engine import FakeEngine
from tests.support.scripted_engine import ScriptedEngine

PROTOCOL_METHODS = ("load", "classify", "cancel", "close")


def _remote() -> RemoteEngine:
    return RemoteEngine(RemoteConfig(use_keyring=False))


# one instance (or several) of each engine class in app/engine
SAMPLES: dict[type, list[Callable[[], Engine]]] = {
    LocalEngine: [LocalEngine],
    RemoteEngine: [_remote],
    LazyEngine: [lambda: LazyEngine(LocalEngine()), lambda: LazyEngine(_remote())],
}
STAND_INS = [FakeEngine, ScriptedEngine, SeededEngine]  # the tests' fakes, declared per class


def engine_classes() -> set[type]:
    """The classes of ``app/engine`` that implement the protocol's four methods."""
    found = set()
    for info in pkgutil.walk_packages(app.engine.__path__, "app.engine."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or Protocol in cls.__mro__:
                continue
            if all(callable(getattr(cls, name, None)) for name in PROTOCOL_METHODS):
                found.add(cls)
    return found


def _disagreements(engine: object) -> list[str]:
    caps = engine.capabilities
    return [
        f"{type(engine).__name__}: {flag}={getattr(caps, flag)} but "
        f"{'has' if hasattr(engine, member) else 'lacks'} {member}"
        for flag, member in CAPABILITY_MEMBERS.items()
        if getattr(caps, flag) != hasattr(engine, member)
    ]


def test_every_engine_class_is_checked() -> None:
    """A new engine class fails here until it has a sample in SAMPLES (and so is checked)."""
    assert engine_classes() == set(SAMPLES)
    assert set(CAPABILITY_MEMBERS) == {f.name for f in Capabilities.__dataclass_fields__.values()}


@pytest.mark.parametrize("cls", SAMPLES, ids=lambda cls: cls.__name__)
def test_an_engine_declares_exactly_what_its_methods_can_do(cls: type) -> None:
    assert "capabilities" in vars(cls), f"{cls.__name__} declares no capabilities"
    for build in SAMPLES[cls]:
        engine = build()
        if isinstance(engine, LazyEngine):  # checked below: its flags are the inner engine's
            members = {f: m for f, m in CAPABILITY_MEMBERS.items() if f != "spawns"}
            assert all(hasattr(engine, member) for member in members.values())
            assert not hasattr(engine, CAPABILITY_MEMBERS["spawns"])  # it never spawns
            continue
        assert _disagreements(engine) == []


def test_a_lazy_engine_can_do_what_the_engine_it_wraps_can() -> None:
    assert LazyEngine(LocalEngine()).capabilities == Capabilities(
        batched=True, lazy=True, prefix_budget=True
    )
    assert LazyEngine(_remote()).capabilities == Capabilities(lazy=True)  # no slots
    assert LazyEngine(ScriptedEngine({})).capabilities == Capabilities(lazy=True)
    for cls, builds in SAMPLES.items():  # every flag of every engine, whatever its name
        for build in builds if cls is not LazyEngine else []:
            inner = build()
            wrapped = dataclasses.replace(inner.capabilities, lazy=True, spawns=False)
            assert LazyEngine(inner).capabilities == wrapped, cls.__name__


@pytest.mark.parametrize("cls", STAND_INS, ids=lambda cls: cls.__name__)
def test_a_stand_in_declares_exactly_what_its_methods_can_do(cls: type) -> None:
    assert "capabilities" in vars(cls), f"{cls.__name__} declares no capabilities"
    caps = cls.capabilities
    for flag, member in CAPABILITY_MEMBERS.items():
        assert getattr(caps, flag) == hasattr(cls, member), f"{cls.__name__}: {flag}"


def test_a_disagreement_is_caught() -> None:
    class Claims(ScriptedEngine):
        capabilities = Capabilities(batched=True)  # but no classify_many

    class Hides(ScriptedEngine):
        def spawn(self) -> ScriptedEngine:  # but spawns is not declared
            return ScriptedEngine({})

    assert _disagreements(Claims({})) == ["Claims: batched=True but lacks classify_many"]
    assert _disagreements(Hides({})) == ["Hides: spawns=False but has spawn"]


def test_a_new_prefix_budget_reaches_the_local_engine_behind_the_lazy_one() -> None:
    engine = build_engine(BackendConfig(prefix_budget=5))
    apply_prefix_budget(engine, 7)
    assert isinstance(engine, LazyEngine) and engine.engine.prefix_budget == 7
    remote = build_engine(BackendConfig(kind="remote", remote=RemoteConfig(use_keyring=False)))
    apply_prefix_budget(remote, 7)  # a server has no saved prefixes: nothing to change


def test_a_lazy_engine_that_cannot_batch_runs_parallel_cases_one_at_a_time(
    tiny_model: Path, tmp_path: Path
) -> None:
    """Asked for 3 cases at a time, a lazy engine over an engine without ``classify_many``
    runs them one after the other instead of failing."""
    inner = ScriptedEngine({"text 1": "1"})
    engine = LazyEngine(inner)
    engine.load(EngineSettings(model_path=str(tiny_model)))
    cases = [TestCase(f"c{i}", f"text {i}", "0") for i in range(3)]
    store = Store(tmp_path / "r.db")
    inputs = SuiteInputs(
        engine, parse_policy("# Instructions\nAnswer 0 or 1.\n"), cases, RunSettings(),
        store=store, model_fingerprint="m", template_hash="t", concurrency=3,
    )  # fmt: skip
    summary = run_suite(inputs, order="file")
    results = {r.case_id: r.label for r in store.results(summary.run_id)}
    store.close()
    assert [r.content for r in inner.requests] == ["text 0", "text 1", "text 2"]
    assert results == {"c0": "0", "c1": "1", "c2": "0"}
