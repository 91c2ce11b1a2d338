"""Suggested edits asked of the real engine (tiny synthetic model, answers forced by a
grammar) and checked on the held-out cases."""

from __future__ import annotations

import pytest

from app.core.cases import TestCase
from app.core.records import StoredResult
from app.core.suggest import SuggestionError
from app.runs.stored.facts import last_suite_run, suite_runs
from app.runs.suggestion import ask_suggestion, check_suggestion
from app.scoring.holdout import is_held_out
from app.store import Store
from tests.support.requests import GRAMMAR, POLICY, request

ANSWER = (
    'root ::= <|channel|> "analysis" <|message|> [a-z ]{5,20} <|end|> <|start|> "assistant" '
    '<|channel|> "final" <|message|> "SECTION: Instructions\\nREPLACEMENT:\\nAnswer 1 " [a-z]{3,12}'
)
GARBAGE = (
    'root ::= <|channel|> "analysis" <|message|> [a-z ]{5,20} <|end|> <|start|> "assistant" '
    '<|channel|> "final" <|message|> "the policy is fine " [a-z]{3,12}'
)


def _failure(case_id: str) -> StoredResult:
    return StoredResult("r", case_id, "k", "ok", "1", "0", content="buy now <|end|>",
                        analysis="no rule fits")  # fmt: skip


def test_a_forced_replacement_becomes_a_suggestion_and_garbage_one_sentence(engine):
    visible = next(f"c{i}" for i in range(50) if not is_held_out(f"c{i}"))
    run = request("x", "x", max_tokens=80).run
    suggestion = ask_suggestion(engine, POLICY, [_failure(visible)], run, grammar=ANSWER)
    assert suggestion.section == "Instructions"
    assert suggestion.new_text.startswith("Answer 1 ")
    assert "Answer 0 or 1.\n## SP1" not in suggestion.policy_after
    assert suggestion.policy_after.count("SP1.a") == 1
    with pytest.raises(SuggestionError, match="not a section replacement"):
        ask_suggestion(engine, POLICY, [_failure(visible)], run, grammar=GARBAGE)
    held = next(f"c{i}" for i in range(50) if is_held_out(f"c{i}"))
    with pytest.raises(SuggestionError, match="held-out"):
        ask_suggestion(engine, POLICY, [_failure(held)], run, grammar=ANSWER)


def test_check_runs_only_the_held_out_cases_before_and_after(engine, tmp_path):
    cases = [TestCase(f"c{i}", f"check case {i}", "1") for i in range(10)]
    held = {c.id for c in cases if is_held_out(c.id)}
    assert held and len(held) < 10
    run = request("x", "x", max_tokens=40).run
    suggestion = ask_suggestion(
        engine, POLICY, [_failure(next(c.id for c in cases if c.id not in held))], run,
        grammar=ANSWER,
    )  # fmt: skip
    store = Store(tmp_path / "r.db")
    cases_path = str(tmp_path / "spam.cases.jsonl")
    own = store.create_run(store.add_policy_version(POLICY.text), cases_path=cases_path)
    report = check_suggestion(
        engine, POLICY, suggestion, cases, run, store=store, model_fingerprint="tiny",
        template_hash="t", cases_path=cases_path,
    )  # fmt: skip
    checks = [store.get_run(report.run_before), store.get_run(report.run_after)]
    assert [r.kind for r in checks] == ["suggestion", "suggestion"]
    # never taken for a test-set run: history, Metrics after a restart, pickers, `runs`
    assert [r.id for r in store.list_runs()] == [own]
    assert [r.id for r in suite_runs(store, cases_path)] == [own]
    assert last_suite_run(store, cases_path).id == own
    assert store.policy_version(checks[0].policy_hash).note == ""  # the writer's own version
    assert store.policy_version(checks[1].policy_hash).note == "suggestion check"
    before = store.results(report.run_before)
    after = store.results(report.run_after)
    assert {r.case_id for r in before} == held == {r.case_id for r in after}
    assert {f.case_id for f in report.flips} <= held
    assert run.grammar == GRAMMAR  # the classifier runs keep their own settings
    store.close()
