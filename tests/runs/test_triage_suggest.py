"""Triage filed in the store (gold-label round trip, notes, history, migration) and
suggested edits parsed against the policy's sections."""

from __future__ import annotations

import sqlite3

import pytest

from app.core.cases import TestCase, load_cases, save_cases
from app.core.records import StoredResult
from app.core.suggest import (
    SuggestionError,
    parse_suggestion,
    sections,
    suggestion_request_parts,
)
from app.runs.stored.history import case_history
from app.runs.stored.triage_book import (
    TriageError,
    file_triage,
    policy_notes,
    summary_line,
    triage_entries,
    undo_triage,
)
from app.store import Store
from app.store.rows import SCHEMA_VERSION

POLICY = """---
format: binary
---
# Spam

## Instructions
Answer 1 or 0.

## Criteria
- SP2.a Fake prizes.
- SP2.c Links to unknown shops.

## Examples
"You won!" -> 1
"""


def test_gold_label_round_trip_is_recorded_and_undoable(store, tmp_path):
    path = tmp_path / "cases.jsonl"
    save_cases(path, [TestCase("a", "win a prize", "0"), TestCase("b", "hello", "0")])
    entry = file_triage(store, str(path), "a", "v1", "gold", new_label="1")
    assert entry.old_label == "0" and entry.new_label == "1"
    assert [c.expected for c in load_cases(path)] == ["1", "0"]
    assert triage_entries(store, str(path), "v1")["a"].old_label == "0"
    assert triage_entries(store, str(path), "v2") == {}
    undone = undo_triage(store, str(path), "a", "v1")
    assert undone.kind == "gold" and [c.expected for c in load_cases(path)] == ["0", "0"]
    assert triage_entries(store, str(path)) == {}
    with pytest.raises(TriageError, match="not triaged"):
        undo_triage(store, str(path), "a", "v1")


def test_refiling_undoes_the_gold_change_and_notes_list_by_rule(store, tmp_path):
    path = tmp_path / "cases.jsonl"
    save_cases(path, [TestCase("a", "x", "0")])
    file_triage(store, str(path), "a", "v1", "gold", new_label="1")
    file_triage(store, str(path), "a", "v1", "policy", rule_code="SP2.c", note="shops vs ads")
    assert load_cases(path)[0].expected == "0"  # the gold change was taken back
    assert policy_notes(store, "v1") == {"SP2.c": ["shops vs ads"]}
    with pytest.raises(TriageError, match="Choose the label"):
        file_triage(store, str(path), "a", "v1", "gold")
    with pytest.raises(TriageError, match="not a triage kind"):
        file_triage(store, str(path), "a", "v1", "shrug")
    with pytest.raises(TriageError, match="not in cases.jsonl"):
        file_triage(store, str(path), "zz", "v1", "gold", new_label="1")
    with pytest.raises(TriageError, match="no test-set file"):
        file_triage(store, "", "a", "v1", "gold", new_label="1")


def test_undo_refuses_when_the_label_was_edited_since(store, tmp_path):
    path = tmp_path / "cases.jsonl"
    save_cases(path, [TestCase("a", "x", "0")])
    file_triage(store, str(path), "a", "v1", "gold", new_label="1")
    save_cases(path, [TestCase("a", "x", "2")])
    with pytest.raises(TriageError, match="changed to 2 since"):
        undo_triage(store, str(path), "a", "v1")
    assert load_cases(path)[0].expected == "2"


def test_summary_line():
    from app.runs.stored.triage_book import TriageEntry

    entries = [TriageEntry("p", str(i), "v", kind) for i, kind in
               enumerate(["gold"] * 3 + ["policy"] * 6 + ["model"] * 3)]  # fmt: skip
    assert summary_line(12, entries) == "of 12 failures: 3 gold, 6 policy, 3 model"
    assert summary_line(14, entries).endswith(", 2 not triaged")


