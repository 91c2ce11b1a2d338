"""The one loader of a stored run (app.runs.stored.history.stored_run): its record, the policy it
used under the format it ran with (not what the text alone says), its results in stored
order and its version's exact text; one sentence for a run that is not there; and the
views built on it (metrics, analysis, report, facts, review) read the same run."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.cases import TestCase
from app.core.policy import OutputFormat, load_policy, parse_policy, write_sidecar
from app.core.reviews import ReviewError
from app.core.run_types import RunSettings
from app.gui.evaluation.data import load_run_metrics
from app.runs.pipeline.inputs import SuiteInputs
from app.runs.pipeline.suite import run_suite
from app.runs.review.session import reviewed_run, run_agreement
from app.runs.stored.analysis import load_run_analysis
from app.runs.stored.facts import run_facts
from app.runs.stored.history import compare_stored, compare_stored_runs, stored_run
from app.runs.stored.report import build_run_report
from tests.support.scripted_engine import ScriptedEngine

SAMPLE = Path(__file__).parents[1] / "support" / "policies" / "listing_scams.txt"
KEPT = OutputFormat(
    kind="labels", labels=("VALID", "INVALID"), violating=("INVALID",),
    tiers=("LS0", "LS2", "LS3", "LS4"), allowed_tiers=("LS0",),
)  # fmt: skip
CASES = [
    TestCase("c1", "Selling my bike, pay by gift card only", "INVALID"),
    TestCase("c2", "Is the sofa still available?", "VALID"),
    TestCase("c3", "Brand new phone for 10 dollars, wire me first", "INVALID"),
]


@pytest.fixture()
def run_id(store, tmp_path) -> str:
    """A run of a published policy whose format was kept in a sidecar (gone afterwards)."""
    path = tmp_path / "policy.txt"
    path.write_bytes(SAMPLE.read_bytes())
    write_sidecar(path, KEPT)
    policy = load_policy(path)
    answers = {"Selling my bike, pay by gift card only": "INVALID",
               "Is the sofa still available?": "VALID",
               "Brand new phone for 10 dollars, wire me first": "VALID"}  # fmt: skip
    inputs = SuiteInputs(
        ScriptedEngine(answers), policy, CASES, RunSettings(), store=store,
        model_fingerprint="fake", template_hash="t",
        cases_path=str(tmp_path / "policy.cases.jsonl"),
    )  # fmt: skip
    summary = run_suite(inputs, order="file")
    for side in path.parent.glob("policy.txt.*"):
        side.unlink()  # the sidecar is gone: only the run's record keeps the format
    return summary.run_id


def test_a_stored_run_is_its_record_policy_results_and_text(store, run_id):
    loaded = stored_run(store, run_id)
    assert loaded.run == store.get_run(run_id)
    assert loaded.output == KEPT  # the format it ran with, not the text's
    assert parse_policy(loaded.policy_text).output != KEPT
    assert loaded.policy_text == SAMPLE.read_text(encoding="utf-8")
    assert [r.case_id for r in loaded.results] == ["c1", "c2", "c3"]
    assert stored_run(store, loaded.run) == loaded  # a record reads the same as its id


def test_a_missing_run_is_one_sentence(store):
    with pytest.raises(ValueError, match=r"^There is no run nope; pick one from the run history"):
        stored_run(store, "nope")
    with pytest.raises(ReviewError, match="There is no run nope"):
        reviewed_run(store, "nope")
    with pytest.raises(ValueError, match="There is no run nope"):
        compare_stored_runs(store, "nope", "nope")


def test_every_view_reads_the_same_stored_run(store, run_id):
    loaded = stored_run(store, run_id)
    shown = load_run_metrics(store, run_id)
    assert (shown.output, shown.results, shown.policy_text) == (
        loaded.output, loaded.results, loaded.policy_text,
    )  # fmt: skip
    assert shown.metrics.accuracy == pytest.approx(2 / 3)  # c3 answered VALID
    analysis = load_run_analysis(store, run_id)
    assert (analysis.policy, analysis.results) == (loaded.policy, loaded.results)
    assert analysis.failures() == ["c3"]
    report = build_run_report(store, run_id)
    assert (report.policy_text, report.metrics.accuracy) == (loaded.policy_text, 2 / 3)
    assert run_facts(store, loaded.run).accuracy == pytest.approx(2 / 3)
    assert reviewed_run(store, run_id) == loaded
    assert run_agreement(store, run_id).reviewed == 0
    cmp = compare_stored(loaded, loaded)
    assert (cmp.cases, cmp.a_only_right, cmp.b_only_right) == (3, 0, 0)
