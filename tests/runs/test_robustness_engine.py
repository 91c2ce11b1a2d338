"""A robustness run on the real engine (llama.cpp on the tiny synthetic model, a grammar
forcing the answer shape): every variant gets a verdict through the one run pipeline, the
plain control never changes, the policy prefix is shared, and a cancelled run goes on from
the cache."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from app.core.cases import TestCase
from app.core.run_types import EngineSettings, RunSettings
from app.runs.backends.config import BackendConfig
from app.runs.pipeline.results import CaseStored
from app.runs.pipeline.selection import RunJob
from app.runs.pipeline.service import RunService
from app.runs.robustness import KIND, RobustnessJob, RobustnessStage, run_robustness
from app.store import Store
from tests.support.requests import GRAMMAR, POLICY

CASES = [
    TestCase("s1", "Buy cheap pills now at spam example", "1"),
    TestCase("s2", "Win a free prize, send your card number", "1"),
    TestCase("h1", "The bus leaves at nine tomorrow", "0"),
]


@pytest.fixture
def service(tiny_model: Path, tmp_path: Path):
    store = Store(tmp_path / "r.db")
    svc = RunService(store)
    yield svc
    svc.close()
    store.close()


def _job(tiny_model: Path, families=("plain", "leet", "zero_width")) -> RobustnessJob:
    settings = EngineSettings(model_path=str(tiny_model), n_ctx=4096, n_threads=2)
    run = RunSettings(max_tokens=48, date="2026-01-01", grammar=GRAMMAR, effort="low")
    base = RunJob(POLICY, CASES, run, BackendConfig("local", engine=settings),
                  cases_path="/tmp/engine.cases.jsonl")  # fmt: skip
    return RobustnessJob(base, tuple(families), variants=2)


def test_a_robustness_run_on_the_real_engine(service, tiny_model) -> None:
    stages = []
    outcome = run_robustness(service, _job(tiny_model), on_event=lambda e: stages.append(e))
    assert outcome.status == "finished", outcome.message
    assert [s for s in stages if isinstance(s, RobustnessStage)] == [
        RobustnessStage("clean", 3),
        RobustnessStage("variants", 15),  # plain makes one variant per case, not two
    ]
    store = service.store
    run = store.get_run(outcome.run_id)
    assert run.kind == KIND and run.cases_path.endswith("#robustness")
    results = store.results(outcome.run_id)
    assert len(results) == 15 and all(r.status == "ok" for r in results)
    assert all(f"robustness:{r.case_id.split('~')[1]}" in r.tags for r in results)
    report = outcome.report
    plain = report.family("plain")
    assert plain.cases == 3 and plain.changed == 0  # the same text: the same verdict
    for family in report.families:
        assert family.changed == family.evaded + family.false_alarms
        assert family.samples == (3 if family.family == "plain" else 6)
    # every variant that ran reused the policy prefix: only its own tokens were evaluated
    ran = [r for r in results if not r.cached]
    assert ran and all(r.reused_tokens > 0 for r in ran)
    assert all(r.evaluated_tokens < r.prompt_tokens for r in ran)


def test_cancelled_half_way_then_run_again(service, tiny_model) -> None:
    cancel = threading.Event()
    seen = {"variants": 0}

    def on_event(event: object) -> None:
        if isinstance(event, RobustnessStage) and event.stage == "variants":
            seen["variants"] = 1
        elif isinstance(event, CaseStored) and seen["variants"] and event.index >= 4:
            cancel.set()

    job = _job(tiny_model, ("leet", "spaced"))
    first = run_robustness(service, job, cancel=cancel, on_event=on_event)
    assert first.status == "cancelled" and "run it again" in first.message
    stored = len(service.store.results(first.run_id))
    assert 4 <= stored < 12
    second = run_robustness(service, job)
    assert second.status == "finished"
    again = service.store.results(second.run_id)
    assert len(again) == 12 and sum(r.cached for r in again) >= stored
