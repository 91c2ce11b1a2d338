"""What tells stored runs apart, in one record: policy name and version, test set, model,
effort, seed, cases and accuracy (a run's settings as words are
:func:`app.reports.report.settings_text`).

``runs`` lists these, the *Compare runs* picker names runs by them, and the Metrics tiles use
:func:`previous_suite_run` for "change since the previous run of this test set". Accuracy is
:mod:`app.scoring.metrics`' (right / scored, right as :mod:`app.scoring.outcome` says), each run
under its own policy version's output format.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from app.core.records import RunRecord
from app.runs.stored.history import stored_run
from app.runs.stored.labels import loaded_version_number, model_label, when_label
from app.scoring.metrics import run_metrics
from app.store import Store

SUGGESTION_CHECK = "suggestion check"  # the note app.runs.suggestion gives an edit it checks


@dataclass(frozen=True)
class RunFacts:
    run: RunRecord
    policy_name: str
    version: int | None  # among the versions of its policy file, oldest first
    test_set: str  # the test-set file name ("" for none)
    cases: int  # results stored
    scored: int
    accuracy: float | None
    policy_file: str = ""  # the file its policy version was recorded for

    @property
    def model(self) -> str:
        return model_label(self.run.model)

    @property
    def effort(self) -> str:
        return str((self.run.settings or {}).get("effort") or "")

    @property
    def seed(self) -> str:
        seed = (self.run.settings or {}).get("seed")
        return "" if seed is None else str(seed)

    @property
    def policy(self) -> str:
        """``Spam policy v3`` (the version left out when unknown)."""
        return f"{self.policy_name} v{self.version}" if self.version else self.policy_name

    def accuracy_text(self) -> str:
        return "n/a" if self.accuracy is None else f"{self.accuracy:.3f}"

    def text(self) -> str:
        """One line for pickers: policy, test set, model, effort, accuracy, date."""
        parts = [self.policy, self.test_set or "no test set", self.model]
        parts += [self.effort] if self.effort else []
        parts += [f"accuracy {self.accuracy_text()}", when_label(self.run.started)]
        return " · ".join(parts)


def run_facts(store: Store, run: RunRecord) -> RunFacts:
    """The facts of one stored run (reads its results and policy version)."""
    loaded = stored_run(store, run)
    policy, results, version = loaded.policy, loaded.results, loaded.version
    metrics = run_metrics(results, policy.output)
    return RunFacts(
        run=run,
        policy_name=policy.name,
        version=loaded_version_number(store, version),
        test_set=PurePath(run.cases_path).name if run.cases_path else "",
        cases=len(results),
        scored=metrics.scored,
        accuracy=metrics.accuracy,
        policy_file=version.path if version else "",
    )


def suite_runs(store: Store, cases_path: str) -> list[RunRecord]:
    """The test-set runs of one test set, oldest first: runs of kind ``suite`` only, so no
    single *Run case*, no sample run and no held-out check of a suggested edit (``suggestion``:
    older checks get that kind when the database is upgraded, :mod:`app.store.rows`)."""
    return [r for r in store.list_runs(kind="suite") if r.cases_path == str(cases_path)]


def last_suite_run(store: Store, cases_path: str) -> RunRecord | None:
    """The newest test-set run of a test set (see :func:`suite_runs`)."""
    runs = suite_runs(store, cases_path) if cases_path else []
    return runs[-1] if runs else None


def previous_suite_run(store: Store, run: RunRecord) -> RunRecord | None:
    """The newest test-set run of the same test set that started before ``run``."""
    if not run.cases_path:
        return None
    earlier = [
        r for r in suite_runs(store, run.cases_path)
        if r.id != run.id and r.started <= run.started
    ]  # fmt: skip
    return earlier[-1] if earlier else None
