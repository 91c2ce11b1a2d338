"""What a run asks for, and which cases of a test set a job names.

The window and the CLI describe a run as a :class:`RunJob` (policy, cases, settings,
backend, which cases, resume, order). :func:`select_cases` picks the cases; ``LAST_RUN``
as ``resume_run_id`` means the newest unfinished run of this policy and test set
(:func:`last_unfinished_run`). Nothing here needs a thread, an engine or Qt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from app.core import setting_limits as limits
from app.core.cases import TestCase, model_content
from app.core.fingerprint import text_hash
from app.core.policy import Policy
from app.core.run_types import RunSettings
from app.runs.backends.config import BackendConfig
from app.runs.pipeline.results import SuiteSummary
from app.scoring.outcome import is_right
from app.store import Store

SELECTIONS = ("all", "selected", "failed", "changed")
KINDS = ("suite", "case")  # a test-set run (in the history) or a single case (cached only)
LAST_RUN = "last"  # resume_run_id: the newest unfinished run of this policy and test set


@dataclass(frozen=True)
class RunJob:
    """Everything one run needs; built by the window or a command, read by the service."""

    policy: Policy
    cases: list[TestCase]
    run: RunSettings
    backend: BackendConfig = field(default_factory=BackendConfig)
    selection: str = "all"  # all / selected / failed / changed
    selected_ids: tuple[str, ...] = ()
    resume_run_id: str | None = None
    failed_first: bool = False
    cases_path: str = ""
    note: str = ""
    kind: str = "suite"  # "case": Run case and classify, stored and cached, not in history
    samples: int = 1  # Run ×k: each case k times (seeds seed…seed+k-1), scored by majority
    unstable_below: float = (
        limits.UNSTABLE_BELOW.default
    )  # Run ×k: agreement under this marks a case unstable


@dataclass
class RunOutcome:
    """How a run ended: status finished / failed / cancelled, its summary and a message."""

    status: str
    run_id: str = ""
    summary: SuiteSummary | None = None
    message: str = ""
    stability: dict = field(default_factory=dict)  # Run ×k: case id -> CaseStability
    stopped_by: str = ""  # what stopped it early: "load" (the engine) or "grammar" (bad input)


def select_cases(job: RunJob, store: Store, make_key: Callable[[str], str]) -> list[TestCase]:
    """The cases a job names: all, the selected ids, the failed ones (latest earlier
    result of this test set wrong or without a verdict) or the changed ones (no stored
    result under their current cache key: new content, policy, settings or model)."""
    cases = job.cases
    if job.selection == "all":
        return list(cases)
    if job.selection == "selected":
        wanted = set(job.selected_ids)
        return [c for c in cases if c.id in wanted]
    if job.selection == "failed":
        latest = store.latest_results([c.id for c in cases], job.cases_path)
        output = job.policy.output
        return [c for c in cases if c.id in latest and not is_right(latest[c.id], output)]
    if job.selection == "changed":
        keys = {c.id: make_key(model_content(c)) for c in cases}
        hits = store.lookup_many(list(keys.values()))
        return [c for c in cases if keys[c.id] not in hits]
    raise ValueError(f"Unknown selection '{job.selection}'; use {', '.join(SELECTIONS)}.")


def last_unfinished_run(store: Store, job: RunJob) -> str:
    """The newest run of this policy text and test set that did not finish, or ''."""
    policy_hash = text_hash(job.policy.text)
    runs = [r for r in store.list_runs(policy_hash) if r.cases_path == job.cases_path]
    return runs[-1].id if runs and runs[-1].status != "finished" else ""
