"""Verdict parsing: recorded final answers under the binary, labels and json output formats."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.policy import OutputFormat, parse_policy
from app.core.verdict import Verdict, VerdictStatus, parse_verdict
from app.core.verdict import reading as verdict_module
from app.engine.harmony.text import parse_harmony_text

OK, UNPARSABLE = VerdictStatus.OK, VerdictStatus.UNPARSABLE
BINARY = OutputFormat()
SP = OutputFormat(
    kind="labels", labels=("SP0", "SP1", "SP2", "SP3", "SP4"), violating=("SP2", "SP3", "SP4")
)
VALIDITY = OutputFormat(kind="labels", labels=("VALID", "INVALID"), violating=("INVALID",))
JSON = OutputFormat(kind="json")
JSON_WORDS = OutputFormat(kind="json", labels=("safe", "unsafe"), violating=("unsafe",))


@pytest.mark.parametrize(
    ("final", "label"),
    [
        ("1", "1"),
        (" 0 \n", "0"),
        ("```\n1\n```", "1"),
        ("1.", "1"),
        ("Answer: 1", "1"),
        ("**1**", "1"),
        ("`0`", "0"),
        ("Final answer: **0**", "0"),
        ("1 (SP2.a)", "1"),
        ("1 - matches SP2.a", "1"),
        ("1\nThe post is a prize scam; 0 other rules apply.", "1"),
        ("The post is a prize scam.\nAnswer: 1", "1"),
        ("1\n\nAnswer: 1", "1"),
    ],
)
def test_binary_ok(final: str, label: str) -> None:
    result = parse_verdict(final, BINARY)
    assert result.status is OK, result.message
    assert result.label == label
    assert result.violates is (label == "1")
    assert result.raw == final
    assert result.message == ""


@pytest.mark.parametrize(
    "final",
    [
        "0 or 1",
        "1\n0",
        "Answer: 0\nAnswer: 1",
        "1 (not 0)",
        "The content is 1 of many",
        "1 of many posts like it",
        "The content is fine.",
        'It says {"violation": 1} here.',  # the cookbook's JSON only as the whole answer
        "10",
        "0.5",
    ],
)
def test_binary_unparsable(final: str) -> None:
    result = parse_verdict(final, BINARY)
    assert result.status is UNPARSABLE
    assert result.label is None and result.violates is None
    assert result.raw == final
    assert result.message.endswith(".")


def test_binary_collects_rule_codes() -> None:
    result = parse_verdict("1 (SP2.a, SP2.b)\nSee also HS-3.", BINARY)
    assert result.rule_codes == ["SP2.a", "SP2.b", "HS-3"]


@pytest.mark.parametrize(
    ("final", "output", "label", "violates"),
    [
        ("SP2", SP, "SP2", True),
        ("sp0", SP, "SP0", False),
        ("SP2 (SP2.a)", SP, "SP2", True),
        ("**Label:** SP3", SP, "SP3", True),
        ("The content falls under SP1.", SP, "SP1", False),
        ("SP2\nSP3: does not apply here", SP, "SP2", True),
        ("It cites SP2.a and SP2.b", SP, "SP2", True),
        ("INVALID", VALIDITY, "INVALID", True),
        ("valid", VALIDITY, "VALID", False),
        ("The review is INVALID; it is not a valid review", VALIDITY, "INVALID", True),
    ],
)
def test_labels_ok(final: str, output: OutputFormat, label: str, violates: bool) -> None:
    result = parse_verdict(final, output)
    assert result.status is OK, result.message
    assert (result.label, result.violates) == (label, violates)


def test_rule_code_alone_counts_as_label_and_says_so() -> None:
    result = parse_verdict("Violates SP2.a.", SP)
    assert result.label == "SP2"
    assert "SP2.a" in result.message
    assert result.rule_codes == ["SP2.a"]


def test_whole_word_label_beats_rule_code_prefix() -> None:
    result = parse_verdict("SP3 applies; SP2.a was considered.", SP)
    assert result.label == "SP3"
    assert result.message == ""


@pytest.mark.parametrize(
    ("final", "output"),
    [
        ("SP2 or SP3", SP),
        ("SP2\nSP3", SP),
        ("SP2.a and SP3.b", SP),
        ("Nothing here matches.", SP),
        ("It is valid, no wait, invalid", VALIDITY),
        ("SPAM", SP),
    ],
)
def test_labels_unparsable(final: str, output: OutputFormat) -> None:
    result = parse_verdict(final, output)
    assert result.status is UNPARSABLE
    assert result.label is None
    assert result.raw == final


@pytest.mark.parametrize(
    ("final", "label", "codes", "rationale"),
    [
        ('{"violation": 1, "policy_category": "SP2.a"}', "1", ["SP2.a"], ""),
        (
            '```json\n{"violation": true, "policy_category": null, "rationale": "A scam."}\n```',
            "1",
            [],
            "A scam.",
        ),
        (
            'Here it is: {"violation": "no", "policy_category": ["SP1.b", "SP2"]} done',
            "0",
            ["SP1.b", "SP2"],
            "",
        ),
        ('{"violation": "0", "policy_category": "none"}', "0", [], ""),
        ('{"violation": false}', "0", [], ""),
        ('{"violation": "Yes", "rationale": "Matches SP4.c."}', "1", ["SP4.c"], "Matches SP4.c."),
        ('{"Violation": 1, "policy_category": "SP2.a, SP2.b"}', "1", ["SP2.a", "SP2.b"], ""),
    ],
)
def test_json_ok(final: str, label: str, codes: list[str], rationale: str) -> None:
    result = parse_verdict(final, JSON)
    assert result.status is OK, result.message
    assert result.label == label
    assert result.violates is (label == "1")
    assert result.rule_codes == codes
    assert result.rationale == rationale


@pytest.mark.parametrize(
    "final",
    [
        '{"violation": 1,}',
        '{"policy_category": "SP2.a"}',
        '{"violation": 2}',
        '{"violation": "maybe"}',
        "1",
        "no JSON at all",
        '["violation", 1]',
    ],
)
def test_json_unparsable(final: str) -> None:
    result = parse_verdict(final, JSON)
    assert result.status is UNPARSABLE
    assert result.raw == final
    assert result.message


@pytest.mark.parametrize(
    ("final", "label"),
    [
        ('{"violation": 1}', "unsafe"),
        ('{"violation": "safe"}', "safe"),
        ('{"violation": false}', "safe"),
    ],
)
def test_json_with_word_labels(final: str, label: str) -> None:
    result = parse_verdict(final, JSON_WORDS)
    assert result.label == label
    assert result.violates is (label == "unsafe")


def test_json_with_several_violating_labels_is_unparsable() -> None:
    output = OutputFormat(kind="json", labels=("low", "high", "none"), violating=("low", "high"))
    assert parse_verdict('{"violation": true}', output).status is UNPARSABLE
    assert parse_verdict('{"violation": "high"}', output).label == "high"


def test_no_final_after_budget() -> None:
    result = parse_verdict(None, BINARY, stop_reason="budget")
    assert result.status is VerdictStatus.NO_VERDICT
    assert "token budget" in result.message and "reasoning" in result.message
    assert result.label is None and result.violates is None


@pytest.mark.parametrize("final", [None, "", "  \n"])
def test_empty_or_missing_final(final: str | None) -> None:
    result = parse_verdict(final, JSON)
    assert result.status is VerdictStatus.NO_VERDICT
    assert result.message
    assert "budget" not in result.message


def test_cut_answer_that_still_parses_says_so() -> None:
    result = parse_verdict("1", BINARY, stop_reason="budget")
    assert result.status is OK
    assert "cut off" in result.message


def test_cut_json_is_unparsable_with_budget_advice() -> None:
    result = parse_verdict('{"violation": 1, "rationale": "The po', JSON, stop_reason="budget")
    assert result.status is UNPARSABLE
    assert "token budget" in result.message


def test_error_verdict() -> None:
    result = Verdict.error("The engine stopped; restart it.")
    assert result.status is VerdictStatus.ERROR
    assert result.message == "The engine stopped; restart it."
    assert not result.ok and result.label is None


def test_from_harmony_text_to_verdict() -> None:
    policy = parse_policy("---\nformat: json\n---\n# Spam\n")
    answer = (
        "<|channel|>analysis<|message|>Prize scam, SP2.a.<|end|><|start|>assistant"
        '<|channel|>final <|constrain|>json<|message|>{"violation": 1, "policy_category": '
        '"SP2.a"}<|return|>'
    )
    parsed = parse_harmony_text(answer)
    result = parse_verdict(parsed.final, policy.output, stop_reason=parsed.stop_reason or "")
    assert (result.status, result.label, result.violates) == (OK, "1", True)
    cut = parse_harmony_text(answer[:45], finish_reason="budget")
    result = parse_verdict(cut.final, policy.output, stop_reason=cut.stop_reason or "")
    assert result.status is VerdictStatus.NO_VERDICT


def test_module_is_qt_free() -> None:
    assert "PySide6" not in Path(verdict_module.__file__).read_text()
