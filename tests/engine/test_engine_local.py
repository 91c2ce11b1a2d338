"""The local engine: real llama.cpp on the synthetic gpt-oss model, in its child process."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest

from app.core.errors import EngineError
from app.core.run_types import (
    Cancelled,
    ClassifyRequest,
    Delta,
    EngineSettings,
    Failed,
    Finished,
    Started,
)
from app.core.verdict import VerdictStatus
from app.engine.local.engine import LocalEngine
from tests.support.requests import ENDLESS, request

LONG_ANALYSIS = 'root ::= <|channel|> "analysis" <|message|> [a-z ]{200,220} <|end|>'


@pytest.fixture
def engine(tiny_model: Path):
    eng = LocalEngine(cancel_grace=3.0)
    eng.load(EngineSettings(model_path=str(tiny_model), n_ctx=8192, n_threads=2))
    yield eng
    eng.close()
    assert not eng.alive


def run(engine: LocalEngine, req: ClassifyRequest) -> list:
    events = list(engine.classify(req))
    assert sum(isinstance(e, (Finished, Failed, Cancelled)) for e in events) == 1
    return events


def test_classification_streams_and_returns_a_verdict(engine: LocalEngine) -> None:
    events = run(engine, request("c1", "Cheap watches, click now"))
    assert isinstance(events[0], Started)
    deltas = [e for e in events if isinstance(e, Delta)]
    assert {d.channel for d in deltas} == {"analysis", "final"}
    result = events[-1].result
    assert result.case_id == "c1"
    assert result.verdict.status is VerdictStatus.OK
    assert result.verdict.label in ("0", "1")
    assert result.verdict.violates == (result.verdict.label == "1")
    assert result.analysis == "".join(d.text for d in deltas if d.channel == "analysis")
    assert result.tokens.prompt == result.tokens.evaluated + result.tokens.reused > 50
    assert result.tokens.generated > 5
    assert result.stop_reason in ("return", "call", "endoftext")


def test_policy_prefix_is_evaluated_once(engine: LocalEngine) -> None:
    first = run(engine, request("a", "first case text"))[-1].result
    second = run(engine, request("b", "a different second case"))[-1].result
    assert first.tokens.reused == 0
    # everything up to the user's content is reused; only the case and scaffold tail run
    assert second.tokens.reused > 0.8 * first.tokens.prompt
    assert second.tokens.evaluated < 20


def test_same_request_is_reproducible(engine: LocalEngine) -> None:
    first = run(engine, request("a", "same text"))[-1].result
    run(engine, request("b", "something else in between"))
    again = run(engine, request("a", "same text"))[-1].result
    assert (again.analysis, again.final) == (first.analysis, first.final)


def test_budget_spent_in_reasoning_is_no_verdict(engine: LocalEngine) -> None:
    result = run(engine, request("c", "text", grammar=LONG_ANALYSIS, max_tokens=12))[-1].result
    assert result.stop_reason == "budget"
    assert result.verdict.status is VerdictStatus.NO_VERDICT
    assert result.verdict.violates is None


def test_content_that_does_not_fit_is_refused_with_a_message(engine: LocalEngine) -> None:
    events = run(engine, request("big", "word " * 9000))
    assert isinstance(events[-1], Failed) and events[-1].kind == "context"
    assert "context size" in events[-1].message


def test_killed_child_is_an_error_and_the_next_run_works(engine: LocalEngine) -> None:
    first_pid = engine.pid
    events = []
    for event in engine.classify(request("k", "text", grammar=ENDLESS, max_tokens=6000)):
        events.append(event)
        if isinstance(event, Delta):
            os.kill(first_pid, signal.SIGKILL)
    assert isinstance(events[-1], Failed) and events[-1].kind == "crash"
    assert "SIGKILL" in events[-1].message
    result = run(engine, request("next", "text"))[-1].result
    assert result.verdict.status is VerdictStatus.OK
    assert engine.pid != first_pid


def test_hung_child_is_reported_and_replaced(engine: LocalEngine) -> None:
    engine.hang_timeout = 1.0
    pid = engine.pid
    os.kill(pid, signal.SIGSTOP)  # frozen: neither answers nor exits
    events = run(engine, request("h", "text"))
    assert isinstance(events[-1], Failed) and events[-1].kind == "timeout"
    assert not engine.alive
    engine.hang_timeout = 60.0
    assert isinstance(run(engine, request("n", "text"))[-1], Finished)


def test_cancel_stops_between_tokens(engine: LocalEngine) -> None:
    events = []
    for event in engine.classify(request("x", "text", grammar=ENDLESS, max_tokens=6000)):
        events.append(event)
        if isinstance(event, Delta):
            engine.cancel()
    assert isinstance(events[-1], Cancelled)
    assert engine.alive  # a cancel between tokens needs no restart
    assert isinstance(run(engine, request("y", "text"))[-1], Finished)


def test_a_cancel_the_child_does_not_honour_restarts_it(engine: LocalEngine) -> None:
    """A child that cannot see the cancel (as in a long prompt evaluation; here: frozen) is
    killed once the grace has passed, the case ends Cancelled, the next one runs."""
    engine.cancel_grace = 0.5
    os.kill(engine.pid, signal.SIGSTOP)
    events = engine.classify(request("c", "text"))
    first = threading.Timer(1.0, engine.cancel)  # once the case was sent (at the first next)
    first.start()
    assert list(events) == [Cancelled("c")]
    first.join()
    assert not engine.alive
    assert isinstance(run(engine, request("after", "text"))[-1], Finished)


def test_truncated_model_is_refused_before_llama_cpp(tiny_model: Path, tmp_path: Path) -> None:
    broken = tmp_path / "truncated.gguf"
    broken.write_bytes(tiny_model.read_bytes()[: tiny_model.stat().st_size // 2])
    with LocalEngine() as eng, pytest.raises(EngineError, match="truncated"):
        eng.load(EngineSettings(model_path=str(broken), n_ctx=512))
    assert not eng.alive  # no child process was started for it


def test_llama_cpp_load_failure_gives_its_own_reason(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.engine.local.runner import LlamaRunner
    from app.library.hardware import GpuPlan

    # Our header check would refuse this file first; skip it so llama.cpp itself fails.
    monkeypatch.setattr(LlamaRunner, "_plan_gpu_layers", lambda self, path: GpuPlan(0, "test"))
    broken = tmp_path / "truncated.gguf"
    broken.write_bytes(tiny_model.read_bytes()[: tiny_model.stat().st_size // 2])
    with pytest.raises(EngineError) as info:
        LlamaRunner(EngineSettings(model_path=str(broken), n_ctx=512))
    message = str(info.value)
    assert "llama.cpp could not load truncated.gguf" in message
    assert "not within the file bounds" in message  # llama.cpp's own words, from its log


def test_classify_without_a_model_fails_cleanly() -> None:
    eng = LocalEngine()
    events = list(eng.classify(request("z", "text")))
    assert len(events) == 1 and isinstance(events[0], Failed)


def test_failed_gpu_load_falls_back_to_cpu_and_says_so(
    tiny_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.engine.local.runner import LlamaRunner
    from app.library.hardware import GpuPlan

    real_load = LlamaRunner._load
    tried: list[int] = []

    def load(self, n_gpu_layers: int):
        tried.append(n_gpu_layers)
        if n_gpu_layers != 0:
            raise ValueError("simulated: out of GPU memory")
        return real_load(self, n_gpu_layers)

    monkeypatch.setattr(LlamaRunner, "_plan_gpu_layers", lambda self, path: GpuPlan(-1, "all"))
    monkeypatch.setattr(LlamaRunner, "_load", load)
    runner = LlamaRunner(EngineSettings(model_path=str(tiny_model), n_ctx=512))
    info = runner.info()
    assert tried == [-1, 0]
    assert info.n_gpu_layers == 0
    assert "runs on the CPU" in info.placement and "out of GPU memory" in info.placement
    runner.llm.close()


def test_a_policy_is_tokenized_once_for_all_its_cases(tiny_model: Path) -> None:
    from dataclasses import replace

    from app.engine.local.runner import LlamaRunner

    runner = LlamaRunner(EngineSettings(model_path=str(tiny_model), n_ctx=512))
    calls: list[bytes] = []
    real = runner.tokenize

    def counting(text: bytes, special: bool) -> list[int]:
        calls.append(text)
        return real(text, special)

    runner.tokenize = counting
    first_request = request("a", "the first case")
    policy = first_request.policy.encode()[:40]
    first = runner.prompt(first_request)
    assert any(policy in text for text in calls)
    calls.clear()
    second = runner.prompt(request("b", "the second case"))
    assert not any(policy in text for text in calls)  # only the case's own segments
    assert second.tokens[: second.prefix] == first.tokens[: first.prefix]
    calls.clear()
    other = runner.prompt(replace(first_request, policy="Another policy entirely. " * 5))
    assert any(b"Another policy" in text for text in calls)  # a new policy is tokenized
    assert other.tokens[: other.prefix] != first.tokens[: first.prefix]
    runner.llm.close()
