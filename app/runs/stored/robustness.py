"""The report of a stored robustness run, read back from the results database.

One function for every reader: the robustness view and the CLI (through
:func:`app.runs.robustness.load_report`) and the run report's robustness section
(:mod:`app.reports.analysis`, for the robustness runs linked to a clean run).
"""

from __future__ import annotations

import re

from app.core.records import RunRecord, StoredResult
from app.runs.stored.analysis import sample_results
from app.runs.stored.history import stored_run
from app.scoring.robustness import RobustnessReport, build_report
from app.store import Store
from app.store.robustness import list_robustness_runs, load_run

_RULE_TAG = re.compile(r"[A-Za-z]+\d")


def _sample_results(store: Store, run_id: str) -> dict[str, list[StoredResult]]:
    """Results by case id: every sample of a Run ×k run, else the run's own."""
    out: dict[str, list[StoredResult]] = {}
    for results in sample_results(store, run_id) or [store.results(run_id)]:
        for result in results:
            out.setdefault(result.case_id, []).append(result)
    return out


def stored_report(store: Store, run_id: str) -> RobustnessReport | None:
    """The report of the stored robustness run ``run_id``, or None when it is not one."""
    loaded = load_run(store, run_id)
    if loaded is None:
        return None
    record, variants = loaded
    clean_run = stored_run(store, record.clean_run_id)
    clean = {r.case_id: r for r in clean_run.results}
    rules = {cid: [t for t in r.tags if _RULE_TAG.match(t)] for cid, r in clean.items()}
    results = _sample_results(store, run_id)
    report = build_report(
        clean, variants, results, output=clean_run.output, rules=rules, k=record.samples
    )
    report.run_id, report.clean_run_id = run_id, record.clean_run_id
    return report


def linked_report(store: Store, run: RunRecord) -> RobustnessReport | None:
    """The report of the newest robustness run measured against ``run``, if any."""
    linked = [r for r in list_robustness_runs(store, run.policy_hash) if r.clean_run_id == run.id]
    return stored_report(store, linked[-1].run_id) if linked else None
