"""Suggested edits on plain-text policies: sections from capitals headings and tier lines
(no ``zip()`` error), a section named by its title with or without its emoji, or by its tier
code; the prompt lists the sections; a policy with no headings says why in one sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.records import StoredResult
from app.core.suggest import (
    NO_SECTIONS,
    SuggestionError,
    parse_suggestion,
    sections,
    suggestion_request_parts,
)

POLICY = (Path(__file__).parents[1] / "support" / "policies" / "listing_scams.txt").read_text(
    encoding="utf-8"
)
FAIL = StoredResult(
    "r", "c1", "k", "ok", "INVALID", "VALID", content="pay by gift card", analysis="LS0."
)


def test_plain_text_sections_come_from_capitals_and_tier_lines() -> None:
    found = [(s.title.split(" (")[0], s.tier) for s in sections(POLICY)]
    assert found == [
        ("DEFINITIONS", ""),
        ("✅ Allowed Content", "LS0"),
        ("🚫 Probable Scam", "LS2"),
        ("❗ Organised Scam", "LS3"),
        ("🚨 Fraud", "LS4"),
        ("LABEL FORMAT", ""),
        ("AMBIGUITY & ESCALATION", ""),
    ]


@pytest.mark.parametrize(
    "name",
    [
        "🚫 Probable Scam (LS2 — Medium confidence)",
        "Probable Scam (LS2 — Medium confidence)",  # without its emoji
        "Probable Scam (LS2 - Medium confidence)",  # another dash
        "LS2",  # its tier code
    ],
)
def test_a_tier_section_is_replaced_below_its_line(name: str) -> None:
    answer = f"SECTION: {name}\nREPLACEMENT:\nAny request to pay outside checkout.\n ❌ Output: INVALID\n"
    suggestion = parse_suggestion(answer, POLICY)
    after = suggestion.policy_after.splitlines()
    start = after.index("🚫 Probable Scam (LS2 — Medium confidence)")
    assert after[start + 1] == "Any request to pay outside checkout."
    assert after[start + 2] == " ❌ Output: INVALID"
    assert after[start + 4].startswith("❗ Organised Scam")  # the next tier is kept
    assert "LS2.a Pay elsewhere" not in suggestion.policy_after
    assert suggestion.policy_after.count("\n") < POLICY.count("\n")


def test_a_capitals_section_is_replaced() -> None:
    answer = "SECTION: AMBIGUITY & ESCALATION\nREPLACEMENT:\nIf unclear → LS2.\n"
    suggestion = parse_suggestion(answer, POLICY)
    assert suggestion.policy_after.endswith("AMBIGUITY & ESCALATION\nIf unclear → LS2.\n")


def test_the_prompt_lists_the_sections_to_choose_from() -> None:
    _instructions, content = suggestion_request_parts(POLICY, [FAIL])
    listed = content.split("# Sections you may change\n\n")[1].split("\n\n")[0].splitlines()
    assert listed[0] == "- DEFINITIONS" and listed[-1] == "- AMBIGUITY & ESCALATION"
    assert "- 🚨 Fraud (LS4 – Highest severity)" in listed


def test_a_policy_without_headings_says_why_in_one_sentence() -> None:
    text = "Decide whether a listing is a scam.\nOutput: VALID or INVALID.\n"
    with pytest.raises(SuggestionError) as caught:
        suggestion_request_parts(text, [FAIL])
    assert str(caught.value) == NO_SECTIONS and NO_SECTIONS.count(". ") == 0
    with pytest.raises(SuggestionError, match="does not have"):
        parse_suggestion("SECTION: Rules\nREPLACEMENT:\nNew.\n", text)
