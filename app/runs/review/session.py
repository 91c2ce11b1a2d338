"""A review session: one person going through a run's queue, and what each review changes.

:class:`ReviewSession` records each key's decision at once in the ``reviews`` table
(:mod:`app.core.reviews`) and keeps an undo stack; it never waits on a file or the engine.
What a review changes in the test set happens in the background, in the order recorded:

* a label chosen (accepted or corrected) becomes the case's ``expected`` through the
  test-set writer of :mod:`app.core.cases` (the old value kept in the review, so undo
  writes it back); gold items change nothing — they measure the reviewer;
* *unsure* files the case as a triage item ("policy unclear", with the note).

A review's ``applied`` flag is set once its label is in the file, so a crash (kill -9)
between the two is finished when the next session of that run opens. A case deleted from
the test set, or whose content changed since the run, keeps its review and is reported in
one sentence (``messages``) instead of being written.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path

from app.core.cases import CasesError, load_cases, save_cases
from app.core.fingerprint import text_hash
from app.core.reviews import Review, ReviewError, check_label, check_reviewer, review_choices
from app.runs.review.queue import QueueItem, build_queue, model_choice
from app.runs.stored.history import StoredRun, stored_run, stored_run_agreement
from app.runs.stored.triage_book import TriageError, file_triage, triage_entry, undo_triage
from app.scoring.review_agreement import ReviewAgreement, review_agreement
from app.store import Store
from app.store.reviews import (
    delete_review,
    mark_applied,
    put_review,
    run_reviews,
    set_result_expected,
)


def reviewed_run(store: Store, run_id: str) -> StoredRun:
    """A stored run to review; ReviewError when it or its policy text is gone."""
    try:
        loaded = stored_run(store, run_id)
    except ValueError as exc:
        raise ReviewError(str(exc)) from None
    if loaded.version is None:
        raise ReviewError(f"The policy text of run {run_id} is missing; run the policy again.")
    return loaded


def run_agreement(store: Store, run_id: str) -> ReviewAgreement:
    """The agreement figures of every review of a run."""
    loaded = reviewed_run(store, run_id)
    found = stored_run_agreement(store, run_id, loaded.output, loaded.results)
    return found if found is not None else review_agreement([], loaded.output)


WRITE_PAUSE_S = 0.5  # the writer waits this long for more reviews before writing the file


class ExpectedWriter:
    """Writes reviewed labels into the test set on its own thread, in order, once the
    reviewer pauses (a fast reviewer's keys never wait on a file rewrite)."""

    def __init__(self, store: Store, cases_path: str, report: Callable[[str], None]) -> None:
        self._store, self._path, self._report = store, cases_path, report
        self._jobs: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._work, daemon=True, name="review-writer")
        self._thread.start()

    def put(self, review: Review, value: str) -> None:
        """Write ``value`` as the expected label of the review's case (then mark it)."""
        self._jobs.put((review, value))

    def flush(self) -> None:
        """Wait until every write asked for so far is made."""
        self._jobs.join()

    def _work(self) -> None:
        while True:
            batch = [self._jobs.get()]
            while True:  # gather until the reviewer pauses: one file write per pause
                try:
                    batch.append(self._jobs.get(timeout=WRITE_PAUSE_S))
                except queue.Empty:
                    break
            try:
                self._write(batch)
            except (OSError, CasesError) as exc:
                self._report(f"The test set could not be updated ({exc}); reviews are kept.")
            finally:
                for _ in batch:
                    self._jobs.task_done()

    def _write(self, batch: list[tuple[Review, str]]) -> None:
        if not self._path or not Path(self._path).is_file():
            self._report("This run has no test-set file; reviews are kept in the database only.")
            return
        if Path(self._path).suffix.lower() != ".jsonl":
            self._report(f"The run's cases come from {Path(self._path).name}, not a test set; "
                         "reviews are kept, and Save reviewed as a new test set makes one.")  # fmt: skip
            return
        cases = load_cases(self._path)
        by_id = {case.id: case for case in cases}
        for review, value in batch:
            case = by_id.get(review.case_id)
            if case is None:
                self._report(f"Case {review.case_id} is no longer in the test set; its review "
                             "is kept but not written to it.")  # fmt: skip
            elif text_hash(case.content) != review.content_hash:
                self._report(f"Case {review.case_id} changed since the run; its review is "
                             "kept but not written to the test set.")  # fmt: skip
            else:
                case.expected = value
        save_cases(self._path, cases)
        for review, _ in batch:
            mark_applied(self._store, review)


