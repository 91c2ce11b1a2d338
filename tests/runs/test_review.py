"""Review sessions over a stored run: reviews stored once per case and reviewer, undo,
expected labels written to the test set, unsure cases triaged, sampling and gold items."""

from __future__ import annotations

import pytest

from app.core.cases import load_cases, save_cases
from app.core.reviews import ReviewError, check_reviewer, progress_text
from app.runs.review.queue import build_queue, model_choice
from app.runs.review.session import ReviewSession, run_agreement
from app.runs.stored.triage_book import triage_entry
from app.store.reviews import run_reviews
from tests.support.review_data import TIERED, stored_run


def _expected(path) -> dict[str, str]:
    return {c.id: c.expected for c in load_cases(path)}


def test_accept_correct_undo_and_re_review_keep_one_review_per_case(tmp_path):
    store, run_id, cases = stored_run(tmp_path)
    session = ReviewSession(store, run_id, "ana")
    first, second = session.items[0], session.items[1]
    session.record(first)  # accept the model's "0"
    session.record(second, label="0", seconds=2.5)  # correct "1" to "0"
    session.record(second, label="1")  # a re-review replaces
    session.close()
    reviews = run_reviews(store, run_id)
    assert [(r.case_id, r.label, r.model_label) for r in reviews] == [
        ("c0", "0", "0"), ("c1", "1", "1"),
    ]  # fmt: skip
    assert _expected(cases)["c0"] == "0" and _expected(cases)["c1"] == "1"
    session.undo()  # the re-review: the correction comes back
    session.close()
    assert run_reviews(store, run_id)[1].label == "0" and _expected(cases)["c1"] == "0"
    session.undo()
    session.undo()
    session.close()
    assert run_reviews(store, run_id) == []
    assert _expected(cases) == {f"c{i}": "" for i in range(10)}
    assert session.undo() is None


def test_skip_unsure_and_notes(tmp_path):
    store, run_id, cases = stored_run(tmp_path)
    session = ReviewSession(store, run_id, "ana")
    session.record(session.items[0], state="skip")
    session.record(session.items[1], state="unsure", note="sarcasm?")
    session.set_note(session.items[2], "odd one")
    session.close()
    entry = triage_entry(store, str(cases), "c1", session.policy_hash)
    assert entry is not None and entry.kind == "policy" and "sarcasm?" in entry.note
    assert entry.rule_code == "SP1"
    states = {r.case_id: (r.state, r.note) for r in run_reviews(store, run_id)}
    assert states == {"c0": ("skip", ""), "c1": ("unsure", "sarcasm?"), "c2": ("skip", "odd one")}
    assert progress_text(10, list(session.reviews.values())) == "1 of 10 reviewed · 0 corrected"
    session.undo()  # the note's skip
    session.undo()  # unsure: the triage item goes too
    assert triage_entry(store, str(cases), "c1", session.policy_hash) is None
    assert _expected(cases)["c1"] == ""


def test_bad_inputs_are_one_sentence(tmp_path):
    store, run_id, cases = stored_run(tmp_path)
    with pytest.raises(ReviewError, match="control characters"):
        check_reviewer("ana\x1b[31m")
    with pytest.raises(ReviewError, match="Settings"):
        ReviewSession(store, run_id, "  ")
    session = ReviewSession(store, run_id, "ana")
    with pytest.raises(ReviewError, match="not one of this policy's labels"):
        session.record(session.items[0], label="maybe")
    with pytest.raises(ReviewError, match="no answer"):
        session.record(session.items[4])  # no verdict: nothing to accept
    with pytest.raises(ReviewError, match="no run"):
        ReviewSession(store, "nope", "ana")
    assert run_reviews(store, run_id) == []


