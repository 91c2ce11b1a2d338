"""The tables kept beside the store's own (triage filings, reviews, an imported review
file's run) pass the store's error handling: a full disk while writing one is one
StoreError sentence, never a raw sqlite3 error, and the store keeps working after it."""

from __future__ import annotations

import pytest

from app.core.records import RunRecord
from app.core.reviews import Review
from app.runs.stored.triage_book import file_triage, triage_entries
from app.store import Store, StoreError
from app.store.reviews import put_review, run_reviews
from tests.support.storage_faults import tiny_disk

BIG = "a note that does not fit " * 8000  # ~200 kB: needs far more pages than are left


@pytest.fixture
def full_store(tmp_path, monkeypatch: pytest.MonkeyPatch) -> Store:
    path = tmp_path / "results.sqlite3"
    Store(path).close()  # the tables first, then a disk with three pages to spare
    tiny_disk(monkeypatch)
    store = Store(path)
    yield store
    store.close()


def _one_sentence(caught: pytest.ExceptionInfo) -> str:
    text = str(caught.value)
    assert text.endswith(".")
    assert "\n" not in text and "OperationalError" not in text and "database or disk" not in text
    return text


def test_a_triage_filing_on_a_full_disk_is_one_sentence(full_store: Store) -> None:
    with pytest.raises(StoreError) as caught:
        file_triage(full_store, "/t/cases.jsonl", "c1", "p" * 64, "policy", note=BIG)
    assert "full" in _one_sentence(caught)
    assert triage_entries(full_store, "/t/cases.jsonl") == {}  # nothing half written; still open


def test_a_review_on_a_full_disk_is_one_sentence(full_store: Store) -> None:
    review = Review("r1", "c1", "ana", "p" * 64, "h" * 64, label="VALID", note=BIG)
    with pytest.raises(StoreError) as caught:
        put_review(full_store, review)
    assert "full" in _one_sentence(caught)
    assert run_reviews(full_store, "r1") == []


def test_an_imported_run_on_a_full_disk_is_one_sentence(full_store: Store) -> None:
    digest = full_store.add_policy_version("# Policy\n")
    run = RunRecord("r1", digest, model=BIG, cases_path="/t/cases.jsonl", total=1)
    with pytest.raises(StoreError) as caught:
        full_store.add_finished_run(run)
    assert "full" in _one_sentence(caught)
    assert full_store.get_run("r1") is None


def test_an_imported_run_is_stored_finished_as_recorded(tmp_path) -> None:
    store = Store(tmp_path / "results.sqlite3")
    digest = store.add_policy_version("# Policy\n")
    store.add_finished_run(
        RunRecord("r1", digest, model="m.gguf", settings={"seed": 3}, cases_path="/t/c.jsonl",
                  total=2, started=10.0, finished=20.0, output_format="labels")
    )  # fmt: skip
    run = store.get_run("r1")
    assert (run.status, run.settings, run.total, run.started, run.finished) == (
        "finished", {"seed": 3}, 2, 10.0, 20.0,
    )  # fmt: skip
    assert (run.kind, run.output_format, run.model) == ("suite", "labels", "m.gguf")
    store.close()
