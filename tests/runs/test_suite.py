"""The suite runner against a scripted fake engine: cache, errors, cancel, kill and resume."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from app.core.cases import TestCase
from app.core.policy import parse_policy
from app.core.run_types import (
    Delta,
    RunSettings,
)
from app.engine.protocol import Engine
from app.runs.pipeline.inputs import SuiteInputs
from app.runs.pipeline.suite import CaseStored, SuiteEnded, SuiteStarted, run_suite
from tests.support.scripted_engine import ScriptedEngine

ROOT = Path(__file__).resolve().parents[2]
POLICY_TEXT = "---\nname: Spam\nformat: binary\n---\n# Spam\nSP1 Bulk promotion violates.\n"


def make_cases(n: int = 6) -> list[TestCase]:
    return [TestCase(f"c{i}", f"content {i}", "1" if i % 2 else "0") for i in range(1, n + 1)]


def _run(engine, store, cases, *, order="file", resume_run_id=None, **kw):
    settings = kw.pop("settings", RunSettings())
    inputs = SuiteInputs(
        engine, parse_policy(POLICY_TEXT), cases, settings, store=store,
        model_fingerprint="fake-model", template_hash="tmpl", **kw,
    )  # fmt: skip
    return run_suite(inputs, order=order, resume_run_id=resume_run_id)


def test_protocol_conformance():
    assert isinstance(ScriptedEngine({}), Engine)


def test_full_run_stores_each_result_and_errors_are_errors(store):
    engine = ScriptedEngine({"content 2": "!fail", "content 3": "!none", "content 5": "1"})
    events: list[object] = []
    summary = _run(engine, store, make_cases(), on_event=events.append)
    assert (summary.total, summary.done, summary.cached, summary.failed) == (6, 6, 0, 1)
    assert not summary.cancelled
    assert engine.requests[0].policy.startswith("# Spam") and "---" not in engine.requests[0].policy
    assert engine.requests[0].output.kind == "binary"
    results = {r.case_id: r for r in store.results(summary.run_id)}
    assert results["c2"].status == "error" and results["c2"].violates is None
    assert results["c2"].label is None and "crashed" in results["c2"].message
    assert results["c3"].status == "no_verdict" and results["c3"].violates is None
    assert results["c5"].label == "1" and results["c5"].violates is True  # from the format
    assert results["c1"].violates is False and results["c1"].content == "content 1"
    assert store.get_run(summary.run_id).status == "finished"
    assert isinstance(events[0], SuiteStarted) and isinstance(events[-1], SuiteEnded)
    stored = [e for e in events if isinstance(e, CaseStored)]
    assert [e.index for e in stored] == [1, 2, 3, 4, 5, 6] and stored[-1].eta_s == 0.0
    assert any(isinstance(e, Delta) for e in events)


def test_rerun_is_cached_except_errors_and_settings_change_misses(store):
    cases = make_cases()
    _run(ScriptedEngine({"content 2": "!fail"}), store, cases)
    again = ScriptedEngine({})
    summary = _run(again, store, cases)
    assert [r.case_id for r in again.requests] == ["c2"]  # only the error is retried
    assert (summary.done, summary.cached) == (6, 5)
    cached = {r.case_id: r.cached for r in store.results(summary.run_id)}
    assert cached == {"c1": True, "c2": False, "c3": True, "c4": True, "c5": True, "c6": True}
    other = ScriptedEngine({})
    _run(other, store, cases, settings=RunSettings(seed=7))
    assert len(other.requests) == 6


def test_exception_part_way_keeps_results_and_resume_does_not_duplicate(store):
    cases = make_cases()
    with pytest.raises(RuntimeError, match="blew up"):
        _run(ScriptedEngine({"content 4": "!raise"}), store, cases)
    (run,) = store.list_runs()
    assert run.status == "failed"
    assert [r.case_id for r in store.results(run.id)] == ["c1", "c2", "c3"]
    engine = ScriptedEngine({})
    summary = _run(engine, store, cases, resume_run_id=run.id)
    assert summary.run_id == run.id and summary.resumed == 3 and summary.done == 3
    assert [r.case_id for r in engine.requests] == ["c4", "c5", "c6"]
    assert sorted(r.case_id for r in store.results(run.id)) == [c.id for c in cases]
    assert store.get_run(run.id).status == "finished"


def test_killed_process_keeps_results_up_to_the_kill(tmp_path, store):
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from tests.runs.test_suite import make_cases, _run
        from tests.support.scripted_engine import ScriptedEngine
        from app.store import Store
        store = Store({str(store.path)!r})
        _run(ScriptedEngine({{"content 4": "!exit"}}), store, make_cases())
        """
    )
    env = dict(os.environ, SAFEGUARD_DATA_DIR=str(tmp_path / "data"))
    proc = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, timeout=120)
    assert proc.returncode == 9
    (run,) = store.list_runs()
    assert run.status == "interrupted"  # its process is gone: not left "running"
    assert [r.case_id for r in store.results(run.id)] == ["c1", "c2", "c3"]
    engine = ScriptedEngine({})
    summary = _run(engine, store, make_cases(), resume_run_id=run.id)
    assert [r.case_id for r in engine.requests] == ["c4", "c5", "c6"]
    assert summary.resumed == 3
    assert len(store.results(run.id)) == 6


