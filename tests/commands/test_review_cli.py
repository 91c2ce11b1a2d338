"""``safeguard-studio review``: agreement as JSON, and a review file round trip between
two data folders (conflicts shown, nothing overwritten, a second import adds nothing)."""

from __future__ import annotations

import json

import app.cli
from app.runs.review.session import ReviewSession
from app.store import Store
from app.store.reviews import run_reviews
from tests.support.review_data import TIERED, stored_run


def _review(store, run_id, who, corrections=()):
    session = ReviewSession(store, run_id, who)
    for item in session.items:
        if session.model_label(item):
            fixed = item.case_id in corrections
            session.record(item, label="0" if fixed else None)
    session.close()


def test_review_json_gives_the_agreement_of_a_run(tmp_path, capsys):
    store, run_id, _ = stored_run(tmp_path)
    _review(store, run_id, "ana", {"c1"})
    store.close()
    db = str(tmp_path / "results.sqlite3")
    assert app.cli.main(["review", "--db", db, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["run"] == run_id and data["reviewed"] == 8 and data["corrected"] == 1
    assert data["accuracy"]["value"] == 7 / 8 and data["kappa"]["n"] == 8
    assert app.cli.main(["review", "--db", db]) == 0
    assert "reviewer vs model: accuracy 0.875" in capsys.readouterr().out


def test_review_file_round_trip_between_two_data_folders(tmp_path, capsys):
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    store_a, run_id, _ = stored_run(tmp_path / "a")
    _review(store_a, run_id, "ana", {"c1"})
    db_a, db_b = str(tmp_path / "a" / "results.sqlite3"), str(tmp_path / "b" / "r.sqlite3")
    out = tmp_path / "queue.jsonl"
    assert app.cli.main(["review", "--db", db_a, "export", run_id, str(out)]) == 0
    assert app.cli.main(["review", "--db", db_b, "import", str(out)]) == 0
    said = capsys.readouterr().out
    assert "The run was added" in said and "8 reviews added" in said
    store_b = Store(db_b)
    _review(store_b, run_id, "ben", {"c1", "c3"})
    conflict = ReviewSession(store_b, run_id, "ana")  # ben's copy of ana's c1, changed
    conflict.record(conflict.items[1], label="1")
    conflict.close()
    back = tmp_path / "back.jsonl"
    assert app.cli.main(["review", "--db", db_b, "export", run_id, str(back)]) == 0
    assert app.cli.main(["review", "--db", db_a, "import", str(back)]) == 0
    said = capsys.readouterr().out
    assert "8 reviews added, 7 already here." in said
    assert "c1 by ana: 0 here, 1 in the file" in said  # shown, not overwritten
    assert {r.label for r in run_reviews(store_a, run_id, "ana") if r.case_id == "c1"} == {"0"}
    assert app.cli.main(["review", "--db", db_a, "import", str(back)]) == 0
    assert "0 reviews added, 15 already here." in capsys.readouterr().out
    assert len(run_reviews(store_a, run_id)) == 16
    assert app.cli.main(["review", "--db", db_a, "--run", run_id, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["reviewers"] == ["ana", "ben"]


def test_bad_review_files_are_one_sentence(tmp_path, capsys):
    store, run_id, cases = stored_run(tmp_path)
    out = tmp_path / "q.jsonl"
    db = str(tmp_path / "results.sqlite3")
    assert app.cli.main(["review", "--db", db, "export", run_id, str(out)]) == 0
    lines = out.read_text("utf-8").splitlines()
    changed = json.loads(lines[2])
    changed["content_hash"] = "0" * 64
    changed["reviews"] = [{"reviewer": "x", "label": "1", "policy_hash": "p", "content_hash": "h"}]
    (tmp_path / "changed.jsonl").write_text("\n".join([lines[0], json.dumps(changed)]) + "\n")
    assert app.cli.main(["review", "--db", db, "import", str(tmp_path / "changed.jsonl")]) == 0
    assert "1 cases changed since the file was written (c1)" in capsys.readouterr().out
    bad = json.loads(lines[3])
    base = {"run_id": run_id, "policy_hash": "p", "content_hash": "h", "label": "1"}
    bad["reviews"] = [
        {**base, "reviewer": "eve\x1b[2J"},  # control characters in the name
        {**base, "reviewer": "eve", "label": "maybe"},  # not one of the policy's labels
        {"reviewer": "eve"},  # no fields
    ]
    (tmp_path / "bad.jsonl").write_text("\n".join([lines[0], json.dumps(bad)]) + "\n")
    assert app.cli.main(["review", "--db", db, "import", str(tmp_path / "bad.jsonl")]) == 0
    said = capsys.readouterr().out
    assert "0 reviews added" in said and "3 reviews were refused" in said
    assert run_reviews(store, run_id) == []
    header = json.loads(lines[0])
    other = Store(tmp_path / "other.sqlite3")
    header["policy_hash"] = other.add_policy_version(TIERED)
    header["policy_text"] = TIERED
    (tmp_path / "other.jsonl").write_text(json.dumps(header) + "\n")
    assert app.cli.main(["review", "--db", db, "import", str(tmp_path / "other.jsonl")]) == 2
    assert "another policy version" in capsys.readouterr().err
    (tmp_path / "junk.jsonl").write_text("{}\n")
    assert app.cli.main(["review", "--db", db, "import", str(tmp_path / "junk.jsonl")]) == 2
    assert "is not a review file" in capsys.readouterr().err
    assert app.cli.main(["review", "--db", db, "export", "nope", str(out)]) == 2
    assert "no run nope" in capsys.readouterr().err
