"""Import of test sets shaped like the published ones: no header row, a title in a far
column, section rows (``SP0``, ``SP2``...), case numbers, tier codes as labels and summary
rows (``Accuracy, 0.9``) at the bottom; prompt/response pairs; two columns of one name;
cells that start with an apostrophe. The samples in tests/support/datasets/ reproduce those
shapes with text of our own."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from app.core.cases import TestCase
from app.core.policy import load_policy
from app.importing.importer import ColumnMapping, ImportFileError, export_csv, import_cases, preview
from app.importing.labels import (
    LabelMapError,
    guess_label_column,
    parse_label_map,
    suggest_label_map,
)
from app.importing.row_reader import EXPORT_HEADER

DATA = Path(__file__).parents[1] / "support" / "datasets"
GOLDEN = DATA / "spam_shape_golden.csv"
TIERED = load_policy(Path(__file__).parents[1] / "support" / "policies" / "spam_tiers.txt").output
UNTIERED = load_policy(DATA / "spam_no_tiers.txt").output
BY_NUMBER = ColumnMapping(content=1, expected=9)  # --content-col 2 --label-col 10
EXPECTED_TIERS = ["SP0"] * 5 + ["SP2"] * 3 + ["SP3"] * 3 + ["SP4"] * 3


def test_the_samples_are_what_the_tests_assume():
    assert TIERED.tiers == ("SP0", "SP2", "SP3", "SP4") and UNTIERED.tiers == ()
    assert UNTIERED.labels == ("VALID", "INVALID")


def test_golden_shape_imports_every_case_with_its_tier_and_no_row_as_header():
    result = import_cases(GOLDEN, BY_NUMBER, TIERED)
    assert [c.expected for c in result.cases] == EXPECTED_TIERS
    assert result.cases[0].content.startswith("Thanks for the notes from Tuesday")
    assert result.cases[0].id == "row-3"  # the first case is a case, not the header
    assert result.notes[0].startswith("No header row: row 3 holds data (column 1 holds")
    assert "--header-row" in result.notes[0]
    reasons = [(s.row, s.reason) for s in result.skipped]
    assert reasons[:2] == [(1, "section row"), (2, "section row")]
    assert [r for _, r in reasons].count("summary row") == 4
    assert "skipped 11 rows (5 section rows, 4 summary rows, 2 blank rows)" in result.report()
    assert not result.unknown_labels


def test_preview_of_the_golden_shape_numbers_the_columns_and_says_why():
    head = preview(GOLDEN, n=50)
    assert not head.has_header
    assert head.columns[9] == "Column 10" and len(head.columns) == 11
    assert head.note.startswith("No header row: row 3 holds data")
    assert guess_label_column(head.rows, TIERED, {1}) == 9
    assert guess_label_column(head.rows, UNTIERED, {1}) == 9  # codes look like labels
    assert guess_label_column(head.rows, None, {1}) == 9


def test_unknown_tier_labels_are_counted_and_a_mapping_is_suggested_and_used():
    refused = import_cases(GOLDEN, BY_NUMBER, UNTIERED)
    assert refused.cases == []
    assert refused.unknown_labels == {"SP0": 5, "SP2": 3, "SP3": 3, "SP4": 3}
    suggestion = suggest_label_map(list(refused.unknown_labels), UNTIERED)
    assert suggestion == {"SP0": "VALID", "SP2": "INVALID", "SP3": "INVALID", "SP4": "INVALID"}
    mapping = ColumnMapping(content=1, expected=9, label_map=parse_label_map(
        "sp0=VALID, SP2=invalid; SP3=INVALID,SP4=INVALID", UNTIERED))  # fmt: skip
    result = import_cases(GOLDEN, mapping, UNTIERED)
    assert [c.expected for c in result.cases] == ["VALID"] * 5 + ["INVALID"] * 9
    assert not result.unknown_labels
    assert "Labels read through the mapping (rows): SP0 as VALID (5), SP2 as INVALID (3)" in (
        result.report()
    )


def test_a_mapping_to_a_word_the_policy_does_not_know_is_refused_in_one_sentence():
    with pytest.raises(LabelMapError, match="'SPAM' is not a label of this policy; map to one"):
        parse_label_map("SP0=VALID,SP2=SPAM", UNTIERED)
    with pytest.raises(LabelMapError, match="write it as VALUE=LABEL"):
        parse_label_map("SP0", UNTIERED)


def test_a_short_first_row_whose_label_recurs_below_is_data(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("hi there,SP0\nbuy now at x.example,SP2\nsee you,SP0\n", encoding="utf-8")
    result = import_cases(path, BY_NUMBER.__class__(content=0, expected=1), TIERED)
    assert [c.expected for c in result.cases] == ["SP0", "SP2", "SP0"]


def test_a_first_row_whose_label_cell_is_a_policy_label_is_data_when_given_by_number(tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("hello friend,VALID\nfree gift card click,INVALID\n", encoding="utf-8")
    result = import_cases(path, ColumnMapping(content=0, expected=1), UNTIERED)
    assert [c.content for c in result.cases] == ["hello friend", "free gift card click"]
    assert "row 1 holds a label of the policy" in result.notes[0]


def test_a_fooled_header_names_the_row_taken_and_the_header_row_option(tmp_path):
    path = tmp_path / "titled.csv"
    path.write_text("report,owner,date\nq3 export,ops,2026\ncontent,label\nhi,VALID\n")
    with pytest.raises(ImportFileError) as caught:
        import_cases(path, ColumnMapping(content="content", expected="label"), UNTIERED)
    message = str(caught.value)
    assert "There is no content column 'content'" in message
    assert "Row 1 was taken as the header" in message and "--header-row" in message


def test_two_label_columns_use_the_filled_one_and_say_so():
    mapping = ColumnMapping(content="text", expected="label", id="id")
    result = import_cases(DATA / "two_label_columns.csv", mapping, UNTIERED)
    assert [(c.id, c.expected) for c in result.cases] == [
        ("a1", "INVALID"), ("a2", "VALID"), ("a3", "INVALID"),
    ]  # fmt: skip
    assert "2 columns are named 'label'; column 5 is used" in result.report()
    assert "column 3 (0 filled)" in result.report()


def test_apostrophes_are_kept_in_files_the_app_did_not_write(tmp_path):
    result = import_cases(DATA / "formula_cells.csv", ColumnMapping("text", "label"), UNTIERED)
    assert [c.content[:3] for c in result.cases] == ["'=H", "'+1", "'--", "'@e"]
    exported = tmp_path / "export.csv"  # the app's own export protects and restores them
    cases = [TestCase("a", "=SUM(A1)", "VALID"), TestCase("b", "@here", "INVALID")]
    export_csv(exported, cases)
    assert "'=SUM(A1)" in exported.read_text(encoding="utf-8")
    back = import_cases(exported, ColumnMapping("content", "expected", id="id"), UNTIERED)
    assert [c.content for c in back.cases] == ["=SUM(A1)", "@here"]


def test_prompt_response_pairs_are_linked_by_default_and_can_be_kept_apart():
    pack = load_policy(Path(__file__).parents[1] / "support" / "policies" / "pack_policy.md")
    pairs = {"content": "Prompt", "expected": "Prompt label",
             "extra_pairs": [("Response", "Response label")]}  # fmt: skip
    linked = import_cases(DATA / "prompt_response.csv", ColumnMapping(**pairs), pack.output)
    assert [c.tags for c in linked.cases[:2]] == [["prompt"], ["response"]]
    assert linked.cases[1].prompt == linked.cases[0].content
    assert linked.cases[1].prompt.startswith("Tell me how to get back at my neighbour")
    assert linked.cases[0].prompt == "" and len(linked.cases) == 6
    apart = import_cases(
        DATA / "prompt_response.csv", ColumnMapping(**pairs, link_pairs=False), pack.output
    )
    assert [c.tags for c in apart.cases[:2]] == [["Prompt"], ["Response"]]
    assert all(c.prompt == "" for c in apart.cases)


def test_a_prompt_column_and_the_apps_own_export_keep_prompts(tmp_path):
    pack = load_policy(Path(__file__).parents[1] / "support" / "policies" / "pack_policy.md")
    mapping = ColumnMapping(content="response", expected="label", prompt="prompt")
    result = import_cases(DATA / "responses_with_prompts.csv", mapping, pack.output)
    assert [(c.prompt, c.expected) for c in result.cases] == [
        ("How do I remove a wine stain?", "DC0"),
        ("Give me a mean nickname for the new kid", "DC2"),
    ]
    exported = tmp_path / "export.csv"
    cases = [*result.cases, TestCase("plain", "=1+1 is two", "DC0")]
    export_csv(exported, cases)
    assert exported.read_text(encoding="utf-8").startswith("id,content,expected,notes,tags,prompt")
    again = ColumnMapping("content", "expected", id="id", prompt="prompt")
    back = import_cases(exported, again, pack.output)
    assert [(c.id, c.content, c.prompt) for c in back.cases] == [
        (c.id, c.content, c.prompt) for c in cases
    ]  # the protective apostrophe is removed from the app's own export, with a prompt column


def test_the_csv_export_keeps_extra_fields_and_reads_them_back(tmp_path):
    extra_a = {"source": "forum", "lang": "en", "severity": 3, "flags": ["a", "b"], "ok": True}
    extra_b = {"lang": "=cmd|'/c calc'!A1", "meta": {"k": 1}, "score": -0.5, "odd": "-Infinity"}
    cases = [
        TestCase("a", "hello", "VALID", extra=extra_a),
        TestCase("b", "buy now", "INVALID", notes="n", tags=["x", "y"], extra=extra_b),
        TestCase("c", "plain", "VALID"),
    ]
    exported = tmp_path / "export.csv"
    export_csv(exported, cases)
    rows = list(csv.reader(io.StringIO(exported.read_text("utf-8"), newline="")))
    assert rows[0] == [*EXPORT_HEADER, "source", "lang", "severity", "flags", "ok", "meta",
                       "score", "odd"]  # fmt: skip
    assert rows[1][5:] == ["forum", "en", "3", '["a", "b"]', "true", "", "", ""]
    assert rows[2][6] == "'=cmd|'/c calc'!A1"  # quoted against spreadsheet formulas
    assert not any(cell and cell[0] in "=+@" for row in rows for cell in row)
    mapping = ColumnMapping("content", "expected", id="id", notes="notes", tags="tags")
    back = import_cases(exported, mapping, UNTIERED).cases
    assert [(c.id, c.notes, c.tags, c.extra) for c in back] == [
        ("a", "", [], extra_a), ("b", "n", ["x", "y"], extra_b), ("c", "", [], {}),
    ]  # fmt: skip


def test_columns_of_other_files_are_not_read_as_extra_fields(tmp_path):
    source = tmp_path / "team.csv"
    source.write_text("text,label,source\nhello,VALID,forum\n", encoding="utf-8")
    result = import_cases(source, ColumnMapping("text", "label"), UNTIERED)
    assert result.cases[0].extra == {}
