"""Several cases decoded at once in parallel sequences of one context (real llama.cpp)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.cases import TestCase
from app.core.run_types import (
    Cancelled,
    Delta,
    EngineSettings,
    Failed,
    Finished,
    Started,
    terminal_case_id,
)
from app.core.verdict import VerdictStatus
from app.engine.local.engine import LocalEngine
from app.runs.pipeline.inputs import SuiteInputs
from app.runs.pipeline.suite import run_suite
from app.store import Store
from tests.support.requests import ENDLESS, POLICY, request


@pytest.fixture
def engine(tiny_model: Path):
    eng = LocalEngine(cancel_grace=3.0)
    eng.load(EngineSettings(model_path=str(tiny_model), n_ctx=8192, n_threads=2))
    yield eng
    eng.close()


def terminals(events: list) -> dict[str, object]:
    ends = [e for e in events if isinstance(e, (Finished, Failed, Cancelled))]
    ids = [terminal_case_id(e) for e in ends]
    assert len(ids) == len(set(ids))  # exactly one end per case
    return dict(zip(ids, ends, strict=True))


def test_cases_share_the_policy_prefix_and_each_ends_once(engine: LocalEngine) -> None:
    requests = [request(f"c{i}", f"case number {i} " * (i + 1)) for i in range(5)]
    events = list(engine.classify_many(requests, 3))
    ends = terminals(events)
    assert sorted(ends) == [f"c{i}" for i in range(5)]
    results = {case_id: end.result for case_id, end in ends.items()}
    assert all(r.verdict.status is VerdictStatus.OK for r in results.values())
    started = {e.case_id: e for e in events if isinstance(e, Started)}
    assert started["c0"].reused_tokens == 0
    shared = started["c1"].reused_tokens
    assert shared > 100 and all(started[f"c{i}"].reused_tokens == shared for i in range(1, 5))
    # the prompts are the ones the one-at-a-time path builds
    for i in range(5):
        single = [e for e in engine.classify(requests[i]) if isinstance(e, Finished)][0].result
        assert single.tokens.prompt == results[f"c{i}"].tokens.prompt
        assert results[f"c{i}"].tokens.evaluated == single.tokens.prompt - (shared if i else 0)
    # deltas of one case add up to its reasoning
    for case_id, result in results.items():
        text = "".join(
            e.text for e in events if isinstance(e, Delta) and e.case_id == case_id
            and e.channel == "analysis"
        )  # fmt: skip
        assert text == result.analysis


def test_a_case_that_does_not_fit_fails_alone(engine: LocalEngine) -> None:
    requests = [request("ok1", "short"), request("big", "word " * 9000), request("ok2", "fine")]
    ends = terminals(list(engine.classify_many(requests, 2)))
    assert isinstance(ends["big"], Failed) and ends["big"].kind == "context"
    assert isinstance(ends["ok1"], Finished) and isinstance(ends["ok2"], Finished)


def test_cancel_ends_every_case_and_the_engine_stays_usable(engine: LocalEngine) -> None:
    requests = [request(f"x{i}", "text", grammar=ENDLESS, max_tokens=6000) for i in range(4)]
    events = []
    for event in engine.classify_many(requests, 2):
        events.append(event)
        if isinstance(event, Delta):
            engine.cancel()
    ends = terminals(events)
    assert sorted(ends) == ["x0", "x1", "x2", "x3"]
    assert all(isinstance(end, Cancelled) for end in ends.values())
    assert engine.alive
    assert isinstance(list(engine.classify(request("y", "text")))[-1], Finished)


def test_a_suite_runs_in_parallel_sequences_and_is_cached(engine, tmp_path) -> None:
    cases = [TestCase(f"c{i}", f"suite case {i}", "1") for i in range(6)]
    store = Store(tmp_path / "r.db")
    run = request("x", "x").run
    inputs = SuiteInputs(
        engine, POLICY, cases, run, store=store, model_fingerprint="tiny", template_hash="t",
        concurrency=3,
    )  # fmt: skip
    first = run_suite(inputs, order="file")
    assert (first.done, first.cached, first.failed) == (6, 0, 0)
    assert {r.case_id for r in store.results(first.run_id)} == {c.id for c in cases}
    again = run_suite(inputs, order="file")
    assert again.cached == 6
    store.close()


def test_samples_of_one_case_evaluate_its_prompt_once(engine: LocalEngine) -> None:
    """k samples (seeds seed..seed+k-1) of the same prompt: one evaluation, copied."""
    one = terminals(list(engine.classify_many([request("s0", "one case", seed=7)], 1)))
    single = one["s0"].result.tokens
    samples = [request(f"s{k}", "one case", seed=7 + k) for k in range(5)]
    results = {i: e.result for i, e in terminals(list(engine.classify_many(samples, 5))).items()}
    assert sum(r.tokens.evaluated for r in results.values()) <= single.evaluated + 4
    assert all(r.tokens.prompt == single.prompt for r in results.values())
    assert sum(r.tokens.evaluated == 1 for r in results.values()) == 4  # the last token each
    # mixed in a suite, where prompts share only the policy: the copies come from the
    # sequence that evaluated the case
    mixed = [request(f"{c}{k}", f"case {c}", seed=k) for c in "ab" for k in range(3)]
    ends = terminals(list(engine.classify_many(mixed, 3)))
    counts = sorted(end.result.tokens.evaluated for end in ends.values())
    assert counts[:4] == [1, 1, 1, 1] and counts[4] > 1 and len(counts) == 6
    assert all(isinstance(end, Finished) for end in ends.values())


def test_new_cases_are_prefilled_in_the_decodes_of_running_ones(tiny_model: Path) -> None:
    from app.engine.local.batch import BatchDecoder
    from app.engine.local.runner import LlamaRunner

    runner = LlamaRunner(EngineSettings(model_path=str(tiny_model), n_ctx=2048, n_threads=2))
    decoder = BatchDecoder(runner, 2, step_tokens=16)
    decodes: list[list[tuple]] = []
    real = decoder._run_batch

    def recording(ctx, batch, entries: list[tuple]) -> None:
        decodes.append(entries)
        real(ctx, batch, entries)

    decoder._run_batch = recording
    contents = ["short", "a much longer case " * 6, "third case text " * 4]
    cases = [request(f"c{i}", text, max_tokens=24) for i, text in enumerate(contents)]
    ends = terminals(list(decoder.run(cases, lambda: False)))
    assert all(isinstance(end, Finished) for end in ends.values())
    assert max(len(entries) for entries in decodes) <= 16  # the per-step budget

    def mixes(entries: list[tuple]) -> bool:
        """One sequence's next token (alone, with logits) beside another's prompt chunk."""
        per_seq: dict[int, list[bool]] = {}
        for _, _, seq, logits in entries:
            per_seq.setdefault(seq, []).append(logits)
        return any(flags == [True] for flags in per_seq.values()) and any(
            len(flags) > 1 for flags in per_seq.values()
        )

    mixed = [entries for entries in decodes if mixes(entries)]
    assert mixed
    # every case's counts and events as when run alone
    for case in cases:
        alone = [e for e in runner.classify(case, lambda: False) if isinstance(e, Finished)][0]
        result = ends[case.case_id].result
        assert result.tokens.prompt == alone.result.tokens.prompt
        if result.analysis == alone.result.analysis:
            assert result.tokens.generated == alone.result.tokens.generated
    runner.llm.close()
