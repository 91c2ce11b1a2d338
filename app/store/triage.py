"""The ``triage`` table: one filing per test set, case and policy version (what a filing
means, and writing a gold label to the test set, is :mod:`app.runs.stored.triage_book`'s)."""

from __future__ import annotations

from app.store.database import Store

COLUMNS = (
    "cases_path", "case_id", "policy_hash", "kind", "rule_code", "note", "old_label",
    "new_label", "created",
)  # fmt: skip


def put_filing(store: Store, filing: dict) -> None:
    """Store a filing (replacing the case's earlier one under that policy version)."""
    store._execute(
        f"INSERT OR REPLACE INTO triage VALUES ({','.join('?' * len(COLUMNS))})",
        [filing[name] for name in COLUMNS],
    )


def delete_filing(store: Store, cases_path: str, case_id: str, policy_hash: str) -> None:
    store._execute(
        "DELETE FROM triage WHERE cases_path=? AND case_id=? AND policy_hash=?",
        (str(cases_path), case_id, policy_hash),
    )


def filings(
    store: Store, cases_path: str, policy_hash: str | None = None, case_id: str | None = None
) -> list[dict]:
    """A test set's filings, oldest first: of one policy version and one case, or all."""
    clauses = [("policy_hash=?", policy_hash), ("case_id=?", case_id)]
    sql, args = "SELECT * FROM triage WHERE cases_path=?", [str(cases_path)]
    for clause, value in clauses:
        if value is not None:
            sql, args = f"{sql} AND {clause}", [*args, value]
    return [dict(row) for row in store._select(sql + " ORDER BY created", args)]


def policy_filings(store: Store, policy_hash: str) -> list[dict]:
    """The "policy unclear" filings of a policy version, oldest first."""
    rows = store._select(
        "SELECT rule_code, note, case_id FROM triage WHERE kind='policy' AND policy_hash=? "
        "ORDER BY created",
        (policy_hash,),
    )
    return [dict(row) for row in rows]
