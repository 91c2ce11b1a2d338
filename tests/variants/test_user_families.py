"""A team's own families from JSON files: rules, templates and one-sentence errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.variants.families import FamilyError, make_variant, resolve
from app.variants.user_families import load_family_file, load_user_families


def _write(folder: Path, name: str, data: object) -> Path:
    path = folder / f"{name}.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_rules_and_templates_make_variants(tmp_path: Path) -> None:
    _write(tmp_path, "slang", {"name": "slang", "rules": [
        {"find": "gift card", "replace": "g1ft kard"}, {"find": "now", "replace": "n0w"}]})  # fmt: skip
    _write(tmp_path, "frame", {"name": "frame", "description": "Support ticket.",
                               "templates": ["A customer wrote: {content} {sic}", "> {content}"]})  # fmt: skip
    families = load_user_families(folder=tmp_path)
    assert sorted(families) == ["frame", "slang"]
    slang, frame = resolve(["slang", "frame"], families)
    variant = make_variant("c", "buy a gift card now", slang, 0, 1, {})
    assert variant.text == "buy a g1ft kard n0w"
    assert "".join(c for i, c in enumerate(variant.text) if i not in variant.changed) == "buy a  "
    assert make_variant("c", "hi", frame, 0, 1, {}).text == "A customer wrote: hi {sic}"
    assert make_variant("c", "hi", frame, 1, 1, {}).text == "> hi"
    assert resolve(["slang+frame"], families)[0].name == "slang+frame"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ('{"name": "x", "rules": [', "is not valid JSON \\(line 1, column"),
        ("[]", "is not a JSON object"),
        ({"name": "Bad Name", "rules": []}, 'needs a "name"'),
        ({"name": "leet", "rules": [{"find": "a", "replace": "4"}]}, "names a built-in"),
        ({"name": "x"}, 'either "rules" or "templates"'),
        ({"name": "x", "rules": []}, "has no rules"),
        ({"name": "x", "rules": [{"find": "", "replace": "y"}]}, "rule 1 needs"),
        ({"name": "x", "templates": ["no slot"]}, "template 1 must be text with"),
        ({"name": "x", "rules": [{"find": "a", "replace": "b"}], "rate": 0}, '"rate" must'),
    ],
)
def test_a_bad_family_file_gets_one_sentence(tmp_path: Path, data, message) -> None:
    path = _write(tmp_path, "bad", data)
    with pytest.raises(FamilyError, match=message) as caught:
        load_family_file(path)
    text = str(caught.value)
    assert str(path) in text and text.endswith(".") and "\n" not in text


def test_a_missing_file_and_a_name_used_twice(tmp_path: Path) -> None:
    with pytest.raises(FamilyError, match="does not exist"):
        load_family_file(tmp_path / "none.json")
    rule = {"name": "dup", "rules": [{"find": "a", "replace": "b"}]}
    _write(tmp_path, "one", rule)
    second = _write(tmp_path / "..", "two", rule)
    with pytest.raises(FamilyError, match="Two family files are named dup"):
        load_user_families([second], folder=tmp_path)


def test_the_data_folder_is_read(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path))
    (tmp_path / "robustness").mkdir()
    _write(tmp_path / "robustness", "mine", {"name": "mine", "templates": ["{content}!"]})
    assert list(load_user_families()) == ["mine"]