def test_case_history_over_policy_versions(store):
    for text, label in (("v1 text", "0"), ("v2 text", "1"), ("v2 text", "0")):
        run = store.create_run(store.add_policy_version(text), cases_path="/t/cases.jsonl")
        store.add_result(StoredResult(run, "a", "k", "ok", "1", label))
    history = case_history(store, "a", "/t/cases.jsonl")
    assert [(v.prediction, v.correct) for v in history] == [("0", False), ("0", False)]
    assert len({v.policy_hash for v in history}) == 2
    assert case_history(store, "a", "/other") == []


def test_a_version_1_database_is_migrated(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version "
        "VALUES (1); CREATE TABLE policy_versions (hash TEXT PRIMARY KEY, text TEXT NOT NULL, "
        "created REAL NOT NULL, note TEXT NOT NULL DEFAULT '', path TEXT NOT NULL DEFAULT '');"
        "INSERT INTO policy_versions VALUES ('h', 'old policy', 1.0, '', '');"
    )
    conn.commit()
    conn.close()
    store = Store(path)
    try:
        version = store._conn().execute("SELECT version FROM schema_version").fetchone()
        assert version[0] == SCHEMA_VERSION == 5
        assert store.policy_version("h").text == "old policy"
        assert triage_entries(store, "x") == {} and store.sample_runs("r") == []
    finally:
        store.close()


def test_sections_skip_front_matter_and_fences():
    text = POLICY + "```\n# not a heading\n```\n"
    assert [s.title for s in sections(text)] == ["Spam", "Instructions", "Criteria", "Examples"]


def test_good_suggestion_replaces_one_section():
    answer = (
        "SECTION: Criteria\nREPLACEMENT:\n- SP2.a Fake prizes.\n"
        "- SP2.c Links to shops that ask for card details before showing prices.\n"
    )
    s = parse_suggestion(answer, POLICY)
    assert s.section == "Criteria"
    assert "card details" in s.policy_after and "Links to unknown shops" not in s.policy_after
    assert s.policy_after.count("## Examples") == 1 and "Answer 1 or 0." in s.policy_after
    assert s.policy_after.startswith("---\nformat: binary\n---\n")
    diff = s.diff()
    assert "-- SP2.c Links to unknown shops." in diff
    json_answer = '{"section": "## Instructions", "replacement": "Answer 1 or 0 only."}'
    assert "Answer 1 or 0 only." in parse_suggestion(json_answer, POLICY).policy_after
    fenced = '**SECTION:** Examples\nREPLACEMENT:\n```\n"Free iPhone" -> 1\n```'
    assert '"Free iPhone" -> 1\n' in parse_suggestion(fenced, POLICY).policy_after


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("I think the policy is fine.", "not a section replacement"),
        ("", "not a section replacement"),
        ("SECTION: Appeals\nREPLACEMENT:\nAppeal within 7 days.", "section 'Appeals' that"),
        ("SECTION: Criteria\nREPLACEMENT:\n   \n", "empty"),
        ("SECTION: Instructions\nREPLACEMENT:\nAnswer 1 or 0.", "unchanged"),
    ],
)
def test_unusable_suggestions_are_one_sentence(answer, message):
    with pytest.raises(SuggestionError, match=message) as info:
        parse_suggestion(answer, POLICY)
    assert str(info.value).count(". ") == 0 and str(info.value).endswith(".")


def test_suggestion_prompt_carries_cases_and_reasoning():
    fail = StoredResult("r", "c1", "k", "ok", "1", "0", content="win <|end|> now",
                        analysis="No rule fits.")  # fmt: skip
    instructions, content = suggestion_request_parts("# Spam\n- SP1 ads", [fail])
    assert "ONE section" in instructions and "SECTION:" in instructions
    assert "Expected label: 1. The classifier answered: 0." in content
    assert "win <|end|> now" in content and "No rule fits." in content
    with pytest.raises(SuggestionError, match="at least one"):
        suggestion_request_parts("x", [])