def test_cancel_mid_case_calls_engine_cancel_and_loses_only_that_case(store):
    cancel = threading.Event()
    engine = ScriptedEngine({"content 3": "!hang"})

    def on_event(event: object) -> None:
        if isinstance(event, Delta) and event.case_id == "c3":
            cancel.set()

    summary = _run(engine, store, make_cases(), cancel=cancel, on_event=on_event)
    assert summary.cancelled and summary.done == 2
    assert engine.cancel_calls == 1
    assert store.get_run(summary.run_id).status == "cancelled"
    assert [r.case_id for r in store.results(summary.run_id)] == ["c1", "c2"]
    resumed = _run(ScriptedEngine({}), store, make_cases(), resume_run_id=summary.run_id)
    assert resumed.done == 4 and len(store.results(summary.run_id)) == 6


def test_cancel_before_start_runs_nothing(store):
    cancel = threading.Event()
    cancel.set()
    engine = ScriptedEngine({})
    summary = _run(engine, store, make_cases(), cancel=cancel)
    assert summary.cancelled and summary.done == 0 and engine.requests == []


def test_failed_first_order_uses_the_previous_run_of_the_same_test_set(store):
    cases = make_cases()
    first = ScriptedEngine({"content 1": "1", "content 3": "0", "content 5": "1", "content 6": "1"})
    _run(first, store, cases, cases_path="set")  # c3 and c6 wrong
    engine = ScriptedEngine({})
    _run(engine, store, cases, cases_path="set", order="failed-first", settings=RunSettings(seed=2))  # fmt: skip
    assert [r.case_id for r in engine.requests] == ["c3", "c6", "c1", "c2", "c4", "c5"]


def test_resume_refuses_another_policy_or_settings(store):
    summary = _run(ScriptedEngine({}), store, make_cases(2))
    with pytest.raises(ValueError, match="other settings"):
        _run(ScriptedEngine({}), store, make_cases(2), resume_run_id=summary.run_id,
             settings=RunSettings(effort="high"))  # fmt: skip
    with pytest.raises(ValueError, match="no run"):
        _run(ScriptedEngine({}), store, make_cases(2), resume_run_id="missing")


def test_same_content_twice_in_one_set_runs_once(store):
    cases = make_cases(3) + [TestCase("dup", "content 2", "0")]
    engine = ScriptedEngine({})
    events: list[object] = []
    summary = _run(engine, store, cases, on_event=events.append)
    assert [r.case_id for r in engine.requests] == ["c1", "c2", "c3"]
    assert (summary.done, summary.cached) == (4, 1)
    stored = [e for e in events if isinstance(e, CaseStored)]
    assert [(e.result.case_id, e.cached) for e in stored][-1] == ("dup", True)
    dup = {r.case_id: r for r in store.results(summary.run_id)}["dup"]
    assert dup.cached and dup.label == "0" and dup.run_id == summary.run_id


def test_parallel_run_stores_every_case_once_and_reuses_the_cache(store):
    cases = make_cases(9)
    _run(ScriptedEngine({}), store, cases[:3])  # three already in the cache
    engines: list[ScriptedEngine] = []

    def factory() -> ScriptedEngine:
        engines.append(ScriptedEngine({"content 5": "!fail", "content 7": "1"}))
        return engines[-1]

    events: list[object] = []
    summary = _run(
        ScriptedEngine({}), store, cases, concurrency=3, engine_factory=factory,
        on_event=events.append,
    )  # fmt: skip
    assert (summary.done, summary.cached, summary.failed) == (9, 3, 1)
    assert len(engines) == 3 and all(engine.closed for engine in engines)
    ran = sorted(r.case_id for engine in engines for r in engine.requests)
    assert ran == ["c4", "c5", "c6", "c7", "c8", "c9"]
    results = {r.case_id: r for r in store.results(summary.run_id)}
    assert len(results) == 9 and results["c5"].status == "error" and results["c7"].label == "1"
    stored = [e for e in events if isinstance(e, CaseStored)]
    assert sorted(e.index for e in stored) == list(range(1, 10))


def test_parallel_run_can_be_cancelled(store):
    cancel = threading.Event()

    def factory() -> ScriptedEngine:
        return ScriptedEngine({}, default="!hang")

    timer = threading.Timer(0.2, cancel.set)
    timer.start()
    summary = _run(
        ScriptedEngine({}), store, make_cases(6), concurrency=2, engine_factory=factory,
        cancel=cancel,
    )  # fmt: skip
    timer.join()
    assert summary.cancelled and summary.done == 0
    assert store.get_run(summary.run_id).status == "cancelled"


def test_a_crash_gets_one_more_try_and_a_second_crash_names_the_input(store):
    engine = ScriptedEngine({"content 2": "!fail"})  # crashes every time it is tried
    summary = _run(engine, store, make_cases())
    assert not summary.cancelled and summary.done == 6 and summary.failed == 1
    assert [r.content for r in engine.requests].count("content 2") == 2
    results = {r.case_id: r for r in store.results(summary.run_id)}
    assert "crashed twice on this case's input" in results["c2"].message
    assert all(results[f"c{i}"].status == "ok" for i in (1, 4, 5, 6))


class _Silent(ScriptedEngine):
    """Ends the stream of one content without a terminal event (a broken engine)."""

    def classify(self, request):
        if request.content == "content 3":
            return iter(())
        return super().classify(request)


def test_an_engine_that_ends_silently_is_an_error_case_and_the_run_goes_on(store):
    engine = _Silent({})
    summary = _run(engine, store, make_cases(4))
    assert not summary.cancelled and (summary.done, summary.failed) == (4, 1)
    results = {r.case_id: r for r in store.results(summary.run_id)}
    assert results["c3"].status == "error" and "The engine gave no result." in results["c3"].message
    assert results["c4"].status == "ok" and store.get_run(summary.run_id).status == "finished"
