"""Filed triage: each failure marked *gold label wrong*, *policy unclear* or *model error*.

Stored in the ``triage`` table (:mod:`app.store.triage`), one row per test set, case and policy version (so a case can
be "policy unclear" under one draft and "model error" under the next).

- **gold**: the expected label in the test set is changed (atomic rewrite of the JSONL);
  the old label is recorded, and :func:`undo_triage` writes it back.
- **policy**: a note attached to the rule the answer cites, listed beside the rule in the
  policy outline (:func:`policy_notes`).
- **model**: accepted as a model error; nothing else changes.

:func:`summary_line` sums it up: "of 12 failures: 3 gold, 6 policy, 3 model".
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path

from app.core.cases import load_cases, save_cases
from app.store import Store
from app.store.triage import delete_filing, filings, policy_filings, put_filing

KINDS = ("gold", "policy", "model")
KIND_NAMES = {"gold": "gold label wrong", "policy": "policy unclear", "model": "model error"}


class TriageError(ValueError):
    """A triage that cannot be filed or undone; the message says what to do."""


@dataclass(frozen=True)
class TriageEntry:
    cases_path: str
    case_id: str
    policy_hash: str
    kind: str
    rule_code: str = ""
    note: str = ""
    old_label: str | None = None
    new_label: str | None = None
    created: float = 0.0


def _set_expected(cases_path: str, case_id: str, label: str, *, unless: str | None = None) -> str:
    """Write ``label`` as the case's expected label; return the label it had."""
    if not cases_path:
        raise TriageError("This run has no test-set file; save the test set and run it again.")
    path = Path(cases_path)
    cases = load_cases(path)
    case = next((c for c in cases if c.id == case_id), None)
    if case is None:
        raise TriageError(f"Case {case_id} is not in {path.name} any more; reload the test set.")
    old = case.expected
    if unless is not None and old != unless:
        raise TriageError(
            f"The expected label of {case_id} was changed to {old} since; "
            "set it by hand in the case table."
        )
    case.expected = label
    save_cases(path, cases)
    return old


def file_triage(
    store: Store,
    cases_path: str,
    case_id: str,
    policy_hash: str,
    kind: str,
    *,
    rule_code: str = "",
    note: str = "",
    new_label: str | None = None,
) -> TriageEntry:
    """File a case under ``kind`` for a policy version, replacing (and undoing) an earlier
    filing of the same case and version."""
    if kind not in KINDS:
        raise TriageError(f"'{kind}' is not a triage kind; use one of {', '.join(KINDS)}.")
    if kind == "gold" and not new_label:
        raise TriageError("Choose the label the case should expect before filing it as gold.")
    if triage_entry(store, cases_path, case_id, policy_hash) is not None:
        undo_triage(store, cases_path, case_id, policy_hash)
    old_label = None
    if kind == "gold":
        old_label = _set_expected(cases_path, case_id, str(new_label))
    entry = TriageEntry(
        str(cases_path), case_id, policy_hash, kind, rule_code, note, old_label,
        new_label if kind == "gold" else None, time.time(),
    )  # fmt: skip
    put_filing(store, asdict(entry))
    return entry


def triage_entry(
    store: Store, cases_path: str, case_id: str, policy_hash: str
) -> TriageEntry | None:
    rows = filings(store, cases_path, policy_hash, case_id)
    return TriageEntry(**rows[0]) if rows else None


def undo_triage(store: Store, cases_path: str, case_id: str, policy_hash: str) -> TriageEntry:
    """Remove a filing; a gold filing writes the old expected label back first."""
    entry = triage_entry(store, cases_path, case_id, policy_hash)
    if entry is None:
        raise TriageError(f"Case {case_id} is not triaged under this policy version.")
    if entry.kind == "gold" and entry.old_label is not None:
        _set_expected(cases_path, case_id, entry.old_label, unless=entry.new_label)
    delete_filing(store, cases_path, case_id, policy_hash)
    return entry


def triage_entries(
    store: Store, cases_path: str, policy_hash: str | None = None
) -> dict[str, TriageEntry]:
    """Filings of a test set by case id (one policy version, or the newest of each case)."""
    return {row["case_id"]: TriageEntry(**row) for row in filings(store, cases_path, policy_hash)}


def policy_notes(store: Store, policy_hash: str) -> dict[str, list[str]]:
    """ "Policy unclear" notes of a policy version, by the rule code they are attached to."""
    notes: dict[str, list[str]] = {}
    for row in policy_filings(store, policy_hash):
        text = row["note"] or f"unclear on case {row['case_id']}"
        notes.setdefault(row["rule_code"] or "(no rule)", []).append(text)
    return notes


def summary_line(failures: int, entries: list[TriageEntry]) -> str:
    """ "of 12 failures: 3 gold, 6 policy, 3 model" (and how many are not triaged yet)."""
    counts = {kind: sum(e.kind == kind for e in entries) for kind in KINDS}
    text = f"of {failures} failures: " + ", ".join(f"{n} {k}" for k, n in counts.items())
    left = failures - sum(counts.values())
    return text + (f", {left} not triaged" if left > 0 else "")
