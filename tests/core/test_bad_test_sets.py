"""Bad test sets are refused or reported, never half-read (issue 11 points 1, 2, 13, 14)."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from app.core.cases import CasesError, load_cases
from app.core.policy import OutputFormat
from app.importing.importer import ColumnMapping, ImportFileError, import_cases

BINARY = OutputFormat(kind="binary", labels=("0", "1"), violating=("1",))


def _jsonl(path, objects) -> None:
    path.write_text("".join(json.dumps(o) + "\n" for o in objects), encoding="utf-8")


def test_duplicate_ids_are_refused_on_load_with_their_lines(tmp_path):
    path = tmp_path / "cases.jsonl"
    _jsonl(path, [
        {"id": "dup", "content": "first", "expected": "0"},
        {"id": "ok", "content": "other", "expected": "1"},
        {"id": "dup", "content": "second", "expected": "1"},
    ])  # fmt: skip
    with pytest.raises(CasesError, match="uses the id 'dup' on lines 1, 3; give each case"):
        load_cases(path)


def test_duplicate_ids_are_made_unique_on_import(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("id,content,label\ndup,first,0\ndup,second,1\n", encoding="utf-8")
    result = import_cases(path, ColumnMapping("content", "label", id="id"), BINARY)
    assert [(c.id, c.content) for c in result.cases] == [("dup", "first"), ("dup-2", "second")]
    assert result.notes == ["Row 3 repeats the id 'dup' of row 2; imported as 'dup-2'."]


def test_an_unclosed_quote_is_reported_and_nothing_after_it_is_lost(tmp_path):
    rows = [f"q{n},text number {n},{n % 2}" for n in range(1, 12)]
    rows[5] = 'q6,"unclosed quote here,1'
    path = tmp_path / "x.csv"
    path.write_text("id,content,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = import_cases(path, ColumnMapping("content", "label", id="id"), BINARY)
    assert [c.id for c in result.cases] == [f"q{n}" for n in range(1, 12) if n != 6]
    assert [(s.row, s.reason) for s in result.skipped] == [
        (7, "opens a quote that is never closed")
    ]
    assert (
        '  row 7 opens a quote that is never closed (q6,"unclosed quote here,1)' in result.report()
    )


def test_a_quote_running_past_the_line_limit_is_unclosed(tmp_path):
    path = tmp_path / "x.csv"
    filler = "\n".join(f"line {n}" for n in range(1100))
    path.write_text(f'content,label\nfine,0\n"runs on\n{filler}\nlast,1\n', encoding="utf-8")
    result = import_cases(path, ColumnMapping("content", "label"), BINARY)
    assert (result.skipped[0].row, result.skipped[0].reason) == (
        3,
        "opens a quote that is never closed",
    )
    assert result.cases[0].content == "fine"
    # The lines after the broken row are read again as rows, not swallowed.
    assert any(c.content == "last" for c in result.cases)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (True, "the label true is not text; write one of 0, 1 in quotes"),
        (["1"], 'the label ["1"] is not text; write one of 0, 1 in quotes'),
        ({"v": 1}, 'the label {"v": 1} is not text; write one of 0, 1 in quotes'),
        ("maybe", "the label 'maybe' is not one of this policy's labels (0, 1)"),
    ],
)
def test_values_that_are_not_labels_are_refused_the_same_way_everywhere(tmp_path, value, says):
    path = tmp_path / "cases.jsonl"
    _jsonl(path, [{"id": "a", "content": "x", "expected": "1"},
                  {"id": "b", "content": "y", "expected": value}])  # fmt: skip
    with pytest.raises(CasesError, match="on line 2 is refused: " + re.escape(says)):
        load_cases(path, BINARY)
    result = import_cases(path, ColumnMapping("content", "expected", id="id"), BINARY)
    assert [c.id for c in result.cases] == ["a"]
    assert [(s.row, s.reason, s.detail) for s in result.skipped] == [(2, "unknown label", says)]


def test_labels_are_normalised_on_load_when_the_format_is_known(tmp_path):
    path = tmp_path / "cases.jsonl"
    _jsonl(path, [{"id": "a", "content": "x", "expected": "INVALID"},
                  {"id": "b", "content": "y", "expected": 0}])  # fmt: skip
    assert [c.expected for c in load_cases(path, BINARY)] == ["1", "0"]
    assert [c.expected for c in load_cases(path)] == ["INVALID", "0"]  # no format: as written


def test_random_bytes_are_not_a_table(tmp_path):
    path = tmp_path / "noise.csv"
    path.write_bytes(random.Random(7).randbytes(20_000))
    with pytest.raises(ImportFileError) as caught:
        import_cases(path, ColumnMapping("content", "label"), BINARY)
    message = str(caught.value)
    assert message == (
        "noise.csv is not a text file (it holds binary data), so it is not a table; "
        "export the test set as CSV, TSV or JSONL and import that."
    )


def test_prose_saved_as_csv_is_not_a_table(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("\n".join(f"Just a sentence number {n}." for n in range(160)), "utf-8")
    with pytest.raises(ImportFileError, match="has one column only .* does not look like a table"):
        import_cases(path, ColumnMapping(0, 1, has_header=False), BINARY)


@pytest.mark.parametrize("text", ["", "\n\n  \n"])
def test_an_empty_file_is_one_sentence(tmp_path, text):
    path = tmp_path / "empty.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(
        ImportFileError, match="^empty.csv is empty; choose a file with a header and rows.$"
    ):  # noqa: E501
        import_cases(path, ColumnMapping("content", "label"), BINARY)


def test_mangled_csv_files_give_rows_or_one_sentence_never_a_traceback(tmp_path):
    """Seeded mutations of a real sample (stray quotes, separators, line breaks, bytes)."""
    sample = (Path(__file__).parent / "samples" / "pack_pairs.csv").read_bytes()
    rng = random.Random(11)
    path = tmp_path / "mangled.csv"
    mapping = ColumnMapping("Example", "Classification", extra_pairs=[("Responses", "Response Label")])  # fmt: skip
    outcomes = {"rows": 0, "refused": 0}
    for _ in range(150):
        data = bytearray(sample)
        for _ in range(rng.randint(1, 6)):
            data.insert(rng.randrange(len(data) + 1), rng.choice(b'"",\n\r;\x00\xff'))
        path.write_bytes(bytes(data))
        try:
            result = import_cases(path, mapping, BINARY)
        except ImportFileError as exc:
            assert "\n" not in str(exc) and str(exc).endswith(".")
            outcomes["refused"] += 1
        else:
            assert all(c.content.strip() for c in result.cases)
            outcomes["rows"] += 1
    assert outcomes["rows"] > 50  # most mangled files still import


def test_a_prompt_that_is_not_text_is_refused_and_unknown_fields_are_kept(tmp_path):
    from app.core.cases import save_cases

    path = tmp_path / "cases.jsonl"
    _jsonl(path, [{"id": "a", "content": "reply", "expected": "0", "prompt": 5}])
    with pytest.raises(CasesError, match="line 1 has a 'prompt' that is not text"):
        load_cases(path, BINARY)
    line = {"id": "a", "content": "reply", "expected": "0", "prompt": "q?", "split": "test",
            "severity": 3, "source": {"site": "forum", "ids": [1, 2]}, "lang": None}  # fmt: skip
    _jsonl(path, [line])
    (case,) = load_cases(path, BINARY)
    assert case.prompt == "q?" and case.extra["split"] == "test"
    save_cases(path, [case])
    assert json.loads(path.read_text(encoding="utf-8")) == line
