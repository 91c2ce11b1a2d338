"""Everything the analysis views show about one stored run, gathered in one call.

:func:`load_run_analysis` reads a run (:func:`app.runs.stored.history.stored_run`), its sample runs
(after *Run ×k*) and the triage filed for its test set and policy version, and computes the
rule heat map and the stability of each case. The window's analysis controller runs it on a
worker thread; the report and the CLI read the same pieces.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.policy import Policy
from app.core.records import RunRecord, StoredResult
from app.runs.stored.history import case_history, stored_run
from app.runs.stored.triage_book import TriageEntry, policy_notes, summary_line, triage_entries
from app.scoring.outcome import is_wrong, outcome_of
from app.scoring.rule_heat import RuleHeat, rule_heat
from app.scoring.stability import UNSTABLE_BELOW, CaseStability, StabilitySummary, stabilities
from app.scoring.stability import summarize as summarize_stability
from app.scoring.triage import Evidence, gather_evidence
from app.store import Store


@dataclass
class RunAnalysis:
    run: RunRecord
    policy: Policy
    results: list[StoredResult]
    heats: list[RuleHeat] = field(default_factory=list)
    stability: dict[str, CaseStability] = field(default_factory=dict)
    stability_summary: StabilitySummary | None = None
    triage: dict[str, TriageEntry] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)  # rule code -> policy notes

    @property
    def samples(self) -> int:
        return len(next(iter(self.stability.values())).predictions) if self.stability else 1

    def failures(self) -> list[str]:
        """Case ids answered wrong (scored) or unstable, in run order."""
        output = self.policy.output
        return [
            r.case_id
            for r in self.results
            if is_wrong(r, output)
            or (r.case_id in self.stability and self.stability[r.case_id].unstable)
        ]

    def triage_line(self) -> str:
        failures = self.failures()
        filed = [self.triage[cid] for cid in failures if cid in self.triage]
        return summary_line(len(failures), filed)

    def result(self, case_id: str) -> StoredResult | None:
        return next((r for r in self.results if r.case_id == case_id), None)


def sample_results(store: Store, run_id: str) -> list[list[StoredResult]]:
    """The results of each sample run behind a majority run ([] for a plain run)."""
    return [store.results(sample_run) for _, _, sample_run in store.sample_runs(run_id)]


def load_run_analysis(store: Store, run_id: str, threshold: float = UNSTABLE_BELOW) -> RunAnalysis:
    """Read and compute a run's analysis (worker thread); ValueError for an unknown run."""
    loaded = stored_run(store, run_id)
    run, policy, results = loaded.run, loaded.policy, loaded.results
    analysis = RunAnalysis(run, policy, results, heats=rule_heat(policy, results))
    samples = sample_results(store, run_id)
    if samples:
        analysis.stability = stabilities(samples, threshold)
        outcomes = [outcome_of(r) for r in results]
        analysis.stability_summary = summarize_stability(
            analysis.stability, outcomes, policy.output
        )
    if run.cases_path:
        analysis.triage = triage_entries(store, run.cases_path, run.policy_hash)
    analysis.notes = policy_notes(store, run.policy_hash)
    return analysis


def case_samples(store: Store, run_id: str, case_id: str) -> list[StoredResult]:
    """The k sample answers of one case of a majority run, in sample order."""
    found = []
    for results in sample_results(store, run_id):
        found += [r for r in results if r.case_id == case_id]
    return found


def case_evidence(store: Store, analysis: RunAnalysis, case_id: str) -> Evidence:
    """The triage evidence of one case of an analysed run (worker thread)."""
    result = analysis.result(case_id)
    if result is None:
        raise ValueError(f"Case {case_id} is not in run {analysis.run.id}; run it first.")
    return gather_evidence(
        result,
        analysis.policy.output,
        stability=analysis.stability.get(case_id),
        history=case_history(store, case_id, analysis.run.cases_path),
    )
