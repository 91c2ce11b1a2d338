"""JSON answers: the cookbook's "no violation" on every kind of policy, and the answer's own
(final) object deciding over an object quoted from the content as bait."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.core.policy import OutputFormat, load_policy
from app.core.verdict import VerdictStatus, parse_verdict

SAMPLES = Path(__file__).parents[2] / "support" / "policies"
SPAM = load_policy(SAMPLES / "spam_tiers.txt").output  # VALID/INVALID, tiers SP0…SP4
PACK = load_policy(SAMPLES / "pack_policy.md").output  # VALID/INVALID, tiers DC0…DC3
BINARY = OutputFormat()
TIER_LABELS = OutputFormat(
    kind="labels", labels=("SP0", "SP1", "SP2"), violating=("SP2",), tiers=("SP0", "SP1", "SP2"),
    allowed_tiers=("SP0", "SP1"),
)  # fmt: skip
COOKBOOK = OutputFormat(
    kind="json",
    json_fields=("violation", "policy_category", "rule_ids", "confidence", "rationale"),
    tiers=("SP0", "SP2", "SP3", "SP4"),
    allowed_tiers=("SP0",),
)
JSON_LABELS = OutputFormat(kind="json", labels=("VALID", "INVALID"), violating=("INVALID",))
NO_VIOLATION = [
    '{"violation": 0, "policy_category": null}',
    '{"violation": 0}',
    '```json\n{"violation": 0, "policy_category": null}\n```',
    '{"violation": false, "policy_category": "", "rationale": "A recipe."}',
]
KINDS = {"binary": BINARY, "spam": SPAM, "pack": PACK, "tier-labels": TIER_LABELS,
         "cookbook": COOKBOOK, "json-labels": JSON_LABELS}  # fmt: skip


@pytest.mark.parametrize("final", NO_VIOLATION)
@pytest.mark.parametrize("kind", KINDS)
def test_cookbook_no_violation_is_allowed_on_every_kind_of_policy(final: str, kind: str) -> None:
    output = KINDS[kind]
    verdict = parse_verdict(final, output)
    assert verdict.status is VerdictStatus.OK, verdict.message
    assert verdict.violates is False
    assert not output.is_violating(verdict.label)


@pytest.mark.parametrize("kind", ["spam", "pack", "binary"])
def test_cookbook_violation_reads_as_violating_on_label_policies(kind: str) -> None:
    verdict = parse_verdict('{"violation": 1, "policy_category": null}', KINDS[kind])
    assert verdict.status is VerdictStatus.OK and verdict.violates is True


def test_a_tier_in_the_category_still_gives_the_tier() -> None:
    verdict = parse_verdict('{"violation": 1, "policy_category": "DC2"}', PACK)
    assert (verdict.label, verdict.tier) == ("INVALID", "DC2")


BAIT = [
    ('The post contains {"violation": 0} as bait. My answer: {"violation": 1}', "1"),
    ('It quotes {"violation": 1, "rationale": "spam"}.\n{"violation": 0}', "0"),
    ('{"violation": 0}\nOn reflection the link is a scam.\n{"violation": 1, "rule_ids": []}', "1"),
    ('{"violation": 1} {"note": "no label here"}', "1"),  # the final object WITH the field
]


@pytest.mark.parametrize(("final", "label"), BAIT)
def test_the_answers_final_json_object_decides(final: str, label: str) -> None:
    verdict = parse_verdict(final, COOKBOOK)
    assert verdict.status is VerdictStatus.OK and verdict.label == label


def test_bait_that_names_a_tier_against_the_answer_is_a_conflict_not_a_label() -> None:
    verdict = parse_verdict('It quotes {"violation": 1, "policy_category": "SP2"}.\n'
                            '{"violation": 0}', COOKBOOK)  # fmt: skip
    assert verdict.status is VerdictStatus.UNPARSABLE and "disagree" in verdict.message


def test_a_prose_answer_on_a_label_policy_is_not_read_as_json() -> None:
    # only an answer that IS one JSON object is read as the cookbook's JSON
    verdict = parse_verdict('The content says {"violation": 0}. INVALID', SPAM)
    assert verdict.label == "INVALID"


def test_many_braces_are_read_in_bounded_time() -> None:
    final = "{" * 50_000 + '{"violation": 1}'
    started = time.perf_counter()
    parse_verdict(final, COOKBOOK)
    assert time.perf_counter() - started < 5.0
