"""A stored run to review: a policy version, a test set on disk and one result per case,
written straight into a real results database (no engine: reviews read stored answers)."""

from __future__ import annotations

from pathlib import Path

from app.core.cases import TestCase, save_cases
from app.core.records import StoredResult
from app.store import Store

POLICY = "---\nname: Spam\nformat: binary\n---\n# Spam\nSP1 Bulk promotion violates.\n"
TIERED = (
    "---\nname: Tiers\nformat: labels\nlabels: VALID, INVALID\n"
    "violating: INVALID\ntiers: SP0, SP1, SP2\nallowed_tiers: SP0\n---\n"
    "# Tiers\nSP0 fine. SP1 mild. SP2 severe.\n"
)


def stored_run(
    folder: Path, count: int = 10, *, policy: str = POLICY, expected: bool = False,
    store: Store | None = None,
) -> tuple[Store, str, Path]:  # fmt: skip
    """A finished run of ``count`` cases (``c0``…): odd cases answered "1" citing SP1, even
    ones "0"; every fifth without a verdict. ``expected``: the test set has labels."""
    store = store or Store(folder / "results.sqlite3")
    cases_path = folder / "cases.jsonl"
    cases = [
        TestCase(f"c{i}", f"message {i}", ("1" if i % 3 else "0") if expected else "")
        for i in range(count)
    ]
    save_cases(cases_path, cases)
    digest = store.add_policy_version(policy, path=str(folder / "policy.md"))
    run_id = store.create_run(digest, model="m", cases_path=str(cases_path), total=count)
    results = []
    for i, case in enumerate(cases):
        label = "1" if i % 2 else "0"
        none = i % 5 == 4
        results.append(StoredResult(
            run_id, case.id, f"k{i}", "no_verdict" if none else "ok", expected=case.expected,
            label=None if none else label, rule_codes=["SP1"] if label == "1" else [],
            content=case.content, analysis=f"Thinking about message {i}.", final=label,
            created=1000.0 + i,
        ))  # fmt: skip
    store.add_results(results)
    store.set_run_status(run_id, "finished")
    return store, run_id, cases_path
