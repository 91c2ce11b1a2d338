"""``safeguard-studio import`` on test sets shaped like the published ones (samples of our own
in tests/support/datasets/): no header row and columns given by number, tier codes as labels,
a label mapping offered and used, the label column guessed, prompt/response pairs linked or
kept apart, and the fields of an existing test set kept by ``--append``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import app.cli
from app.core.cases import load_cases

DATA = Path(__file__).parents[1] / "support" / "datasets"
TIERED = Path(__file__).parents[1] / "support" / "policies" / "spam_tiers.txt"
GOLDEN = DATA / "spam_shape_golden.csv"
TIERS = ["SP0"] * 5 + ["SP2"] * 3 + ["SP3"] * 3 + ["SP4"] * 3


@pytest.fixture()
def policies(tmp_path, monkeypatch) -> dict[str, Path]:
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(app.cli, "COMMANDS", ("import_cases",))
    paths = {"tiered": tmp_path / "tiered.txt", "plain": tmp_path / "plain.txt"}
    shutil.copy(TIERED, paths["tiered"])
    shutil.copy(DATA / "spam_no_tiers.txt", paths["plain"])
    return paths


def _import(policy: Path, source: Path, out: Path, *more: str) -> int:
    argv = ["import", str(source), "--policy", str(policy), "--out", str(out), *more]
    return app.cli.main(argv)


def test_columns_by_number_import_every_case_with_its_tier(policies, tmp_path, capsys):
    out = tmp_path / "set.jsonl"
    assert _import(policies["tiered"], GOLDEN, out, "--content-col", "2", "--label-col", "10") == 0
    text = capsys.readouterr().out
    assert text.startswith("No header row: row 3 holds data")
    assert (
        "Imported 14 cases; skipped 11 rows (5 section rows, 4 summary rows, 2 blank rows)" in text
    )
    cases = load_cases(out)
    assert [c.expected for c in cases] == TIERS
    assert cases[0].content.startswith("Thanks for the notes")


def test_unknown_labels_get_a_mapping_to_use_and_auto_takes_it(policies, tmp_path, capsys):
    out = tmp_path / "set.jsonl"
    argv = ("--content-col", "2", "--label-col", "10")
    assert _import(policies["plain"], GOLDEN, out, *argv) == 2
    err = capsys.readouterr().err
    assert (
        "14 rows have labels this policy does not know: SP0 (5), SP2 (3), SP3 (3), SP4 (3)" in err
    )
    assert "--map SP0=VALID,SP2=INVALID,SP3=INVALID,SP4=INVALID" in err
    assert "--map auto" in err and not out.exists()
    assert _import(policies["plain"], GOLDEN, out, *argv, "--map", "auto") == 0
    assert [c.expected for c in load_cases(out)] == ["VALID"] * 5 + ["INVALID"] * 9
    mapped = ("--map", "SP0=VALID,SP2=INVALID,SP3=INVALID,SP4=INVALID", "--force")
    assert _import(policies["plain"], GOLDEN, out, *argv, *mapped) == 0
    assert len(load_cases(out)) == 14
    assert _import(policies["plain"], GOLDEN, out, *argv, "--map", "SP0=HAM", "--force") == 2
    assert "'HAM' is not a label of this policy" in capsys.readouterr().err


def test_the_label_column_is_guessed_and_named(policies, tmp_path, capsys):
    out = tmp_path / "set.jsonl"
    assert _import(policies["tiered"], GOLDEN, out, "--content-col", "2") == 0
    assert "Label column: Column 10 (its cells are labels or tiers" in capsys.readouterr().out
    assert [c.expected for c in load_cases(out)] == TIERS


def test_pairs_are_linked_unless_told_otherwise(policies, tmp_path, capsys):
    pack = Path(__file__).parents[1] / "support" / "policies" / "pack_policy.md"
    pairs = ("--content-col", "Prompt", "--label-col", "Prompt label",
             "--content-col", "Response", "--label-col", "Response label")  # fmt: skip
    linked, apart = tmp_path / "linked.jsonl", tmp_path / "apart.jsonl"
    assert _import(pack, DATA / "prompt_response.csv", linked, *pairs) == 0
    assert _import(pack, DATA / "prompt_response.csv", apart, *pairs, "--no-link-pairs") == 0
    lines = [json.loads(line) for line in linked.read_text(encoding="utf-8").splitlines()]
    assert lines[1]["tags"] == ["response"] and lines[1]["prompt"] == lines[0]["content"]
    assert lines[0]["tags"] == ["prompt"] and "prompt" not in lines[0]
    assert [c.tags for c in load_cases(apart)][:2] == [["Prompt"], ["Response"]]


def test_append_keeps_every_field_of_the_existing_lines(policies, tmp_path, capsys):
    out = tmp_path / "set.jsonl"
    kept = {"id": "k1", "content": "hello", "expected": "VALID", "source": "forum",
            "lang": "de", "severity": 2, "split": "test", "meta": {"by": ["ann", 1]}}  # fmt: skip
    out.write_text(json.dumps(kept) + "\n", encoding="utf-8")
    argv = ("--content-col", "2", "--label-col", "10", "--map", "auto", "--append")
    assert _import(policies["plain"], GOLDEN, out, *argv) == 0
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert first == kept


def test_prompt_col_gives_each_response_its_prompt(policies, tmp_path, capsys):
    pack = Path(__file__).parents[1] / "support" / "policies" / "pack_policy.md"
    out = tmp_path / "set.jsonl"
    argv = ("--content-col", "response", "--label-col", "label", "--prompt-col", "prompt")
    assert _import(pack, DATA / "responses_with_prompts.csv", out, *argv) == 0
    assert [c.prompt for c in load_cases(out)] == [
        "How do I remove a wine stain?", "Give me a mean nickname for the new kid",
    ]  # fmt: skip
