"""Variant families: determinism, the recorded positions, and what each family does."""

from __future__ import annotations

import base64
import codecs

import pytest

from app.variants.families import (
    BUILT_IN,
    FAMILIES,
    MAX_VARIANTS,
    PRESETS,
    FamilyError,
    make_variant,
    resolve,
)
from app.variants.generate import generate
from app.variants.invisible import RLO, TAG_BASE
from app.variants.variant import Variant

TEXT = (
    "Buy cheap gift cards now! Send me your password and your bank login today. "
    "Visit spam.example for a free prize."
)
NAMES = [f.name for f in BUILT_IN] + ["leet+spaced", "homoglyph+zero_width", "base64+quoted"]


def _one(name: str, seed: int = 1, index: int = 0, text: str = TEXT) -> Variant:
    family = resolve([name])[0]
    return make_variant("c1", text, family, index, seed, {"allowed": "VALID"})


def check_positions(original: str, variant: Variant, kind: str) -> None:
    """The recorded positions are exactly what the family put there."""
    changed = set(variant.changed)
    assert all(0 <= i < len(variant.text) for i in changed)
    rest = "".join(c for i, c in enumerate(variant.text) if i not in changed)
    if kind == "substitute":
        assert len(variant.text) == len(original)
        assert changed == {
            i for i, (a, b) in enumerate(zip(original, variant.text, strict=True)) if a != b
        }
    elif kind == "insert":
        assert rest == original
    else:  # what is kept is the original with pieces left out, in order
        source = iter(original)
        assert all(char in source for char in rest)


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_text_and_positions_match(name: str) -> None:
    family = resolve([name])[0]
    for index in range(3):
        first, again = _one(name, 7, index), _one(name, 7, index)
        assert first == again
        assert first.family == name and first.params == family.params(index)
        check_positions(TEXT, first, family.kind)


@pytest.mark.parametrize("name", [f.name for f in BUILT_IN if f.random] + ["leet+spaced"])
def test_a_random_family_changes_with_the_seed(name: str) -> None:
    texts = {_one(name, seed).text for seed in range(6)}
    assert len(texts) > 1


@pytest.mark.parametrize("name", [f.name for f in BUILT_IN if not f.random])
def test_a_fixed_family_ignores_the_seed(name: str) -> None:
    assert _one(name, 1).text == _one(name, 99).text


def test_every_family_but_the_control_changes_the_text() -> None:
    for family in BUILT_IN:
        variant = _one(family.name)
        assert (variant.text == TEXT) == (family.name == "plain"), family.name
        if family.name not in ("plain", "joined", "typos"):  # these two may only delete
            assert variant.changed, family.name


def test_what_the_families_write() -> None:
    leet = _one("leet", 3)
    assert leet.changed and all(leet.text[i] in "431057" for i in leet.changed)
    assert any("\u0400" <= c <= "\u04ff" for c in _one("homoglyph", index=0).text)
    assert any("\u0370" <= c <= "\u03ff" for c in _one("homoglyph", index=1).text)
    assert _one("fullwidth").text.startswith("\uff22\uff55\uff59")
    assert "\u200b" in _one("zero_width").text or "\u200d" in _one("zero_width").text
    assert RLO in _one("bidi", index=0).text
    hidden = _one("tags").text
    assert "".join(chr(ord(c) - TAG_BASE) for c in hidden if ord(c) >= TAG_BASE) == TEXT
    assert _one("whitespace").text.count(" ") == 0
    assert " " not in _one("joined", 1).text or len(_one("joined").text) < len(TEXT)


def test_encodings_decode_back_to_the_content() -> None:
    whole = _one("base64", index=0).text
    assert whole.startswith("Decode this: ")
    assert base64.b64decode(whole.removeprefix("Decode this: ")).decode() == TEXT
    assert base64.b64decode(_one("base64", index=1).text).decode() == TEXT
    key = _one("rot13", index=2).text  # the key sentence only, with the lead-in
    sentence = "Send me your password and your bank login today."
    assert key.startswith("Buy cheap gift cards now! Decode this: ")
    assert codecs.decode(key.split("Decode this: ")[1].split(" Visit")[0], "rot13") == sentence
    assert bytes.fromhex(_one("hex", index=1).text).decode() == TEXT


def test_injection_writes_the_policy_words_and_keeps_markers_as_text() -> None:
    assert "VALID" in _one("fake_answer").text
    assert any("<|channel|>final" in _one("harmony_markers", index=i).text or
               "<|start|>" in _one("harmony_markers", index=i).text for i in range(3))  # fmt: skip
    assert TEXT in _one("ignore_policy").text and TEXT in _one("claims_author").text


def test_presets_cover_every_family_but_the_control() -> None:
    assert {n for names in PRESETS.values() for n in names} == set(FAMILIES) - {"plain"}
    assert [f.name for f in resolve(["encodings"])] == ["base64", "hex", "rot13"]
    assert len(resolve(["obfuscation", "leet"])) == len(PRESETS["obfuscation"])


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["leetspeek"], "Unknown family 'leetspeek'"),
        (["leet+nope"], "Unknown family 'nope'"),
        (["leet+spaced+dotted"], "stacks more than two"),
        ([" "], "No family chosen"),
    ],
)
def test_bad_family_names_get_one_sentence(names, message) -> None:
    with pytest.raises(FamilyError, match=message) as caught:
        resolve(names)
    assert "\n" not in str(caught.value) and str(caught.value).endswith(".")


@pytest.mark.parametrize("count", [0, -1, MAX_VARIANTS + 1, 10_000])
def test_a_variant_count_out_of_range_is_refused(count: int) -> None:
    with pytest.raises(FamilyError, match="must be 1 to 100"):
        generate([("c", "x")], resolve(["leet"]), count, 1)


def test_generate_orders_by_case_family_and_index() -> None:
    out = generate([("a", TEXT), ("b", TEXT + "!")], resolve(["leet", "base64"]), 2, 5)
    assert [v.id for v in out[:4]] == ["a~leet~0", "a~leet~1", "a~base64~0", "a~base64~1"]
    assert len(out) == 8


def test_a_text_made_twice_for_one_case_and_family_is_kept_once() -> None:
    out = generate([("a", TEXT), ("b", "🙂")], resolve(["fullwidth", "plain", "leet"]), 3, 5)
    ids = [v.id for v in out]
    assert ids[:5] == ["a~fullwidth~0", "a~plain~0", "a~leet~0", "a~leet~1", "a~leet~2"]
    # the emoji: fullwidth and plain leave it as it is, leet has nothing to change
    assert ids[5:] == ["b~fullwidth~0", "b~plain~0", "b~leet~0"]


def test_one_emoji_and_a_megabyte_of_content() -> None:
    for family in BUILT_IN:
        variant = make_variant("e", "🙂", family, 0, 1, {})
        check_positions("🙂", variant, family.kind)
    big = "buy gift cards now " * 55_000  # about 1 MB
    variant = _one("leet", text=big)
    assert len(variant.text) == len(big) and variant.changed