def test_case_deleted_or_changed_while_under_review_keeps_the_review(tmp_path):
    store, run_id, cases = stored_run(tmp_path)
    session = ReviewSession(store, run_id, "ana")
    kept = [c for c in load_cases(cases) if c.id != "c0"]
    kept[0].content = "edited"  # c1 changed
    save_cases(cases, kept)
    session.record(session.items[0])
    session.record(session.items[1], label="0")
    session.record(session.items[2])
    session.close()
    assert any("c0 is no longer in the test set" in m for m in session.messages)
    assert any("c1 changed since the run" in m for m in session.messages)
    assert len(run_reviews(store, run_id)) == 3
    assert _expected(cases) == {**{f"c{i}": "" for i in range(1, 10)}, "c2": "0"}


def test_a_crash_before_the_file_write_is_finished_on_the_next_open(tmp_path):
    store, run_id, cases = stored_run(tmp_path)
    session = ReviewSession(store, run_id, "ana")
    session.writer.put = lambda review, value: None  # the process dies before writing
    session.record(session.items[1], label="0")
    assert _expected(cases)["c1"] == ""
    again = ReviewSession(store, run_id, "ana")
    again.close()
    assert _expected(cases)["c1"] == "0"
    assert [r.applied for r in run_reviews(store, run_id)] == [True]


def test_sampling_choices(tmp_path):
    store, run_id, _ = stored_run(tmp_path, 40)
    session = ReviewSession(store, run_id, "ana")
    output = session.output
    everything = build_queue(store, run_id, output)
    assert [i.case_id for i in everything] == [f"c{i}" for i in range(40)]
    share = build_queue(store, run_id, output, sampling="random", share=0.25, seed=3)
    assert len(share) == 10 and share == build_queue(
        store, run_id, output, sampling="random", share=0.25, seed=3
    )
    strata = build_queue(store, run_id, output, sampling="stratified", share=0.1, seed=1)
    labels = [model_choice(i.result, output) for i in strata]
    assert sorted(set(labels)) == ["", "0", "1"]  # every predicted label, no verdict too
    with pytest.raises(ValueError, match="share"):
        build_queue(store, run_id, output, sampling="random", share=0)


def test_contradicting_reasoning_first(tmp_path):
    store, run_id, _ = stored_run(tmp_path, 6)
    rows = store.results(run_id)
    rows[2].analysis = "This clearly violates the policy."  # answered 0: contradiction
    store.add_results([rows[2]])
    session = ReviewSession(store, run_id, "ana")
    queue = build_queue(store, run_id, session.output, sampling="contradicts")
    assert queue[0].case_id == "c2"


def test_gold_items_measure_the_reviewer(tmp_path):
    store, run_id, cases = stored_run(tmp_path, 30, expected=True)
    session = ReviewSession(store, run_id, "ana", sampling="random", share=0.2, gold_share=0.5)
    gold = [i for i in session.items if i.gold]
    assert len(gold) == 3 and len(session.items) >= 6
    for item in gold:
        session.record(item, label=item.gold)
    session.close()
    summary = run_agreement(store, run_id)
    assert summary.gold["ana"].value == 1.0
    assert _expected(cases) == {c.id: c.expected for c in load_cases(cases)}  # unchanged


def test_agreement_between_reviewers_and_with_the_model(tmp_path):
    store, run_id, _ = stored_run(tmp_path, 10)
    for who, flips in (("ana", {1}), ("ben", {1, 3})):
        session = ReviewSession(store, run_id, who)
        for item in session.items:
            if session.model_label(item):
                label = None if item.case_id not in {f"c{i}" for i in flips} else "0"
                session.record(item, label=label)
        session.close()
    summary = run_agreement(store, run_id)
    assert summary.reviewers == ["ana", "ben"]
    assert summary.reviewed == 16 and summary.corrected == 3
    assert summary.accuracy.value == pytest.approx(13 / 16)
    assert summary.between["agreement"].value == pytest.approx(7 / 8)
    assert summary.per_rule[0].key == "SP1" and summary.per_rule[0].agreed == 5
    assert "disagree most on SP1" in "\n".join(summary.lines())


