"""The output format read from a policy's own words, with its lines; front matter wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.policy import (
    NOT_INFERRED,
    OutputFormat,
    PolicyError,
    describe_format,
    load_policy,
    output_format_from_meta,
    parse_policy,
    read_output_format,
    with_front_matter,
)

SAMPLES = Path(__file__).parents[2] / "support" / "policies"


def test_plain_text_tiered_policy_with_two_labels() -> None:
    policy = load_policy(SAMPLES / "spam_tiers.txt")
    out = policy.output
    assert (out.kind, out.labels, out.violating) == ("labels", ("VALID", "INVALID"), ("INVALID",))
    assert out.tiers == ("SP0", "SP2", "SP3", "SP4") and out.allowed_tiers == ("SP0",)
    assert out.two_labels
    assert out.label_of("SP0") == "VALID" and out.label_of("SP3") == "INVALID"
    assert out.is_violating("SP2") and not out.is_violating("SP0")
    assert out.expected_choices() == (
        ["VALID", "INVALID", "SP0", "SP2", "SP3", "SP4"],
        {"INVALID", "SP2", "SP3", "SP4"},
    )
    reading = policy.format
    assert reading is not None and reading.source == "inferred"
    lines = policy.text.splitlines()
    # the lines it came from: the "classify as" goal, the first and last tier, the label format
    assert reading.lines == (4, 11, 23, 31)
    assert "VALID (no spam) or INVALID" in lines[3]
    assert lines[10].startswith("SP0") and lines[22].startswith("SP4")
    assert "D-SP2, R-SP0" in lines[30]
    assert reading.details == (
        (4, "label VALID (allowed); label INVALID (violates)"),
        (11, "tier SP0 (allowed)"),
        (23, "tier SP4"),
        (31, "two labels per item (depiction, request)"),
    )
    assert reading.summary() == (
        "Output: VALID / INVALID, tiers SP0 (allowed) SP2 SP3 SP4, two labels "
        "(depiction D-…, request R-…) — inferred from lines 4, 11, 23, 31"
    )


def test_markdown_pack_policy_with_output_lines_and_label_format() -> None:
    policy = load_policy(SAMPLES / "pack_policy.md")
    out = policy.output
    assert (out.labels, out.violating) == (("VALID", "INVALID"), ("INVALID",))
    assert out.tiers == ("DC0", "DC1", "DC2", "DC3") and out.allowed_tiers == ("DC0",)
    assert not out.two_labels
    assert policy.format is not None
    assert policy.format.lines == (5, 13, 31)
    lines = policy.text.splitlines()
    assert "`VALID` (allowed)" in lines[4]
    assert lines[12].startswith("## Allowed Content (DC0")
    assert lines[30].startswith("## Dangerous Deception (DC3")


@pytest.mark.parametrize(
    ("text", "kind", "labels", "violating", "lines"),
    [
        ("Rules.\nReturn exactly one character: 0 or 1.\n", "binary", ("0", "1"), ("1",), (2,)),
        ("Rules.\n0 = does NOT violate\n1 = violates\n", "binary", ("0", "1"), ("1",), (2, 3)),
        ("Output: ALLOW\nOutput: BLOCK\n", "labels", ("ALLOW", "BLOCK"), ("BLOCK",), (1, 2)),
        (
            "Label each post as `KEEP` (no abuse) or `REMOVE` (abuse).\n",
            "labels",
            ("KEEP", "REMOVE"),
            ("REMOVE",),
            (1,),
        ),
        (
            "## HS-0 allowed\n## HS-1 insults\n## HS-2 threats\nAnswer with the tier code.\n",
            "labels",
            ("HS-0", "HS-1", "HS-2"),
            ("HS-1", "HS-2"),
            (1, 3),
        ),
    ],
)
def test_label_words_binary_statements_and_bare_tiers(
    text: str, kind: str, labels: tuple, violating: tuple, lines: tuple
) -> None:
    reading = read_output_format(text)
    assert reading.source == "inferred" and not reading.problem
    assert (reading.output.kind, reading.output.labels, reading.output.violating) == (
        kind,
        labels,
        violating,
    )
    assert reading.lines == lines


def test_json_output_block_with_cookbook_fields() -> None:
    text = (
        "# Spam\nRespond with one JSON object:\n```json\n"
        '{"violation": 0, "policy_category": "SP2.a", "rule_ids": ["SP2.a"],\n'
        ' "confidence": "high", "rationale": "one sentence"}\n```\n'
    )
    reading = read_output_format(text)
    out = reading.output
    assert out.kind == "json" and out.labels == ("0", "1")
    assert out.json_fields == (
        "violation",
        "policy_category",
        "rationale",
        "rule_ids",
        "confidence",
    )
    assert reading.lines == (4,)
    assert reading.summary().startswith("JSON {violation, policy_category, rationale, rule_ids")


def test_no_format_says_what_to_write_and_reads_as_binary() -> None:
    policy = parse_policy("# Rules\nBe kind to each other.\n")
    assert policy.format is not None and policy.format.problem == NOT_INFERRED
    assert "Output: VALID" in NOT_INFERRED and NOT_INFERRED.count(".") == 1
    assert policy.output == OutputFormat()
    named = parse_policy("---\nname: Kindness\n---\nBe kind.\n")  # front matter, no format
    assert named.format.problem == NOT_INFERRED and named.output == OutputFormat()


def test_front_matter_always_wins() -> None:
    text = "---\nformat: binary\nlabels: 0, 1\nviolating: 1\n---\nOutput: VALID\nOutput: INVALID\n"
    policy = parse_policy(text)
    assert policy.output == OutputFormat()
    assert policy.format is not None and policy.format.source == "front matter"
    assert policy.format.summary() == "Output: 0 / 1 — from the front matter"


def test_front_matter_without_format_keys_is_still_read_from_the_text() -> None:
    policy = parse_policy("---\nname: Spam\n---\nOutput: VALID\nOutput: INVALID\n")
    assert policy.output.labels == ("VALID", "INVALID")
    assert policy.format is not None and policy.format.lines == (4, 5)


def test_a_correction_round_trips_through_front_matter() -> None:
    inferred = load_policy(SAMPLES / "spam_tiers.txt")
    saved = with_front_matter(inferred.text, inferred.output)
    again = parse_policy(saved)
    assert again.output == inferred.output
    assert again.format is not None and again.format.source == "front matter"
    assert again.body.startswith("Spam Policy (plain text, tiered)")
    kept = with_front_matter("---\nname: Mine\nformat: binary\n---\nBody\n", again.output)
    assert parse_policy(kept).name == "Mine" and parse_policy(kept).output == inferred.output


def test_front_matter_tiers_keys() -> None:
    meta = {"format": "labels", "labels": "OK, BAD", "violating": "BAD", "tiers": "T0, T1, T2"}
    out = output_format_from_meta(meta)
    assert out.allowed_tiers == ("T0",) and out.label_of("T2") == "BAD"
    assert describe_format(out) == "Output: OK / BAD, tiers T0 (allowed) T1 T2"
    with pytest.raises(PolicyError, match="not in 'tiers'"):
        output_format_from_meta({**meta, "allowed_tiers": "T9"})
    two = output_format_from_meta({**meta, "two_labels": "yes", "score_on": "request"})
    assert two.two_labels and two.score_on == "request"
    assert describe_format(two).endswith(
        "two labels (depiction D-…, request R-…), scoring the request"
    )
    assert parse_policy(with_front_matter("Body\n", two)).output == two
    with pytest.raises(PolicyError, match="use depiction or request"):
        output_format_from_meta({**meta, "score_on": "both"})


def test_unclosed_front_matter_block_is_reported_as_such() -> None:
    text = "---\nname: Spam\nformat: labels\n\n# Instructions\nAnswer VALID or INVALID.\n"
    with pytest.raises(PolicyError, match="front-matter block is not closed") as caught:
        parse_policy(text)
    assert "no ':'" not in str(caught.value)
    # a closed block with a bad line still names that line
    with pytest.raises(PolicyError, match="line 3 has no ':'"):
        parse_policy("---\nname: x\njust words\n---\n")


def test_misspelt_key_warning_names_the_likely_key() -> None:
    policy = parse_policy("---\nfromat: labels\n---\nReturn exactly one character: 0 or 1.\n")
    assert len(policy.warnings) == 1
    assert "'fromat'" in policy.warnings[0] and "did you mean 'format'?" in policy.warnings[0]


@pytest.mark.parametrize(
    "path", sorted((Path(__file__).parents[3] / "policies").glob("*/policy.md"))
)
def test_each_starter_policy_body_alone_reads_as_its_front_matter_says(path: Path) -> None:
    declared = load_policy(path)
    reading = read_output_format(declared.body)  # as if the front matter were removed
    out = reading.output
    assert reading.source == "inferred" and reading.lines
    assert (out.kind, out.labels, out.violating) == (
        declared.output.kind,
        declared.output.labels,
        declared.output.violating,
    )
    # rule categories without a tier 0 (SP1 bulk, SP2 fraud) are not severity tiers
    assert out.tiers == (out.labels if out.kind == "labels" else ())
