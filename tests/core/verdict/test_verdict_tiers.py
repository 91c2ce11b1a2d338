"""Answers in a tiered policy's own words: label words, tiers, escalate, two labels, JSON."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.core.policy import OutputFormat, load_policy, normalize_label
from app.core.verdict import VerdictStatus, parse_verdict
from app.scoring.outcome import is_right

SAMPLES = Path(__file__).parents[2] / "support" / "policies"
SPAM = load_policy(SAMPLES / "spam_tiers.txt").output
PACK = load_policy(SAMPLES / "pack_policy.md").output
BINARY = OutputFormat()
COOKBOOK = OutputFormat(
    kind="json",
    json_fields=("violation", "policy_category", "rule_ids", "confidence", "rationale"),
    tiers=("SP0", "SP2", "SP3", "SP4"),
    allowed_tiers=("SP0",),
)


@pytest.mark.parametrize(
    ("final", "output", "label", "tier", "escalate"),
    [
        ("INVALID", SPAM, "INVALID", None, False),  # several violating tiers: tier unknown
        ("VALID", SPAM, "VALID", "SP0", False),  # only one allowed tier
        ("Output: INVALID", SPAM, "INVALID", None, False),
        ("**INVALID**", SPAM, "INVALID", None, False),
        ("`INVALID`.", SPAM, "INVALID", None, False),
        ('"VALID"', SPAM, "VALID", "SP0", False),
        ("Output: `INVALID`", PACK, "INVALID", None, False),
        ("INVALID + ESCALATE", SPAM, "INVALID", None, True),
        ("**INVALID** + **ESCALATE**", SPAM, "INVALID", None, True),
        ("INVALID (SP4.b)\nESCALATE", SPAM, "INVALID", "SP4", True),
        ("SP4", SPAM, "INVALID", "SP4", False),
        ("SP0", SPAM, "VALID", "SP0", False),
        ("SP2.a", SPAM, "INVALID", "SP2", False),
        ("DC2", PACK, "INVALID", "DC2", False),
        ("Classification: **DC0**", PACK, "VALID", "DC0", False),
        ("INVALID (SP3.b)", SPAM, "INVALID", "SP3", False),
        ("SP3\nSP2 was considered, but the giveaway is fake.", SPAM, "INVALID", "SP3", False),
    ],
)
def test_label_words_and_tiers(
    final: str, output: OutputFormat, label: str, tier: str | None, escalate: bool
) -> None:
    verdict = parse_verdict(final, output)
    assert verdict.status is VerdictStatus.OK, verdict.message
    assert (verdict.label, verdict.tier, verdict.escalate) == (label, tier, escalate)
    assert verdict.violates is (label == "INVALID")
    assert verdict.raw == final


@pytest.mark.parametrize(
    ("final", "depiction", "asked", "label"),
    [
        ("D-SP2, R-SP0", "SP2", "SP0", "INVALID"),
        ("D-S2, R-S0", "SP2", "SP0", "INVALID"),
        ("R-SP3, D-SP0", "SP0", "SP3", "VALID"),
        ("**D-SP4** and **R-SP4** + ESCALATE", "SP4", "SP4", "INVALID"),
    ],
)
def test_two_labels_are_kept_apart(final: str, depiction: str, asked: str, label: str) -> None:
    verdict = parse_verdict(final, SPAM)
    assert verdict.status is VerdictStatus.OK, verdict.message
    assert (verdict.depiction, verdict.request, verdict.tier) == (depiction, asked, depiction)
    assert verdict.label == label
    assert verdict.escalate is ("ESCALATE" in final)


def test_cookbook_json_joins_cited_codes() -> None:
    final = (
        '{"violation": 1, "policy_category": "SP3", "rule_ids": ["SP3.a", "SP3.c"], '
        '"confidence": "high", "rationale": "A fake giveaway with a shop link."}'
    )
    verdict = parse_verdict(final, COOKBOOK)
    assert (verdict.label, verdict.violates, verdict.tier) == ("1", True, "SP3")
    assert verdict.rule_codes == ["SP3", "SP3.a", "SP3.c"]
    assert verdict.confidence == "high"
    assert verdict.rationale == "A fake giveaway with a shop link."
    flagged = parse_verdict('{"violation": 1, "escalate": true, "rule_ids": ["SP4.a"]}', COOKBOOK)
    assert flagged.escalate and flagged.tier == "SP4"


@pytest.mark.parametrize(
    ("final", "output"),
    [
        ("VALID or INVALID", SPAM),
        ("INVALID\nVALID", SPAM),
        ("VALID (SP3)", SPAM),  # a label and a tier that disagree
        ("SP2 or SP3", SPAM),
        ("D-SP2, R-SP0\nD-SP3, R-SP0", SPAM),
        ("D-XX2, R-SP0", SPAM),
        ("SP9", SPAM),
        ("ESCALATE", SPAM),  # a flag without a label
        ("The message is about cooking.", SPAM),
        ("HS2", PACK),
        ("SP2", BINARY),  # a rule code is not a 0/1 answer
        ('{"violation": 0, "policy_category": "SP4"}', COOKBOOK),  # 0 with a violating tier
    ],
)
def test_contradictory_or_foreign_answers_are_unparsable(final: str, output: OutputFormat) -> None:
    verdict = parse_verdict(final, output)
    assert verdict.status is VerdictStatus.UNPARSABLE
    assert verdict.label is None and verdict.violates is None and verdict.tier is None
    assert verdict.raw == final
    assert verdict.message.endswith(".") and verdict.message.count("; ") == 1


@pytest.mark.parametrize(
    ("answer", "label"),
    [("INVALID", "1"), ("valid.", "0"), ("Output: Unsafe", "1"), ("**safe**", "0")],
)
def test_binary_policy_reads_spelled_words_like_the_importer(answer: str, label: str) -> None:
    assert parse_verdict(answer, BINARY).label == label
    word = answer.split()[-1].strip("*.")
    assert normalize_label(word, BINARY) == label  # the same spelling table


@pytest.mark.parametrize(
    ("raw", "output", "expected"),
    [
        ("dc2", PACK, "DC2"),
        ("DC2 Fabricated claims", PACK, "DC2"),
        ("SP2.a", SPAM, "SP2"),
        ("S2", SPAM, "SP2"),
        ("invalid", SPAM, "INVALID"),
        ("1", SPAM, "INVALID"),
        ("valid", PACK, "VALID"),
        ("d-sp2, r-sp0", SPAM, "D-SP2, R-SP0"),  # a case labelling both
        ("R-S0 and D-S3", SPAM, "D-SP3, R-SP0"),
        ("D-SP9, R-SP0", SPAM, None),
        ("DC7", PACK, None),
        ("maybe", SPAM, None),
    ],
)
def test_label_spelling_keeps_tiers(raw: str, output: OutputFormat, expected: str | None) -> None:
    assert normalize_label(raw, output) == expected


def test_a_verdict_is_right_for_an_expected_pair_on_the_scored_part() -> None:
    verdict = parse_verdict("D-SP2, R-SP0", SPAM)
    assert is_right(verdict, SPAM, expected="D-SP2, R-SP0")
    assert is_right(verdict, SPAM, expected="SP2")
    assert is_right(
        verdict, SPAM, expected="D-SP2, R-SP3"
    )  # depiction scored (app.scoring.outcome)
    assert not is_right(verdict, SPAM, expected="D-SP3, R-SP0")
    assert not is_right(verdict, SPAM, expected="")


def test_a_request_scored_policy_reads_a_pair_as_its_request() -> None:
    request_scored = replace(SPAM, score_on="request")
    verdict = parse_verdict("D-SP3, R-SP0", request_scored)
    assert (verdict.label, verdict.tier, verdict.violates) == ("VALID", "SP0", False)
    assert (verdict.depiction, verdict.request) == ("SP3", "SP0")
    assert is_right(verdict, request_scored, expected="SP0")
    assert not is_right(verdict, request_scored, expected="SP3")


@pytest.mark.parametrize(
    ("final", "output", "shown"),
    [
        ("D-SP2, R-SP0 + ESCALATE", SPAM, "INVALID D-SP2 R-SP0 ESCALATE"),
        ("SP4", SPAM, "INVALID SP4"),
        ("VALID", SPAM, "VALID SP0"),
        ("INVALID", SPAM, "INVALID"),
        ("1", BINARY, "1"),
        ("banana", SPAM, ""),
    ],
)
def test_display_label_shows_tier_pair_and_escalate(
    final: str, output: OutputFormat, shown: str
) -> None:
    assert parse_verdict(final, output).display_label() == shown
