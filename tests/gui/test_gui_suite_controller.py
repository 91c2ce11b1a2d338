"""SuiteController: batch runs on a worker thread with the scripted fake engine."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from app.core.cases import TestCase  # noqa: E402
from app.core.policy import parse_policy  # noqa: E402
from app.core.run_types import EngineSettings, RunSettings
from app.core.store import Store  # noqa: E402
from app.gui.running.suite_controller import SuiteController  # noqa: E402
from app.gui.running.suite_request import SuiteRequest  # noqa: E402
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
    controller = SuiteController(store, factory)
    yield controller, store, factory, model
    controller.shutdown()
    assert not controller.thread_running()
    store.close()


def _request(model, **changes) -> SuiteRequest:
    cases = [TestCase(i, c, e, tags=["t1" if i < "c" else "t2"]) for i, c, e in CONTENTS]
    values = dict(
        policy=parse_policy(SAMPLE_POLICY),
        cases=cases,
        run=RunSettings(),
        engine=EngineSettings(model_path=str(model)),
        cases_path="/tmp/cases.jsonl",
    )
    values.update(changes)
    return SuiteRequest(**values)


def _run(qtbot, controller, request, timeout=10000):
    stored, deltas, started = [], [], []
    controller.caseStored.connect(lambda r, i, t, cached, eta: stored.append((r, i, t, cached)))
    controller.deltaReceived.connect(lambda cid, ch, text: deltas.append(cid))
    controller.suiteStarted.connect(lambda run_id, total: started.append((run_id, total)))
    with qtbot.waitSignal(controller.suiteEnded, timeout=timeout) as blocker:
        assert controller.start(request)
    return blocker.args[0], stored, deltas, started


def test_run_stores_results_and_rerun_is_cached(qtbot, setup):
    controller, store, _factory, model = setup
    outcome, stored, deltas, started = _run(qtbot, controller, _request(model))
    assert outcome.status == "finished"
    assert started == [(outcome.run_id, 5)]
    assert len(stored) == 5 and not any(cached for *_rest, cached in stored)
    assert deltas, "engine deltas are forwarded"
    assert {r.case_id for r in store.results(outcome.run_id)} == {"a", "b", "c", "d", "e"}

    again, stored2, deltas2, _ = _run(qtbot, controller, _request(model))
    assert again.status == "finished" and again.run_id != outcome.run_id
    assert len(stored2) == 5 and all(cached for *_rest, cached in stored2)
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
    controller.caseStored.connect(lambda r, *_: first.append(r.case_id))
    controller.caseStored.connect(lambda *_: controller.cancel())
    with qtbot.waitSignal(controller.suiteEnded, timeout=10000) as blocker:
        controller.start(_request(model, failed_first=False))
    outcome = blocker.args[0]
    assert outcome.status == "cancelled"
    assert store.get_run(outcome.run_id).status == "cancelled"
    kept = store.done_case_ids(outcome.run_id)
    assert 1 <= len(kept) < 5
    controller.caseStored.disconnect()
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
