"""Held-out cases: a split of the test set that a suggested edit never sees.

A case is held out when the SHA-256 of its id, read as a number in [0, 1), is below the
share (30% by default). The split depends on the id alone, so it is the same in every run,
on every machine, and a case keeps its side when others are added or removed.
:func:`held_out_flips` is the flip report of a suggestion's check: the held-out cases under
the policy before and after the edit, fixed / broken / changed, right and wrong as
:func:`app.scoring.outcome.judge` says (so an expected tier must be the answer's tier).
"""

from __future__ import annotations

import hashlib

from app.core.cases import TestCase
from app.core.policy import OutputFormat
from app.core.records import StoredResult
from app.scoring.flips import FlipReport, compare_results

HOLDOUT_SHARE = 0.3


def holdout_score(case_id: str) -> float:
    """The case's stable position in [0, 1)."""
    digest = hashlib.sha256(f"holdout\x00{case_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def is_held_out(case_id: str, share: float = HOLDOUT_SHARE) -> bool:
    return holdout_score(case_id) < share


def split_cases(
    cases: list[TestCase], share: float = HOLDOUT_SHARE
) -> tuple[list[TestCase], list[TestCase]]:
    """(cases a suggestion may see, held-out cases), each in test-set order."""
    seen = [c for c in cases if not is_held_out(c.id, share)]
    held = [c for c in cases if is_held_out(c.id, share)]
    return seen, held


def visible_failures(failures: list[StoredResult], share: float = HOLDOUT_SHARE):
    """The failing results a suggestion may be shown (never a held-out case)."""
    return [r for r in failures if not is_held_out(r.case_id, share)]


def held_out_flips(
    before: list[StoredResult],
    after: list[StoredResult],
    output_before: OutputFormat,
    output_after: OutputFormat | None = None,
    share: float = HOLDOUT_SHARE,
) -> FlipReport:
    """The flip report of the held-out cases only (before and after a suggested edit)."""
    held = [r for r in before if is_held_out(r.case_id, share)]
    held_after = [r for r in after if is_held_out(r.case_id, share)]
    return compare_results(held, held_after, output_before, output_after)
