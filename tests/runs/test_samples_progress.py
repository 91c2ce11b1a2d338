"""*Run ×k* progress on the real engine (tiny synthetic model): one SuiteStarted with total =
cases × k, every (case, sample) counted once on one running count (cached samples too), an
ETA over the whole run, and the majority rows at the full count — in the batched path
(``classify_many``) and in the one-sample-run-after-the-other path (an engine factory)."""

from __future__ import annotations

from app.core.cases import TestCase
from app.runs.pipeline.inputs import SuiteInputs
from app.runs.pipeline.results import CaseStored, SuiteStarted
from app.runs.pipeline.samples import run_samples
from app.store import Store
from tests.support.requests import POLICY, request

CASES = [TestCase(f"c{i}", f"counted case number {i}", "1") for i in range(3)]


def _run(engine, store, k, **extra):
    events: list[object] = []
    run = request("x", "x", max_tokens=24).run
    inputs = SuiteInputs(
        engine, POLICY, CASES, run, store=store, model_fingerprint="tiny", template_hash="t",
        cases_path="/t", on_event=events.append, **extra,
    )  # fmt: skip
    run_samples(inputs, k)
    return events


def _check_one_count(events, k, engine_run):
    total = len(CASES) * k
    assert [e.total for e in events if isinstance(e, SuiteStarted)] == [total]
    stored = [e for e in events if isinstance(e, CaseStored)]
    samples, majority = stored[:total], stored[total:]
    assert [e.index for e in samples] == list(range(1, total + 1))
    assert all(e.total == total for e in stored)
    assert sum(not e.cached for e in samples) == engine_run
    assert len(majority) == len(CASES) and all(e.index == total for e in majority)
    etas = [e.eta_s for e in samples if not e.cached]
    assert all(eta is not None and eta >= 0 for eta in etas)
    assert samples[-1].eta_s == 0.0


def test_batched_samples_count_every_case_sample_in_one_total(engine, tmp_path):
    store = Store(tmp_path / "r.db")
    _check_one_count(_run(engine, store, 2), 2, engine_run=6)
    # k = 3 after k = 2: six samples come from the cache and still count
    _check_one_count(_run(engine, store, 3), 3, engine_run=3)
    store.close()


def test_serial_samples_are_one_run_to_the_listener(engine, tmp_path):
    store = Store(tmp_path / "r.db")
    events = _run(engine, store, 3, engine_factory=lambda: engine)
    _check_one_count(events, 3, engine_run=9)
    store.close()
