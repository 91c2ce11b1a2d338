"""What a batch run asks for and how it ended, and which cases a request names.

The window builds a :class:`SuiteRequest` (policy, cases, settings, which cases, resume,
order) on the GUI thread; the ``SuiteController`` worker reads it, picks the cases with
:func:`select_cases` and ends every run with one :class:`SuiteOutcome`. ``LAST_RUN`` as
``resume_run_id`` means the newest unfinished run of this policy and test set
(:func:`last_unfinished_run`). Nothing here needs a thread or a ``QApplication``.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.cases import TestCase
from app.core.fingerprint import text_hash
from app.core.policy import Policy
from app.core.run_types import EngineSettings, RunSettings
from app.core.store import Store
from app.runs.suite import SuiteSummary

SELECTIONS = ("all", "selected", "failed", "changed")
LAST_RUN = "last"  # resume_run_id: the newest unfinished run of this policy and test set


@dataclass(frozen=True)
class SuiteRequest:
    """Everything one batch run needs; built on the GUI thread, read on the worker."""

    policy: Policy
    cases: list[TestCase]
    run: RunSettings
    engine: EngineSettings
    selection: str = "all"  # all / selected / failed / changed
    selected_ids: tuple[str, ...] = ()
    resume_run_id: str | None = None
    failed_first: bool = True
    cases_path: str = ""
    note: str = ""
    concurrency: int = 1  # cases at once: a server's parallel slots, or local sequences


@dataclass
class SuiteOutcome:
    """How a run ended: status finished / failed / cancelled, its summary and a message."""

    status: str
    run_id: str = ""
    summary: SuiteSummary | None = None
    message: str = ""


def select_cases(request: SuiteRequest, store: Store, make_key) -> list[TestCase]:
    """The cases a request names: all, the selected ids, the failed ones (latest earlier
    result of this test set wrong or without a verdict) or the changed ones (no stored
    result under their current cache key: new content, policy, settings or model)."""
    cases = request.cases
    if request.selection == "all":
        return list(cases)
    if request.selection == "selected":
        wanted = set(request.selected_ids)
        return [c for c in cases if c.id in wanted]
    if request.selection == "failed":
        latest = store.latest_results([c.id for c in cases], request.cases_path)
        return [c for c in cases if c.id in latest and not latest[c.id].correct]
    if request.selection == "changed":
        keys = {c.id: make_key(c.content) for c in cases}
        hits = store.lookup_many(list(keys.values()))
        return [c for c in cases if keys[c.id] not in hits]
    raise ValueError(f"Unknown selection '{request.selection}'; use {', '.join(SELECTIONS)}.")


def last_unfinished_run(store: Store, request: SuiteRequest) -> str:
    """The newest run of this policy text and test set that did not finish, or ''."""
    policy_hash = text_hash(request.policy.text)
    runs = [r for r in store.list_runs(policy_hash) if r.cases_path == request.cases_path]
    return runs[-1].id if runs and runs[-1].status != "finished" else ""
