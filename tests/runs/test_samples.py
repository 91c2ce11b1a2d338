"""*Run ×k* on the real engine (tiny synthetic model): k samples per case with seeds
seed…seed+k-1, majority and agreement from the k answers, samples cached when k grows."""

from __future__ import annotations

from collections import Counter

from app.core.cases import TestCase
from app.runs.pipeline.inputs import SuiteInputs
from app.runs.pipeline.samples import SamplesSummary, run_samples
from app.runs.stored.analysis import case_samples, load_run_analysis
from app.runs.stored.policy import format_record
from app.scoring.outcome import prediction
from app.store import Store
from tests.support.requests import POLICY, request


def test_k_samples_give_majority_and_agreement_and_are_cached_per_seed(engine, tmp_path):
    store = Store(tmp_path / "r.db")
    cases = [TestCase(f"c{i}", f"sampled case number {i}", "1") for i in range(4)]
    run = request("x", "x", max_tokens=40).run
    inputs = SuiteInputs(
        engine, POLICY, cases, run, store=store, model_fingerprint="tiny", template_hash="t",
        cases_path="/t",
    )  # fmt: skip
    sent: list[list[str]] = []
    real = engine.classify_many

    def spy(requests, parallel):
        sent.append([r.case_id for r in requests])
        return real(requests, parallel)

    engine.classify_many = spy
    try:
        three = run_samples(inputs, 3)
    finally:
        del engine.classify_many
    assert (three.engine_runs, three.cached) == (12, 0)
    # one call, case-major: the 3 samples of a case go to the engine together
    assert sent == [[f"c{i}\x1f{j}" for i in range(4) for j in range(3)]]
    seeds = [seed for _, seed, _ in store.sample_runs(three.run_id)]
    assert seeds == [run.seed, run.seed + 1, run.seed + 2]
    assert [store.get_run(s.run_id).settings["seed"] for s in three.samples] == seeds
    recorded = {store.get_run(r).output_format for r in [three.run_id, *seeds_runs(three)]}
    assert recorded == {format_record(POLICY.output)}  # the majority and every sample

    five = run_samples(inputs, 5)
    assert (five.engine_runs, five.cached) == (8, 12)  # only seeds +3 and +4 ran

    majority = {r.case_id: r for r in store.results(five.run_id)}
    analysis = load_run_analysis(store, five.run_id)
    assert analysis.samples == 5 and store.get_run(five.run_id).settings["samples"] == 5
    for case in cases:
        answers = [prediction(r) for r in case_samples(store, five.run_id, case.id)]
        assert len(answers) == 5
        top, count = Counter(answers).most_common(1)[0]
        stability = five.stability[case.id]
        assert stability.agreement == count / 5 and answers.count(stability.majority) == count
        assert prediction(majority[case.id]) == stability.majority
        assert stability.unstable == (count < 4)
    assert analysis.stability_summary.cases == 4
    store.close()


def seeds_runs(summary: SamplesSummary) -> list[str]:
    return [sample.run_id for sample in summary.samples]
