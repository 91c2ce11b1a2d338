"""A stored run's report, gathered from the store and handed to :mod:`app.reports`.

:func:`build_run_report` reads the run, the policy version it used, its results, the
people's review of its answers and its analysis; :func:`analysis_sections` reads what each
analysis section needs: the sample runs (label stability), the triage filed against its
failures, the newest robustness run measured against it (its families, the family × rule
grid, the worst examples) and the run before it over the same test set (the comparison).
The rendering itself is :mod:`app.reports.report` and :mod:`app.reports.analysis`.
"""

from __future__ import annotations

from app.core.policy import Policy
from app.core.records import RunRecord, StoredResult
from app.reports.analysis import comparison_html, heat_section, stability_html, triage_html
from app.reports.report import RunReport
from app.reports.robustness import html_section
from app.runs.history import stored_run_agreement
from app.runs.robustness_stored import linked_report
from app.runs.run_facts import previous_suite_run
from app.runs.run_labels import describe_run
from app.runs.stored_policy import run_output, run_policy
from app.runs.triage_book import KIND_NAMES, summary_line, triage_entries
from app.scoring.metrics import run_metrics
from app.scoring.outcome import is_wrong, outcome_of
from app.scoring.run_compare import compare_runs
from app.scoring.stability import stabilities, summarize
from app.store import Store


def build_run_report(store: Store, run_id: str) -> RunReport:
    """Gather a stored run, its policy version, its metrics and its analysis."""
    run = store.get_run(run_id)
    if run is None:
        raise ValueError(f"There is no run {run_id}; pick one from the run history.")
    version = store.policy_version(run.policy_hash)
    policy = run_policy(store, run)
    results = store.results(run_id)
    return RunReport(
        run, policy.name, run_metrics(results, policy.output), results,
        sections=analysis_sections(store, run, policy, results),
        label=describe_run(store, run), policy=policy,
        policy_text=version.text if version else "",
        review=stored_run_agreement(store, run.id, policy.output, results),
    )  # fmt: skip


def stability_section(
    store: Store, run: RunRecord, policy: Policy, results: list[StoredResult]
) -> str:
    """Label stability over the run's sample runs, or "" when it has none."""
    links = store.sample_runs(run.id)
    if not links:
        return ""
    table = stabilities([store.results(sample_run) for _, _, sample_run in links])
    summary = summarize(table, [outcome_of(r) for r in results], policy.output)
    return stability_html(len(links), table, summary)


def triage_section(
    store: Store, run: RunRecord, policy: Policy, results: list[StoredResult]
) -> str:
    """What was filed about the run's failures, or "" when it has none."""
    failures = [r.case_id for r in results if is_wrong(r, policy.output)]
    if not failures:
        return ""
    entries = triage_entries(store, run.cases_path, run.policy_hash)
    filed = [entries[cid] for cid in failures if cid in entries]
    rows: list[list[object]] = [
        [e.case_id, KIND_NAMES[e.kind], e.rule_code, e.note,
         f"{e.old_label} → {e.new_label}" if e.kind == "gold" else ""]
        for e in filed
    ]  # fmt: skip
    return triage_html(summary_line(len(failures), filed), rows)


def comparison_section(
    store: Store, run: RunRecord, policy: Policy, results: list[StoredResult]
) -> str:
    """The comparison with the run before this one over the same test set, or ""."""
    before = previous_suite_run(store, run)
    if before is None:
        return ""
    cmp = compare_runs(
        store.results(before.id), results, run_output(store, before.id), policy.output,
        run_a=before.id, run_b=run.id,
    )  # fmt: skip
    return comparison_html(cmp) if cmp.cases else ""


def analysis_sections(
    store: Store, run: RunRecord, policy: Policy, results: list[StoredResult]
) -> list[str]:
    """The HTML sections for one run's report, empty ones left out."""
    robustness = linked_report(store, run)  # the newest robustness run against this one
    sections = [
        stability_section(store, run, policy, results),
        heat_section(policy, results),
        triage_section(store, run, policy, results),
        html_section(robustness) if robustness is not None and robustness.families else "",
        comparison_section(store, run, policy, results),
    ]
    return [section for section in sections if section]
