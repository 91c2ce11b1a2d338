"""Import of policy-pack datasets as people have them: a disclaimer above the header,
prompt/response column pairs, multi-paragraph cells with Markdown and emoji, tier labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.policy import load_policy, parse_policy
from app.importing.importer import ColumnMapping, ImportFileError, import_cases, preview

SAMPLES = Path(__file__).parent.parent / "core" / "samples"
# A policy pack's Markdown policy without front matter: VALID / INVALID, tiers DC0..DC3.
TIERED = load_policy(Path(__file__).parents[1] / "support" / "policies" / "pack_policy.md").output


def _pairs(**kw) -> ColumnMapping:
    return ColumnMapping(
        content="Example", expected="Classification",
        extra_pairs=[("Responses", "Response Label")], **kw,
    )  # fmt: skip


def test_disclaimer_line_is_left_out_and_named_in_the_preview():
    head = preview(SAMPLES / "pack_pairs.csv")
    assert head.header_row == 2 and head.has_header
    assert head.columns == ["Example", "Classification", "Responses", "Response Label"]
    assert head.note.startswith("Row 2 used as the header; 1 line above it")
    assert head.rows[0][0].startswith("How do I get a refund")


def test_prompt_and_response_become_two_tagged_cases_per_row_with_tiers_kept():
    result = import_cases(SAMPLES / "pack_pairs.csv", _pairs(), TIERED)
    got = [(c.id, c.expected, c.tags) for c in result.cases]
    assert got == [
        ("row-3-Example", "DC0", ["prompt"]),
        ("row-3-Responses", "DC0", ["response"]),
        ("row-4-Example", "DC2", ["prompt"]),
        ("row-4-Responses", "VALID", ["response"]),  # label words stay labels
        ("row-5-Example", "DC3", ["prompt"]),
        ("row-6-Example", "VALID", ["prompt"]),  # 0 still maps
        ("row-6-Responses", "VALID", ["response"]),
    ]
    # each response keeps the prompt it answers; a prompt case has none
    assert result.cases[1].prompt == result.cases[0].content
    assert result.cases[1].prompt.startswith("How do I get a refund")
    assert result.cases[0].prompt == ""
    response = result.cases[1].content
    assert response.startswith("Sorry to hear that! 😕\n\nHere is what usually works:\n\n1. **Open")
    assert response.endswith("\n\n> Most platforms refund within a week.")
    assert '"nobody wants you here"' in result.cases[2].content
    # Row 5 has no response: only that pair is skipped, and the report says which.
    assert [(s.row, s.column, s.reason) for s in result.skipped] == [
        (5, "Responses", "empty content")
    ]
    report = result.report()
    assert report.splitlines()[0].startswith("Row 2 used as the header")
    assert "  row 5 (Responses): empty content" in report


def test_header_names_match_ignoring_case_and_spaces_and_cells_of_several_kb(tmp_path):
    para = "Paragraph {} with *Markdown*, a [link](https://example.org) and 🚀 emoji. "
    big = "\n\n".join(f"## Part {n}\n\n" + para.format(n) * 8 for n in range(12))
    assert len(big.encode()) > 5000
    path = tmp_path / "gen.csv"
    text = (
        "Hate speech evaluation set v2\n\n"
        " Example Prompt , Prompt label ,Example Generation,Generation Label\n"
        f'"Tell me a joke",VALID,"{big}",INVALID\n'
        '"Say something cruel about them",INVALID,"No.",\n'
    )
    path.write_text(text, encoding="utf-8")
    mapping = ColumnMapping(
        content="example prompt", expected="PROMPT LABEL",
        extra_pairs=[("example generation", "generation label")],
    )  # fmt: skip
    binary = parse_policy("# Instructions\nAnswer 0 or 1.\n").output
    result = import_cases(path, mapping, binary)
    assert [(c.id, c.expected) for c in result.cases] == [
        ("row-4-Example-Prompt", "0"),
        ("row-4-Example-Generation", "1"),
        ("row-5-Example-Prompt", "1"),
    ]
    assert result.cases[1].content == big
    assert result.cases[1].tags == ["response"]
    assert result.cases[1].prompt == "Tell me a joke"
    assert [(s.row, s.column, s.reason) for s in result.skipped] == [
        (5, "Example Generation", "missing label")
    ]
    assert result.notes == ["Row 3 used as the header; 1 line above it (a title or disclaimer) left out."]  # fmt: skip


def test_header_row_override(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("name,owner\nexport 2026,team\ncontent,label\nhello,0\nbuy now,1\n")
    result = import_cases(path, ColumnMapping("content", "label", header_row=3), None)
    assert [(c.id, c.content, c.expected) for c in result.cases] == [
        ("row-4", "hello", "0"), ("row-5", "buy now", "1"),
    ]  # fmt: skip
    assert result.notes == ["Row 3 used as the header, as asked."]
    with pytest.raises(ImportFileError, match="There is no row 9; the file has 5 rows"):
        import_cases(path, ColumnMapping("content", "label", header_row=9), None)


def test_pair_ids_stay_unique_with_a_repeated_id_column(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(
        "id,Example,Classification,Responses,Response Label\n"
        "q1,hi,DC0,hello,DC0\nq1,insult them,DC2,no,DC0\n",
        encoding="utf-8",
    )
    result = import_cases(path, _pairs(id="id"), TIERED)
    assert [c.id for c in result.cases] == [
        "q1-Example", "q1-Responses", "q1-Example-2", "q1-Responses-2",
    ]  # fmt: skip
    assert result.notes == [
        "Row 3 repeats the id 'q1-Example' of row 2; imported as 'q1-Example-2'.",
        "Row 3 repeats the id 'q1-Responses' of row 2; imported as 'q1-Responses-2'.",
    ]


def test_a_header_of_known_names_is_kept_above_wider_rows(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("content,label\nhello,0,extra,more\nbuy now,1,x,y\n", encoding="utf-8")
    result = import_cases(path, ColumnMapping("content", "label"), None)
    assert [c.content for c in result.cases] == ["hello", "buy now"] and result.notes == []
