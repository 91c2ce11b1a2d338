"""EngineController: runs on its one worker thread with the scripted fake engine."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from app.core.cases import TestCase  # noqa: E402
from app.core.policy import parse_policy  # noqa: E402
from app.core.run_types import EngineSettings, RunSettings
from app.gui.running.engine_controller import EngineController  # noqa: E402
from app.runs.backends.config import BackendConfig  # noqa: E402
from app.runs.pipeline.selection import RunJob  # noqa: E402
from app.store import Store  # noqa: E402
from tests.support.fake_engine import (  # noqa: E402
    SAMPLE_POLICY,
    FakeEngineFactory,
    FakeScript,
)

CONTENTS = [
    ("a", "Pay the $2 fee to release your parcel", "1"),
    ("b", "Lovely weather for a picnic today", "0"),
    ("c", "Send me your password to verify the account", "1"),
    ("d", "Our bake sale is on Saturday", "1"),  # the fake says 0: wrong
    ("e", "Guaranteed returns, wire the money now", "1"),
]


@pytest.fixture
def setup(tmp_path, qtbot):
    store = Store(tmp_path / "results.sqlite3")
    model = tmp_path / "fake.gguf"
    model.write_bytes(b"GGUF" + bytes(60))
    factory = FakeEngineFactory(FakeScript(delay=0.0005))
    controller = EngineController(store, factory)
    yield controller, store, factory, model
    controller.shutdown()
    assert not controller.thread_running()
    store.close()


def _request(model, **changes) -> RunJob:
    cases = [TestCase(i, c, e, tags=["t1" if i < "c" else "t2"]) for i, c, e in CONTENTS]
    values = dict(
        policy=parse_policy(SAMPLE_POLICY),
        cases=cases,
        run=RunSettings(),
        backend=BackendConfig(engine=EngineSettings(model_path=str(model))),
        cases_path="/tmp/cases.jsonl",
    )
    values.update(changes)
    return RunJob(**values)


def _run(qtbot, controller, request, timeout=10000):
    stored, deltas, started = [], [], []
    controller.casesStored.connect(lambda rs: stored.extend((r, r.cached) for r in rs))
    controller.deltaReceived.connect(lambda cid, ch, text: deltas.append(cid))
    controller.runStarted.connect(lambda run_id, total: started.append((run_id, total)))
    with qtbot.waitSignal(controller.runEnded, timeout=timeout) as blocker:
        assert controller.start(request)
    return blocker.args[0], stored, deltas, started


def test_run_stores_results_and_rerun_is_cached(qtbot, setup):
    controller, store, _factory, model = setup
    outcome, stored, deltas, started = _run(qtbot, controller, _request(model))
    assert outcome.status == "finished"
    assert started == [(outcome.run_id, 5)]
    assert len(stored) == 5 and not any(cached for _r, cached in stored)
    assert deltas, "engine deltas are forwarded"
    assert {r.case_id for r in store.results(outcome.run_id)} == {"a", "b", "c", "d", "e"}

    again, stored2, deltas2, _ = _run(qtbot, controller, _request(model))
    assert again.status == "finished" and again.run_id != outcome.run_id
    assert len(stored2) == 5 and all(cached for _r, cached in stored2)
    assert deltas2 == []
    assert again.summary.cached == 5


def test_failed_and_changed_selections(qtbot, setup):
    controller, _store, _factory, model = setup
    _run(qtbot, controller, _request(model))
    outcome, stored, _, _ = _run(qtbot, controller, _request(model, selection="failed"))
    assert [r.case_id for r, *_ in stored] == ["d"]
    request = _request(model, selection="changed")
    request.cases[1].content = "A new picnic text"
    outcome, stored, _, _ = _run(qtbot, controller, request)
    assert [r.case_id for r, *_ in stored] == ["b"]
    outcome, stored, _, _ = _run(
        qtbot, controller, _request(model, selection="selected", selected_ids=("a", "e"))
    )
    assert sorted(r.case_id for r, *_ in stored) == ["a", "e"]


def test_cancel_ends_cancelled_and_resume_finishes(qtbot, setup):
    controller, store, factory, model = setup
    factory.script.delay = 0.01
    first = []
    controller.casesStored.connect(lambda rs: first.extend(r.case_id for r in rs))
    controller.casesStored.connect(lambda _rs: controller.cancel())
    with qtbot.waitSignal(controller.runEnded, timeout=10000) as blocker:
        controller.start(_request(model, failed_first=False))
    outcome = blocker.args[0]
    assert outcome.status == "cancelled"
    assert store.get_run(outcome.run_id).status == "cancelled"
    kept = store.done_case_ids(outcome.run_id)
    assert 1 <= len(kept) < 5
    controller.casesStored.disconnect()
    factory.script.delay = 0.0005
    resumed, stored, _, _ = _run(
        qtbot, controller, _request(model, resume_run_id=outcome.run_id, failed_first=False)
    )
    assert resumed.status == "finished" and resumed.run_id == outcome.run_id
    assert len(store.results(outcome.run_id)) == 5
    assert not kept & {r.case_id for r, *_ in stored}


def test_load_failure_ends_failed(qtbot, setup):
    controller, _store, factory, model = setup
    factory.script.fail_load = "That file is not a gpt-oss model; choose another."
    outcome, stored, _, _ = _run(qtbot, controller, _request(model))
    assert outcome.status == "failed" and "gpt-oss" in outcome.message
    assert stored == []
    assert not controller.is_busy()


def test_run_x5_progress_counts_every_case_sample_in_one_total(qtbot, setup):
    """Run ×5 (one sample run after another on the fake engine): the bar's total is cases ×
    5 from the start, the count climbs to it and never passes it (it read "0 / 5" with a
    count past the maximum, which QProgressBar ignores)."""
    controller, _store, _factory, model = setup
    seen: list[tuple[int, int, float]] = []
    controller.progress.connect(lambda done, total, eta: seen.append((done, total, eta)))
    outcome, _stored, _deltas, started = _run(qtbot, controller, _request(model, samples=5))
    assert outcome.status == "finished"
    assert [total for _run_id, total in started] == [25]
    assert {total for _done, total, _eta in seen} == {25}
    counts = [done for done, _total, _eta in seen]
    assert counts == sorted(counts) and counts[0] == 0 and counts[-1] == 25
    assert len(set(counts)) > 5  # it moves through the run, not only at the end
    assert seen[-1][2] == 0.0
