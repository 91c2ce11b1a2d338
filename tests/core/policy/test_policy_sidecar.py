"""The output format kept beside a policy file (``policy.txt`` -> ``policy.format.json``):
written and read back the same; front matter > sidecar > what the text states; a bad
sidecar is one sentence naming the file; ``policy check`` says where the format came from."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from app.commands.policy import check
from app.core.policy import (
    PolicyError,
    load_policy,
    parse_policy,
    read_sidecar,
    sidecar_path,
    write_sidecar,
)

SAMPLES = Path(__file__).parents[2] / "support" / "policies"


@pytest.fixture
def published(tmp_path: Path) -> Path:
    path = tmp_path / "policy.txt"
    path.write_bytes((SAMPLES / "listing_scams.txt").read_bytes())
    return path


def test_sidecar_beside_the_policy_round_trips(published: Path) -> None:
    assert sidecar_path(published) == published.parent / "policy.format.json"
    assert sidecar_path(published.parent / "v2.policy.txt").name == "v2.policy.format.json"
    inferred = load_policy(published).output
    corrected = dataclasses.replace(inferred, two_labels=False, allowed_tiers=("LS0",))
    original = published.read_bytes()
    write_sidecar(published, corrected)
    data = json.loads(sidecar_path(published).read_text(encoding="utf-8"))
    assert data["labels"] == ["VALID", "INVALID"] and data["tiers"] == ["LS0", "LS2", "LS3", "LS4"]
    assert read_sidecar(published) == corrected
    policy = load_policy(published)
    assert policy.output == corrected and policy.format.source == "sidecar"
    assert policy.format.summary().endswith("— from the format file beside the policy")
    assert published.read_bytes() == original  # the publisher's file is untouched


def test_front_matter_wins_over_the_sidecar_and_the_sidecar_over_the_text(published: Path) -> None:
    write_sidecar(published, dataclasses.replace(load_policy(published).output, two_labels=False))
    assert not load_policy(published).output.two_labels  # sidecar over the text
    text = published.read_text(encoding="utf-8")
    declared = parse_policy("---\nformat: binary\n---\n" + text, published)
    assert declared.format.source == "front matter" and declared.output.labels == ("0", "1")
    assert parse_policy(text, published, sidecar=None).output.two_labels  # asked for none
    assert read_sidecar(published.parent / "other.txt") is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not a JSON object"),
        ('["format"]', "is not a JSON object"),
        ('{"format": "labels", "labels": ["A", "B"]}', "In the format file policy.format.json"),
    ],
)
def test_a_bad_sidecar_says_which_file_to_fix(published: Path, content: str, message: str) -> None:
    sidecar_path(published).write_text(content, encoding="utf-8")
    with pytest.raises(PolicyError, match=message) as caught:
        load_policy(published)
    assert "policy.format.json" in str(caught.value)


def test_policy_check_reads_the_sidecar(published: Path, capsys) -> None:
    write_sidecar(published, dataclasses.replace(load_policy(published).output, two_labels=False))
    assert check(published) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "Format: Output: VALID / INVALID, tiers LS0 (allowed) LS2 LS3 LS4 — from the format "
        "file beside the policy"
    )