def test_tiered_policy_reviews_pick_tiers(tmp_path):
    store, run_id, _ = stored_run(tmp_path, 4, policy=TIERED)
    rows = store.results(run_id)
    for row, tier in zip(rows, ("SP0", "SP2", "SP1", "SP2"), strict=True):
        row.label, row.tier, row.status = ("VALID" if tier == "SP0" else "INVALID"), tier, "ok"
    store.add_results(rows)
    session = ReviewSession(store, run_id, "ana")
    assert session.choices() == ["SP0", "SP1", "SP2"]
    review = session.record(session.items[1], label="sp1")
    assert (review.label, review.model_label, review.corrected) == ("SP1", "SP2", True)


def test_an_older_database_gets_the_reviews_table(tmp_path):
    from app.store import Store

    store, run_id, _ = stored_run(tmp_path)
    conn = store._conn()
    conn.execute("DROP TABLE reviews")
    conn.execute("UPDATE schema_version SET version=3")
    store.close()
    reopened = Store(tmp_path / "results.sqlite3")
    session = ReviewSession(reopened, run_id, "ana")
    session.record(session.items[0])
    assert len(run_reviews(reopened, run_id)) == 1


def test_kill_9_mid_review_loses_nothing_and_duplicates_nothing(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import textwrap

    from app.store import Store

    store, run_id, cases = stored_run(tmp_path, 200)
    store.close()
    code = textwrap.dedent(f"""
        import sys
        from app.store import Store
        from app.runs.review.session import ReviewSession
        session = ReviewSession(Store({str(tmp_path / "results.sqlite3")!r}), {run_id!r}, "ana")
        for round in range(1000):
            for item in session.items:
                if session.model_label(item):
                    session.record(item, label="1" if round % 2 else "0")
                    print(item.case_id, flush=True)
    """)
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, env=env)
    for _ in range(300):  # into the second round: every case reviewed, then re-reviewed
        child.stdout.readline()
    child.send_signal(signal.SIGKILL)
    child.wait()
    again = Store(tmp_path / "results.sqlite3")
    reviews = run_reviews(again, run_id)
    assert len(reviews) == 160 == len({r.case_id for r in reviews})  # 40 have no verdict
    session = ReviewSession(again, run_id, "ana")  # finishes the unwritten test-set labels
    session.close()
    expected = _expected(cases)
    assert all(expected[r.case_id] == r.label for r in run_reviews(again, run_id))


def test_two_reviewers_on_tiers_get_ordinal_alpha(tmp_path):
    store, run_id, _ = stored_run(tmp_path, 6, policy=TIERED)
    rows = store.results(run_id)
    tiers = ("SP0", "SP1", "SP2", "SP0", "SP1", "SP2")
    for row, tier in zip(rows, tiers, strict=True):
        row.label, row.tier, row.status = ("VALID" if tier == "SP0" else "INVALID"), tier, "ok"
    store.add_results(rows)
    for who, shift in (("ana", {}), ("ben", {"c2": "SP1", "c5": "SP1"})):
        session = ReviewSession(store, run_id, who)
        for item in session.items:
            session.record(item, label=shift.get(item.case_id))
        session.close()
    between = run_agreement(store, run_id).between
    assert set(between) == {"agreement", "kappa", "alpha", "alpha_ordinal", "ac1"}
    # ben's two answers are one tier off: ordinal alpha counts that as a near miss
    assert between["alpha_ordinal"].value > between["alpha"].value
    assert between["agreement"].value == pytest.approx(4 / 6)


def test_a_labelled_file_is_never_rewritten_by_reviews(tmp_path):
    store, run_id, cases = stored_run(tmp_path)
    source = tmp_path / "messages.csv"
    source.write_text("text\nhello\n", encoding="utf-8")
    store._conn().execute("UPDATE runs SET cases_path=? WHERE id=?", (str(source), run_id))
    session = ReviewSession(store, run_id, "ana")
    session.record(session.items[1], label="0")
    session.close()
    assert source.read_text(encoding="utf-8") == "text\nhello\n"
    assert any("not a test set" in m for m in session.messages)
    assert run_reviews(store, run_id)[0].label == "0"
