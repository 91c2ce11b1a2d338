"""A run keeps the output format it ran with: a format kept in a sidecar beside a published
``policy.txt`` (not in the stored text) is the one every re-reading of the stored run uses —
metrics, run facts, flips, compare, reviews, triage history, reports, a shared review
file — even after the sidecar is gone; older runs (no recorded format) read as before."""

from __future__ import annotations

from pathlib import Path

from app.core.cases import TestCase
from app.core.policy import OutputFormat, load_policy, parse_policy, sidecar_path, write_sidecar
from app.core.run_types import RunSettings
from app.gui.evaluation.data import load_run_metrics, version_history
from app.runs.pipeline.inputs import SuiteInputs
from app.runs.pipeline.suite import run_suite
from app.runs.review.files import export_reviews, import_reviews
from app.runs.review.session import reviewed_run
from app.runs.stored.facts import run_facts
from app.runs.stored.history import case_history, compare_stored_runs, flip_report, stored_run
from app.runs.stored.policy import format_record
from app.runs.stored.report import build_run_report
from app.store import Store
from tests.support.scripted_engine import ScriptedEngine

SAMPLE = Path(__file__).parents[1] / "support" / "policies" / "listing_scams.txt"
KEPT = OutputFormat(
    kind="labels", labels=("VALID", "INVALID"), violating=("INVALID",),
    tiers=("LS0", "LS2", "LS3", "LS4"), allowed_tiers=("LS0",),
)  # fmt: skip


def _cases() -> list[TestCase]:
    return [
        TestCase("c1", "Selling my bike, pay by gift card only", "INVALID"),
        TestCase("c2", "Is the sofa still available?", "VALID"),
        TestCase("c3", "Brand new phone for 10 dollars, wire me first", "INVALID"),
    ]


def _run(store: Store, policy, cases_path: str) -> str:
    engine = ScriptedEngine({c.content: c.expected for c in _cases()})
    inputs = SuiteInputs(
        engine, policy, _cases(), RunSettings(), store=store, model_fingerprint="fake",
        template_hash="t", cases_path=cases_path,
    )  # fmt: skip
    summary = run_suite(inputs, order="file")
    return summary.run_id


def test_a_sidecar_format_stays_with_the_stored_run(store, tmp_path):
    path = tmp_path / "policy.txt"
    path.write_bytes(SAMPLE.read_bytes())
    inferred = parse_policy(path.read_text(encoding="utf-8")).output
    assert inferred.two_labels and inferred != KEPT  # the text alone reads otherwise
    write_sidecar(path, KEPT)
    policy = load_policy(path)
    assert policy.output == KEPT
    cases_path = str(tmp_path / "policy.cases.jsonl")
    first, second = _run(store, policy, cases_path), _run(store, policy, cases_path)
    sidecar_path(path).unlink()  # the kept format is gone from disk: the store still knows
    assert store.get_run(first).output_format == format_record(KEPT)
    loaded = stored_run(store, first)  # the one loader every view uses
    assert loaded.output == KEPT and loaded.policy.text == policy.text
    assert [r.case_id for r in loaded.results] == ["c1", "c2", "c3"]
    policy_only = stored_run(store, first, with_results=False)
    assert policy_only.output == KEPT and policy_only.results == []
    assert reviewed_run(store, first).output == KEPT
    facts = run_facts(store, store.get_run(first))
    assert (facts.scored, facts.accuracy) == (3, 1.0)
    shown = load_run_metrics(store, second)
    assert shown.output == KEPT and shown.metrics.accuracy == 1.0
    assert shown.previous is not None and shown.previous.accuracy == 1.0
    (summary,) = version_history(store)
    assert summary.metrics is not None and summary.metrics.accuracy == 1.0
    report = build_run_report(store, first)
    assert report.policy.output == KEPT and report.metrics.accuracy == 1.0
    flips = flip_report(store, first, second)
    assert flips.metrics_before.accuracy == flips.metrics_after.accuracy == 1.0
    assert compare_stored_runs(store, first, second).metrics_a.accuracy == 1.0
    assert all(v.correct for v in case_history(store, "c1", cases_path))


def test_a_run_recorded_before_formats_were_kept_reads_its_text(store):
    text = "---\nname: Spam\nformat: binary\n---\n# Spam\nSP1 Bulk promotion violates.\n"
    run_id = store.create_run(store.add_policy_version(text))
    assert store.get_run(run_id).output_format == ""
    assert stored_run(store, run_id).output == parse_policy(text).output


def test_a_review_file_carries_the_format_to_a_colleagues_copy(store, tmp_path):
    path = tmp_path / "policy.txt"
    path.write_bytes(SAMPLE.read_bytes())
    write_sidecar(path, KEPT)
    run_id = _run(store, load_policy(path), str(tmp_path / "policy.cases.jsonl"))
    shared = tmp_path / "queue.jsonl"
    export_reviews(store, run_id, shared)
    theirs = Store(tmp_path / "theirs.db")
    try:
        import_reviews(theirs, shared)
        assert theirs.get_run(run_id).output_format == format_record(KEPT)
        assert stored_run(theirs, run_id).output == KEPT
    finally:
        theirs.close()


def test_a_majority_run_without_a_format_reads_its_samples_format(store):
    text = SAMPLE.read_text(encoding="utf-8")
    digest = store.add_policy_version(text)
    sample = store.create_run(digest, kind="sample", output_format=format_record(KEPT))
    majority = store.create_run(digest)  # as *Run ×k* records it
    store.link_sample_run(majority, 0, 1, sample)
    assert stored_run(store, majority).output == KEPT != parse_policy(text).output
