"""The ``reviews`` table: store, read, delete and mark reviews (:mod:`app.core.reviews` says
what a review is), and a run's stored expected label after a review corrects it."""

from __future__ import annotations

import time

from app.core.reviews import COLUMNS, STATES, Review, ReviewError
from app.store.database import Store


def _row(row) -> Review:  # noqa: ANN001
    data = dict(row)
    data["applied"] = bool(data["applied"])
    return Review(**data)


def put_review(store: Store, review: Review) -> Review | None:
    """Store a review (replacing that reviewer's earlier one of the case); return the one
    it replaced, or None."""
    if review.state not in STATES:
        raise ReviewError(f"'{review.state}' is not a review state; use {', '.join(STATES)}.")
    review.created = review.created or time.time()
    previous = get_review(store, review.run_id, review.case_id, review.reviewer)
    values = [getattr(review, name) for name in COLUMNS]
    store._execute(
        f"INSERT OR REPLACE INTO reviews ({','.join(COLUMNS)}) "
        f"VALUES ({','.join('?' * len(COLUMNS))})",
        values,
    )
    return previous


def get_review(store: Store, run_id: str, case_id: str, reviewer: str) -> Review | None:
    rows = store._select(
        "SELECT * FROM reviews WHERE run_id=? AND case_id=? AND reviewer=?",
        (run_id, case_id, reviewer),
    )
    return _row(rows[0]) if rows else None


def delete_review(store: Store, run_id: str, case_id: str, reviewer: str) -> None:
    store._execute(
        "DELETE FROM reviews WHERE run_id=? AND case_id=? AND reviewer=?",
        (run_id, case_id, reviewer),
    )


def run_reviews(store: Store, run_id: str, reviewer: str | None = None) -> list[Review]:
    """A run's reviews, oldest first, of one reviewer or of all."""
    sql, args = "SELECT * FROM reviews WHERE run_id=?", [run_id]
    if reviewer is not None:
        sql, args = sql + " AND reviewer=?", [*args, reviewer]
    return [_row(row) for row in store._select(sql + " ORDER BY created", args)]


def mark_applied(store: Store, review: Review) -> None:
    """Record that a review's label is written to the test set."""
    review.applied = True
    store._execute(
        "UPDATE reviews SET applied=1 WHERE run_id=? AND case_id=? AND reviewer=?",
        (review.run_id, review.case_id, review.reviewer),
    )


def set_result_expected(store: Store, run_id: str, case_id: str, label: str) -> None:
    """The expected label of a run's stored result, so its metrics follow a review at once."""
    store._execute(
        "UPDATE results SET expected=? WHERE run_id=? AND case_id=?", (label, run_id, case_id)
    )
