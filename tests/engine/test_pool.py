"""run_concurrent: several requests in flight, one engine per thread (scripted engines: the
real engines' concurrent runs are in test_remote_engine.py)."""

from __future__ import annotations

import threading

from app.core.errors import EngineError
from app.core.run_types import Cancelled, Failed, Finished, Started
from app.engine.pool import run_concurrent
from tests.support.requests import request
from tests.support.scripted_engine import ScriptedEngine


def test_every_request_ends_once_in_order_and_engines_close() -> None:
    built: list[ScriptedEngine] = []

    def factory() -> ScriptedEngine:
        built.append(ScriptedEngine({"b": "1"}))
        return built[-1]

    seen: list[object] = []
    requests = [request(f"c{i}", text) for i, text in enumerate("abcde")]
    results = run_concurrent(factory, requests, 3, seen.append)
    assert [r.result.case_id for r in results] == ["c0", "c1", "c2", "c3", "c4"]
    assert [r.result.verdict.label for r in results] == ["0", "1", "0", "0", "0"]
    assert sum(isinstance(e, Started) for e in seen) == 5
    assert sum(isinstance(e, Finished) for e in seen) == 5
    assert len(built) == 3 and all(engine.closed for engine in built)
    assert sum(len(engine.requests) for engine in built) == 5  # each request ran once


def test_an_engine_that_cannot_load_leaves_its_share_to_the_others() -> None:
    calls = []

    def factory() -> ScriptedEngine:
        calls.append(1)
        if len(calls) == 1:
            raise EngineError("The model file is gone; choose another.")
        return ScriptedEngine({})

    results = run_concurrent(factory, [request(f"c{i}", "x") for i in range(4)], 2)
    assert all(isinstance(r, Finished) for r in results)


def test_no_engine_loads_every_request_fails_with_the_reason() -> None:
    def factory() -> ScriptedEngine:
        raise EngineError("The model file is gone; choose another.")

    results = run_concurrent(factory, [request("c0", "x"), request("c1", "y")], 2)
    assert results == [
        Failed("c0", "The model file is gone; choose another.", "load"),
        Failed("c1", "The model file is gone; choose another.", "load"),
    ]


def test_stop_cancels_the_running_request_and_skips_the_rest() -> None:
    stop = threading.Event()
    engine = ScriptedEngine({"hang": "!hang"})

    def on_event(event: object) -> None:
        if isinstance(event, Started):
            stop.set()  # the watcher cancels the engine in use

    requests = [request("c0", "hang"), request("c1", "x"), request("c2", "y")]
    results = run_concurrent(lambda: engine, requests, 1, on_event, stop)
    assert results == [Cancelled("c0"), Cancelled("c1"), Cancelled("c2")]
    assert [r.case_id for r in engine.requests] == ["c0"]  # the others never started
