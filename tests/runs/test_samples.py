"""*Run ×k* on the real engine (tiny synthetic model): k samples per case with seeds
seed…seed+k-1, majority and agreement from the k answers, samples cached when k grows."""

from __future__ import annotations

from collections import Counter

from app.core.cases import TestCase
from app.core.records import StoredResult
from app.runs.pipeline.inputs import SuiteInputs
from app.runs.pipeline.samples import SamplesSummary, run_samples, vote
from app.runs.stored.analysis import case_samples, load_run_analysis
from app.runs.stored.policy import format_record
from app.scoring.outcome import answer_text
from app.scoring.stability import stabilities
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
    assert (_engine_runs(three), three.cached) == (12, 0)
    # one call, case-major: the 3 samples of a case go to the engine together
    assert sent == [[f"c{i}\x1f{j}" for i in range(4) for j in range(3)]]
    seeds = [seed for _, seed, _ in store.sample_runs(three.run_id)]
    assert seeds == [run.seed, run.seed + 1, run.seed + 2]
    assert [store.get_run(s.run_id).settings["seed"] for s in three.samples] == seeds
    recorded = {store.get_run(r).output_format for r in [three.run_id, *seeds_runs(three)]}
    assert recorded == {format_record(POLICY.output)}  # the majority and every sample

    five = run_samples(inputs, 5)
    assert (_engine_runs(five), five.cached) == (8, 12)  # only seeds +3 and +4 ran

    majority = {r.case_id: r for r in store.results(five.run_id)}
    analysis = load_run_analysis(store, five.run_id)
    assert analysis.samples == 5 and store.get_run(five.run_id).settings["samples"] == 5
    for case in cases:
        answers = [answer_text(r) for r in case_samples(store, five.run_id, case.id)]
        assert len(answers) == 5
        top, count = Counter(answers).most_common(1)[0]
        stability = five.stability[case.id]
        assert stability.agreement == count / 5 and answers.count(stability.majority) == count
        assert answer_text(majority[case.id]) == stability.majority
        assert stability.unstable == (count < 4)
    assert analysis.stability_summary.cases == 4
    store.close()


def seeds_runs(summary: SamplesSummary) -> list[str]:
    return [sample.run_id for sample in summary.samples]


def _engine_runs(summary: SamplesSummary) -> int:
    """Case samples the engine ran (not from the cache)."""
    return sum(s.done - s.cached for s in summary.samples)


def _row(run: str, case_id: str, label: str | None, status: str = "ok") -> StoredResult:
    return StoredResult(run, case_id, f"{run}-{case_id}", status, "1", label)


def test_vote_picks_the_first_majority_row_and_errors_do_not_vote():
    samples = [
        [_row("s0", "a", "1"), _row("s0", "b", None, "no_verdict"), _row("s0", "c", None, "error")],
        [_row("s1", "a", "0"), _row("s1", "b", "0"), _row("s1", "c", "1")],
        [_row("s2", "a", "0"), _row("s2", "b", None, "no_verdict"), _row("s2", "c", "1")],
    ]
    rows, table = vote(samples)
    assert [(r.case_id, r.run_id) for r in rows] == [("a", "s1"), ("b", "s0"), ("c", "s1")]
    assert table["a"].majority == "0" and table["a"].majority_sample == 1
    assert table["b"].majority == "<no verdict>"
    assert table["c"].agreement == 1.0 and table["c"].majority_sample == 1  # the error: no vote
    tiers = [[_row(f"s{j}", "t", "INVALID")] for j in range(3)]
    for sample, tier in zip(tiers, ["SP2", "SP3", "SP3"], strict=True):
        sample[0].tier = tier  # the same label: the tier decides the vote, as the views count
    rows, table = vote(tiers)
    assert rows[0].run_id == "s1" and table["t"].majority == "INVALID SP3"
    assert table["t"].agreement == 2 / 3 and table["t"] == stabilities(tiers)["t"]
    every_failed = [[_row("s0", "d", None, "error")], [_row("s1", "d", None, "error")]]
    rows, table = vote(every_failed)
    assert [r.run_id for r in rows] == ["s0"] and table == {}
