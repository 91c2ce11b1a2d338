"""Published policy shapes read as a writer means them: emoji tier lines with any dash, the
``Output:`` line of each tier, rule codes at the start of plain lines, published section
names; and negations in the words that say which label is which (KEEP / OK / ALLOW)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.policy import (
    find_rule_codes,
    headings,
    lint_policy,
    load_policy,
    read_output_format,
    tier_line,
)

SAMPLES = Path(__file__).parents[2] / "support" / "policies"
SCAMS = SAMPLES / "listing_scams.txt"  # the shapes of the publisher's plain-text spam policy
STUNTS = SAMPLES / "risky_stunts.md"  # the shapes of the teen-safety pack's Markdown policies
SCAM_CODES = [
    "LS0", "LS0.a", "LS0.b", "LS0.c", "LS0.d", "LS2", "LS2.a", "LS2.b",
    "LS3", "LS3.a", "LS3.b", "LS4", "LS4.a", "LS4.b",
]  # fmt: skip
STUNT_CODES = ["RS0", "RS0.a", "RS0.b", "RS0.c", "RS1", "RS1.a", "RS1.b", "RS2", "RS2.a", "RS2.b"]


@pytest.mark.parametrize(
    ("line", "code", "title"),
    [
        ("✅ Allowed Content (SP0 – Non-spam or weak signals)", "SP0", "Allowed Content – Non-spam or weak signals"),
        ("🚫 Likely Spam (SP2 — Medium Confidence)", "SP2", "Likely Spam – Medium Confidence"),
        ("❗ High-Risk Spam (SP3 - Strong Confidence)", "SP3", "High-Risk Spam – Strong Confidence"),
        ("🚨 Malicious Spam (SP4 – Maximum Severity)", "SP4", "Malicious Spam – Maximum Severity"),
        ("## Allowed Content (DC0 - Safety framing)", "DC0", "Allowed Content – Safety framing"),
        ("**Violating (HS-2: threats)**", "HS-2", "Violating – threats"),
        ("SP0 – Not spam", "SP0", "Not spam"),
        (" ✅  Allowed (AB0 –  fine )", "AB0", "Allowed – fine"),
    ],
)  # fmt: skip
def test_tier_lines_with_any_dash_and_a_leading_emoji(line: str, code: str, title: str) -> None:
    assert tier_line(line) == (code, title)


@pytest.mark.parametrize(
    "line",
    [
        "Classify each EXAMPLE as VALID (no spam) or INVALID (spam).",
        "- Facilitation (`HBI2`): steps that enable it.",
        "- Promotion (SP2 - see below)",  # a bullet is a list item, not a tier
        " ✅ Output: VALID for honest content.",
        "“Quoted example” (SP2 – cold promotion)",
        "SP0.a Useful request – “How do I upload a photo?”",  # a rule of tier SP0
    ],
)
def test_lines_that_are_not_tier_lines(line: str) -> None:
    assert tier_line(line) is None


def test_rule_codes_start_plain_lines_with_or_without_marks() -> None:
    text = (
        "SP0.a Useful request – “How do I upload a photo?”\n"
        "SP2 Bulk ads\n"
        "**SP3.a**: Fake giveaways\n"
        "- SP3.b Pyramid bait\n"
        "SP4: Phishing\n"
        "A2 is a paper size.\n"
        "SP2 is cited here.\n"
    )
    codes = find_rule_codes(text)
    assert [(c.code, c.line, c.title) for c in codes] == [
        ("SP0.a", 1, "Useful request – “How do I upload a photo?”"),
        ("SP2", 2, "Bulk ads"),
        ("SP3.a", 3, "Fake giveaways"),
        ("SP3.b", 4, "Pyramid bait"),
        ("SP4", 5, "Phishing"),
    ]


def test_the_plain_text_spam_shape_reads_every_tier_outcome_and_code() -> None:
    policy = load_policy(SCAMS)
    out = policy.output
    assert (out.labels, out.violating) == (("VALID", "INVALID"), ("INVALID",))
    assert out.tiers == ("LS0", "LS2", "LS3", "LS4") and out.allowed_tiers == ("LS0",)
    assert out.two_labels
    assert [rule.code for rule in policy.rule_codes] == SCAM_CODES
    tiers = [rule for rule in policy.rule_codes if rule.tier]
    assert [(rule.code, rule.title) for rule in tiers][-1] == ("LS4", "Fraud – Highest severity")
    titles = [(h.title, h.tier) for h in headings(policy.text)]
    assert titles == [
        ("DEFINITIONS", ""),
        ("✅ Allowed Content (LS0 – Honest listings or very weak signals of a scam)", "LS0"),
        ("🚫 Probable Scam (LS2 — Medium confidence)", "LS2"),
        ("❗ Organised Scam (LS3 - Strong confidence)", "LS3"),
        ("🚨 Fraud (LS4 – Highest severity)", "LS4"),
        ("LABEL FORMAT", ""),
        ("AMBIGUITY & ESCALATION", ""),
    ]


def test_the_markdown_pack_shape_reads_every_tier_and_code() -> None:
    policy = load_policy(STUNTS)
    out = policy.output
    assert out.tiers == ("RS0", "RS1", "RS2") and out.allowed_tiers == ("RS0",)
    assert out.violating == ("INVALID",) and not out.two_labels
    assert [rule.code for rule in policy.rule_codes] == STUNT_CODES


@pytest.mark.parametrize("path", [SCAMS, STUNTS])
def test_no_false_warnings_on_the_published_shapes(path: Path) -> None:
    """Tier sections are criteria, example tables are examples, tiers are defined codes
    (DC0 listed again under the label format is no duplicate), Output: per tier restates
    the format: only the length note may remain."""
    hints = lint_policy(path.read_text(encoding="utf-8"))
    assert [h for h in hints if h.severity == "warning"] == []
    assert {h.code for h in hints} <= {"long", "short"}


def test_tier_codes_are_defined_and_restated_tiers_are_no_duplicates() -> None:
    text = (
        "GOAL: classify as VALID (allowed) or INVALID (not allowed).\n\nDEFINITIONS\nX: y.\n\n"
        "## Allowed Content (DC0 - Safe)\nOutput: VALID\n\n## Harm (DC1 - Unsafe)\nOutput: INVALID\n"
        "\n## Label Format\n- DC0: allowed\n- DC1: harmful\n\n## Ambiguity & Escalation\n"
        "If unsure, answer DC0 and escalate.\n\n## Examples in tables\n| Example | Label |\n"
    )
    codes = [h.code for h in lint_policy(text)]
    assert "duplicate-rule-code" not in codes and "undefined-rule-code" not in codes
    assert not {"no-criteria", "no-examples", "no-escalation", "format-stated-once"} & set(codes)


def test_a_format_stated_only_in_the_middle_once_per_tier_is_not_stated_once() -> None:
    middle = "Filler line one.\n" * 10
    text = (
        middle + "SP0 – Fine\nOutput: VALID\nSP2 – Spam\nOutput: INVALID\n"
        "SP3 – Scam\nOutput: INVALID\n" + middle
    )
    codes = [h.code for h in lint_policy(text)]
    assert "format-stated-once" not in codes and "format-not-at-ends" not in codes


@pytest.mark.parametrize(
    ("text", "labels", "violating"),
    [
        (
            "Answer KEEP (does not violate the policy) or REMOVE (violates the policy).",
            ("KEEP", "REMOVE"),
            ("REMOVE",),
        ),
        ("Label each post as OK (not spam) or SPAM.", ("OK", "SPAM"), ("SPAM",)),
        (
            "Classify as ALLOW (the content is not harmful) or BLOCK (harmful).",
            ("ALLOW", "BLOCK"),
            ("BLOCK",),
        ),
        (
            "Output: KEEP (does not violate the policy) or REMOVE (violates the policy)",
            ("KEEP", "REMOVE"),
            ("REMOVE",),
        ),
        ("Answer PASS (not allowed) or FINE (allowed).", ("PASS", "FINE"), ("PASS",)),
    ],
)
def test_negations_say_which_word_is_allowed(text: str, labels: tuple, violating: tuple) -> None:
    reading = read_output_format(text)
    assert not reading.problem
    assert (reading.output.kind, reading.output.labels) == ("labels", labels)
    assert reading.output.violating == violating


def test_zero_or_one_in_one_place_and_label_words_in_another_is_flagged() -> None:
    """The rule: words the answer reader knows as sides (VALID / INVALID) read as 0 / 1, so
    the model's 1 and its INVALID both count; other words win, and the note says 0/1 is not
    read. Either way the format line and lint name the two lines."""
    from app.core.verdict import parse_verdict

    text = "Classify each item as VALID (no spam) or INVALID (spam).\nRules.\nReturn exactly one character: 0 or 1.\n"
    reading = read_output_format(text)
    assert reading.output.kind == "binary" and "line 3" in reading.summary()
    assert "VALID / INVALID as 0 / 1" in reading.summary()
    assert [parse_verdict(a, reading.output).label for a in ("1", "INVALID", "0", "VALID")] == [
        "1",
        "1",
        "0",
        "0",
    ]
    mixed = [h for h in lint_policy(text) if h.code == "mixed-output-format"]
    assert len(mixed) == 1 and mixed[0].line == 3 and "line 1" in mixed[0].message
    words = read_output_format("Answer KEEP (fine) or REMOVE (violates).\nReturn 0 or 1.\n")
    assert words.output.labels == ("KEEP", "REMOVE")
    assert "a bare 0 or 1 answer will not be read" in words.summary()