class ReviewSession:
    """One reviewer's pass over a run's queue (see the module notes)."""

    def __init__(
        self, store: Store, run_id: str, reviewer: str, queue_items: list[QueueItem] | None = None,
        **sampling,
    ) -> None:  # fmt: skip
        self.reviewer = check_reviewer(reviewer)
        self.store, self.run_id = store, run_id
        loaded = reviewed_run(store, run_id)
        self.output, self.policy_hash = loaded.output, loaded.run.policy_hash
        self.cases_path = loaded.run.cases_path
        self.policy_text = loaded.policy_text  # the policy the run used: highlights quote it
        self.items = queue_items if queue_items is not None else build_queue(
            store, run_id, self.output, results=loaded.results, **sampling
        )  # fmt: skip
        self.reviews = {r.case_id: r for r in run_reviews(store, run_id, self.reviewer)}
        self.messages: list[str] = []
        self._undo: list[tuple[Review, Review | None]] = []
        self.writer = ExpectedWriter(store, self.cases_path, self.messages.append)
        for review in self.reviews.values():  # finish what a crash left unwritten
            if review.state == "done" and not review.gold and not review.applied:
                self._expect(review, review.label)

    def choices(self) -> list[str]:
        return review_choices(self.output)

    def model_label(self, item: QueueItem) -> str:
        return model_choice(item.result, self.output)

    def record(
        self, item: QueueItem, *, label: str | None = None, state: str = "done",
        note: str = "", seconds: float = 0.0,
    ) -> Review:  # fmt: skip
        """Record a decision on ``item``: ``label`` (None: accept the model's), or the state
        ``skip`` / ``unsure``. Replaces this reviewer's earlier review of the case."""
        model = self.model_label(item)
        if state == "done":
            chosen = model if label is None else check_label(label, self.output)
            if not chosen:
                raise ReviewError("The model gave no answer here; pick a label or skip.")
        else:
            chosen = ""
        previous = self.reviews.get(item.case_id)
        gold = self._gold_label(item)
        old = previous.old_expected if previous else item.result.expected  # as the run had it
        review = Review(
            self.run_id, item.case_id, self.reviewer, self.policy_hash,
            text_hash(item.result.content), chosen, model, state, note, round(seconds, 3),
            gold, old, False, time.time(),
        )  # fmt: skip
        put_review(self.store, review)
        self.reviews[item.case_id] = review
        self._undo.append((review, previous))
        self._apply(review, previous)
        return review

    def _gold_label(self, item: QueueItem) -> str:
        if not item.gold:
            return ""
        try:
            return check_label(item.gold, self.output)
        except ReviewError:
            return item.gold

    def _apply(self, review: Review, previous: Review | None) -> None:
        if previous is not None and previous.state == "unsure":
            self._untriage(previous.case_id)
        if review.gold:
            return
        if review.state == "done":
            self._expect(review, review.label)
        elif previous is not None and previous.state == "done" and not previous.gold:
            self._expect(review, previous.old_expected or "")
        if review.state == "unsure":
            result = next((i.result for i in self.items if i.case_id == review.case_id), None)
            rule = result.rule_codes[0] if result and result.rule_codes else ""
            try:
                file_triage(
                    self.store, self.cases_path, review.case_id, self.policy_hash, "policy",
                    rule_code=rule, note=f"unsure in review ({self.reviewer}) {review.note}".strip(),
                )  # fmt: skip
            except TriageError as exc:
                self.messages.append(str(exc))

    def _expect(self, review: Review, value: str) -> None:
        """``value`` becomes the case's expected label: in the run's stored result at once
        (its metrics follow), in the test-set file in the background."""
        set_result_expected(self.store, self.run_id, review.case_id, value)
        self.writer.put(review, value)

    def _untriage(self, case_id: str) -> None:
        if triage_entry(self.store, self.cases_path, case_id, self.policy_hash) is not None:
            undo_triage(self.store, self.cases_path, case_id, self.policy_hash)

    def undo(self) -> Review | None:
        """Take back the last decision (its test-set write and triage too); the review it
        replaced, if any, is restored. Returns the review taken back, or None."""
        if not self._undo:
            return None
        review, previous = self._undo.pop()
        if review.state == "unsure":
            self._untriage(review.case_id)
        if previous is None:
            delete_review(self.store, self.run_id, review.case_id, self.reviewer)
            self.reviews.pop(review.case_id, None)
            if review.state == "done" and not review.gold:
                self._expect(review, review.old_expected or "")
        else:
            previous.applied = False
            put_review(self.store, previous)
            self.reviews[review.case_id] = previous
            self._apply(previous, None)
        return review

    def add_new_results(self) -> int:
        """Append the answers the run stored since the queue was built (a run still going:
        its cases queue up as they land); returns how many."""
        have = {item.case_id for item in self.items}
        new = [QueueItem(r) for r in self.store.results(self.run_id) if r.case_id not in have]
        self.items.extend(new)
        return len(new)

    def set_note(self, item: QueueItem, note: str) -> Review:
        """Attach a note to the case's review (a skip when it has none yet)."""
        current = self.reviews.get(item.case_id)
        if current is None:
            return self.record(item, state="skip", note=note)
        current.note = note
        put_review(self.store, current)
        return current

    def close(self) -> None:
        self.writer.flush()
