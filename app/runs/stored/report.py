"""A stored run's report, gathered from the store and handed to :mod:`app.reports`.

:func:`build_run_report` reads the run, the policy version it used and its results
(:func:`app.runs.stored.history.stored_run`), the people's review of its answers and its analysis;
:func:`analysis_sections` reads what each analysis section needs: the sample runs (label
stability), the triage filed against its failures, the newest robustness run measured
against it (its families, the family × rule grid, the worst examples) and the run before it
over the same test set (the comparison). The rendering itself is :mod:`app.reports.report`
and :mod:`app.reports.analysis`.
"""

from __future__ import annotations

from app.reports.analysis import comparison_html, heat_section, stability_html, triage_html
from app.reports.report import RunReport
from app.reports.robustness import html_section
from app.runs.stored.analysis import sample_results
from app.runs.stored.facts import previous_suite_run
from app.runs.stored.history import StoredRun, compare_stored, stored_run, stored_run_agreement
from app.runs.stored.labels import describe_run
from app.runs.stored.robustness import linked_report
from app.runs.stored.triage_book import KIND_NAMES, summary_line, triage_entries
from app.scoring.metrics import run_metrics
from app.scoring.outcome import is_wrong, outcome_of
from app.scoring.stability import stabilities, summarize
from app.store import Store


def build_run_report(store: Store, run_id: str) -> RunReport:
    """Gather a stored run, its policy version, its metrics and its analysis."""
    loaded = stored_run(store, run_id)
    run, policy, results = loaded.run, loaded.policy, loaded.results
    return RunReport(
        run, policy.name, run_metrics(results, policy.output), results,
        sections=analysis_sections(store, loaded),
        label=describe_run(store, run), policy=policy, policy_text=loaded.policy_text,
        review=stored_run_agreement(store, run.id, policy.output, results),
    )  # fmt: skip


def stability_section(store: Store, loaded: StoredRun) -> str:
    """Label stability over the run's sample runs, or "" when it has none."""
    samples = sample_results(store, loaded.run.id)
    if not samples:
        return ""
    table = stabilities(samples)
    summary = summarize(table, [outcome_of(r) for r in loaded.results], loaded.output)
    return stability_html(len(samples), table, summary)


def triage_section(store: Store, loaded: StoredRun) -> str:
    """What was filed about the run's failures, or "" when it has none."""
    failures = [r.case_id for r in loaded.results if is_wrong(r, loaded.output)]
    if not failures:
        return ""
    entries = triage_entries(store, loaded.run.cases_path, loaded.run.policy_hash)
    filed = [entries[cid] for cid in failures if cid in entries]
    rows: list[list[object]] = [
        [e.case_id, KIND_NAMES[e.kind], e.rule_code, e.note,
         f"{e.old_label} → {e.new_label}" if e.kind == "gold" else ""]
        for e in filed
    ]  # fmt: skip
    return triage_html(summary_line(len(failures), filed), rows)


def comparison_section(store: Store, loaded: StoredRun) -> str:
    """The comparison with the run before this one over the same test set, or ""."""
    before = previous_suite_run(store, loaded.run)
    if before is None:
        return ""
    cmp = compare_stored(stored_run(store, before), loaded)
    return comparison_html(cmp) if cmp.cases else ""


def analysis_sections(store: Store, loaded: StoredRun) -> list[str]:
    """The HTML sections for one run's report, empty ones left out."""
    robustness = linked_report(store, loaded.run)  # the newest robustness run against it
    sections = [
        stability_section(store, loaded),
        heat_section(loaded.policy, loaded.results),
        triage_section(store, loaded),
        html_section(robustness) if robustness is not None and robustness.families else "",
        comparison_section(store, loaded),
    ]
    return [section for section in sections if section]
