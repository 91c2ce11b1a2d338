"""Policy files: front matter, output formats, rule codes and the token estimate."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.policy import (
    PolicyError,
    cited_rule_codes,
    estimate_tokens,
    find_rule_codes,
    load_policy,
    parse_policy,
)

LABELS = "---\nname: Hate\nformat: labels\nlabels: HS0, HS1, HS2\nviolating: HS1, HS2\n---\n"


def test_front_matter_sets_format_and_only_the_body_is_kept() -> None:
    policy = parse_policy(LABELS + "\n\n# Instructions\nAnswer HS0-HS2.\n")
    assert policy.name == "Hate"
    assert policy.output.kind == "labels"
    assert policy.output.labels == ("HS0", "HS1", "HS2")
    assert policy.output.is_violating("HS2") and not policy.output.is_violating("HS0")
    assert policy.body == "# Instructions\nAnswer HS0-HS2.\n"
    assert policy.text.splitlines()[policy.body_line_offset] == "# Instructions"


def test_no_front_matter_means_binary() -> None:
    policy = parse_policy("# Instructions\nAnswer 0 or 1.")
    assert policy.output.kind == "binary" and policy.output.violating == ("1",)
    assert policy.body_line_offset == 0


def test_inline_comments_and_unknown_keys() -> None:
    policy = parse_policy("---\nformat: json   # binary | labels | json\nformt: x\n---\nBody")
    assert policy.output.kind == "json"
    assert len(policy.warnings) == 1 and "'formt'" in policy.warnings[0]


@pytest.mark.parametrize(
    "text, message",
    [
        ("---\nformat: json\n", "no closing"),
        ("---\nformat: yaml\n---\n", "Unknown output format"),
        ("---\nformat: labels\nlabels: A, B\n---\n", "violating"),
        ("---\nformat: labels\nlabels: A\nviolating: B\n---\n", "not in 'labels'"),
        ("---\njust words\n---\n", "key: value"),
    ],
)
def test_bad_front_matter_says_what_to_fix(text: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        parse_policy(text)


def test_rule_codes_are_found_where_they_are_defined() -> None:
    text = (
        "## SP1 Spam\n- **SP1.a** Bulk ads.\n1. SP1.b: Fake giveaways\n**HS-3** bold line\n"
        "A2 is a paper size.\nCite SP1.a and SP9 here.\n"
    )
    codes = find_rule_codes(text)
    assert [(c.code, c.line) for c in codes] == [
        ("SP1", 1),
        ("SP1.a", 2),
        ("SP1.b", 3),
        ("HS-3", 4),
    ]
    assert codes[1].title == "Bulk ads"
    assert cited_rule_codes("per SP1.a, not SP9; SP1.a again") == ["SP1.a", "SP9"]


def test_token_estimate_counts_words_digits_cjk_and_underscores() -> None:
    assert estimate_tokens("Hello world") == 2
    assert estimate_tokens("12345") == 2  # digits go in runs of three
    assert estimate_tokens("日本語") == 3
    assert estimate_tokens("__init__") == 3
    assert estimate_tokens("") == 0


def test_load_policy_reports_missing_and_non_utf8(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="does not exist"):
        load_policy(tmp_path / "nope.md")
    bad = tmp_path / "latin.md"
    bad.write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(PolicyError, match="not UTF-8"):
        load_policy(bad)
    good = tmp_path / "bom.md"
    good.write_bytes("\ufeff# Instructions".encode())
    assert load_policy(good).body == "# Instructions"
