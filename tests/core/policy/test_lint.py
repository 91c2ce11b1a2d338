"""Lint hints for policies (app.core.policy.lint): each check fires on a bad policy and stays quiet
on a good one, with the right line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.policy import LintHint, OutputFormat, lint_policy

ROOT = Path(__file__).resolve().parents[3]

GOOD = """\
---
name: Toy
format: binary
---
# Toy policy

## Instructions
Output format: answer with a single digit, 1 if the content violates TP1 or TP2, else 0.

## Definitions
- Toy: an object made for children to play with.

## Criteria
- TP1 Selling a toy that is recalled.
- TP2 Selling a toy without a safety label.
- TP0.a Reviews and photos of toys do not violate.

## Ambiguity and escalation
If it is unclear whether a toy is recalled, output 0 and start with "escalate:".

## Examples
- "Recalled bunny, half price" → 1 (TP1)
- "My kid loves this bunny" → 0 (TP0.a)

Output format, again: answer with 0 or 1 only.
"""


def codes(hints: list[LintHint]) -> list[str]:
    return [hint.code for hint in hints]


def hint(hints: list[LintHint], code: str) -> LintHint:
    return next(h for h in hints if h.code == code)


def test_good_policy_has_only_the_length_hint() -> None:
    hints = lint_policy(GOOD)
    assert codes(hints) == ["short"]
    assert hint(hints, "short").severity == "info"
    assert all(h.message.endswith(".") for h in hints)


def test_missing_output_format() -> None:
    text = GOOD.replace("Output format: answer with a single digit", "Decide")
    text = text.replace("Output format, again: answer with 0 or 1 only.", "")
    hints = lint_policy(text)
    assert "no-output-format" in codes(hints)
    assert hint(hints, "no-output-format").line is None
    assert hint(hints, "no-output-format").severity == "warning"


def test_format_stated_only_once_points_at_its_line() -> None:
    text = GOOD.replace("Output format, again: answer with 0 or 1 only.\n", "")
    found = hint(lint_policy(text), "format-stated-once")
    assert found.line == 8
    assert "bottom" in found.message


def test_json_format_recognised_from_front_matter_fields() -> None:
    text = GOOD.replace("format: binary", "format: json")
    text = text.replace("Output format: answer with a single digit", 'Write {"violation": 1}')
    assert "no-output-format" not in codes(lint_policy(text))


def test_missing_sections_and_escalation() -> None:
    text = "\n".join(
        line
        for line in GOOD.splitlines()
        if not line.startswith(("## Examples", "## Definitions", "## Criteria", "If it is"))
    )
    text = text.replace("## Ambiguity and escalation", "## Notes")
    found = codes(lint_policy(text))
    for code in ("no-examples", "no-definitions", "no-criteria", "no-escalation"):
        assert code in found


@pytest.mark.parametrize("word", ["generally", "Usually", "typically", "often", "may be"])
def test_vague_words_with_their_line(word: str) -> None:
    text = GOOD.replace("- Toy: an object", f"- Toy: an object that is {word} sold")
    found = hint(lint_policy(text), "vague-word")
    assert found.line == 11
    assert word in found.message


def test_vague_word_inside_a_quoted_example_is_ignored() -> None:
    text = GOOD.replace('"My kid loves this bunny"', '"My kid usually loves this"')
    assert "vague-word" not in codes(lint_policy(text))


def test_rule_code_defined_twice() -> None:
    text = GOOD.replace("- TP2 Selling", "- TP1 Selling")
    found = hint(lint_policy(text), "duplicate-rule-code")
    assert found.line == 15
    assert "line 14" in found.message


def test_rule_code_cited_but_not_defined() -> None:
    text = GOOD.replace("→ 1 (TP1)", "→ 1 (TP3.b)")
    found = hint(lint_policy(text), "undefined-rule-code")
    assert found.line == 22
    assert "TP3.b" in found.message
    # Code-shaped words with another prefix (UTF-8, COVID-19) are not rule citations.
    assert "undefined-rule-code" not in codes(lint_policy(GOOD + "Text is UTF-8.\n"))


def test_token_bands() -> None:
    filler = "- Toy detail: a plain sentence about toys and their labels.\n"
    assert "long" in codes(lint_policy(GOOD + filler * 60))
    huge = hint(lint_policy(GOOD + filler * 1000), "too-long")
    assert huge.severity == "warning"
    assert "short" in codes(lint_policy(GOOD))


def test_bad_front_matter_is_a_hint_not_a_crash() -> None:
    hints = lint_policy("---\nname Toy\n---\n# Body\n")
    assert hint(hints, "front-matter").severity == "warning"


def test_hints_are_sorted_whole_policy_first() -> None:
    hints = lint_policy("Generally fine.\nUsually fine.\n")
    lines = [h.line for h in hints]
    assert lines[: lines.count(None)] == [None] * lines.count(None)
    numbered = [n for n in lines if n is not None]
    assert numbered == sorted(numbered)


def test_starter_policies_have_no_hints_at_all() -> None:
    # they are what a new user learns from: not even a vague word
    for path in sorted(ROOT.glob("policies/*/policy.md")):
        assert codes(lint_policy(path.read_text(encoding="utf-8"))) == [], path


def test_lint_judges_the_format_the_policy_runs_with() -> None:
    """A caller that parsed the policy (a sidecar's correction included) hands lint that
    format; the text's own reading is used only without it. Here only the corrected JSON
    format knows that the answer's key ``flag`` states the output."""
    text = (
        '# Listings\n\n## Instructions\nSend back {"flag": true} for a scam.\n\n'
        "## Definitions\nA scam.\n\n## Criteria\n- LS2 Advance fees.\n\n## Examples\n"
        'Pay first.\n\nSend back {"flag": false} for the rest.\n'
    )
    corrected = OutputFormat(kind="json", json_fields=("flag",))
    assert "no-output-format" in [h.code for h in lint_policy(text)]
    assert "no-output-format" not in [h.code for h in lint_policy(text, corrected)]
