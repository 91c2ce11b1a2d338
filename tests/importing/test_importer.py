"""Importing messy CSV/TSV/JSONL exports into test cases, and exporting them back."""

from __future__ import annotations

import json

import pytest

from app.core.cases import load_cases
from app.core.policy import OutputFormat, normalize_label
from app.importing.importer import (
    ColumnMapping,
    ImportFileError,
    export_csv,
    export_jsonl,
    import_cases,
    preview,
)
from app.importing.reading import decode_bytes

BINARY = OutputFormat(kind="binary", labels=("0", "1"), violating=("1",))
JSON = OutputFormat(kind="json", labels=("0", "1"), violating=("1",))
LABELS = OutputFormat(kind="labels", labels=("HS0", "HS1", "HS2", "HS3"), violating=("HS1", "HS2", "HS3"))  # fmt: skip
SPAM = OutputFormat(kind="labels", labels=("SP0", "SP1 Spam", "SP2 Fraud"), violating=("SP1 Spam", "SP2 Fraud"))  # fmt: skip

MESSY = (
    "id,text,label,notes,,\r\n"
    "a1,Buy followers now,1,,,\r\n"
    ",,,,,\r\n"
    "Section: phishing,,,,,\r\n"
    'a2,"Your parcel is held.\nPay 1.99 at http://x.example",violating,multi-line,,\r\n'
    "a3,Lovely weather today,no,,,\r\n"
    "a4,   ,1,,,\r\n"
    "a5,Hello there,maybe,,,\r\n"
    "a1,Duplicate id row,0,,,\r\n"
    "a6,Café owners: send your IBAN to claim,INVALID,latin,,\r\n"
    "a7,Report this scam please,VALID,,,\r\n"
)


def _mapping(**kw) -> ColumnMapping:
    return ColumnMapping(content="text", expected="label", id="id", notes="notes", **kw)


@pytest.mark.parametrize(
    ("encoding", "prefix", "expected_name"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("utf-16", b"", "utf-16"),  # Python writes a BOM for "utf-16"
        ("latin-1", b"", "windows-1252"),
    ],
)
def test_messy_csv_in_every_encoding(tmp_path, encoding, prefix, expected_name):
    path = tmp_path / "export.csv"
    path.write_bytes(prefix + MESSY.encode(encoding))
    result = import_cases(path, _mapping(), BINARY)
    assert result.encoding == expected_name
    assert [c.id for c in result.cases] == ["a1", "a2", "a3", "a1-2", "a6", "a7"]
    assert [c.expected for c in result.cases] == ["1", "1", "0", "0", "1", "0"]
    by_id = {c.id: c for c in result.cases}
    assert by_id["a2"].content == "Your parcel is held.\nPay 1.99 at http://x.example"
    assert by_id["a2"].notes == "multi-line"
    assert by_id["a6"].content.startswith("Café owners")
    skipped = [(s.row, s.reason) for s in result.skipped]
    assert skipped == [
        (3, "blank row"),
        (4, "section row"),
        (7, "empty content"),
        (8, "unknown label"),
    ]
    assert "'maybe'" in result.skipped[3].detail
    report = result.report()
    assert (
        "Imported 6 cases; skipped 4 rows (1 blank row, 1 section row, 1 empty content row, "
        "1 unknown label row)." in report
    )
    assert "Row 9 repeats the id 'a1' of row 2; imported as 'a1-2'." in report


def test_latin1_bytes_that_cp1252_cannot_decode_fall_back_to_latin1():
    text, name = decode_bytes(b"caf\xe9 \x81")
    assert name == "latin-1" and text == "caf\xe9 \x81"


def test_utf16_without_bom_is_detected():
    text, name = decode_bytes("id,content\n1,hello\n".encode("utf-16-le"))
    assert name == "utf-16-le" and text.startswith("id,content")


def test_preview_detects_header_delimiter_and_trims_trailing_columns(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(MESSY.replace(",", ";"), encoding="utf-8")
    head = preview(path, n=3)
    assert head.delimiter == ";" and head.format == "csv" and head.encoding == "utf-8"
    assert head.has_header is True
    assert head.columns == ["id", "text", "label", "notes"]
    assert head.rows[0] == ["a1", "Buy followers now", "1"]
    assert len(head.rows) == 3


def test_tsv_without_header_by_index(tmp_path):
    path = tmp_path / "data.tsv"
    path.write_text("x1\tFree crypto, guaranteed\ttrue\t\n\nx2\tSee you at 5\tfalse\n")
    head = preview(path)
    assert head.has_header is False and head.delimiter == "\t"
    assert head.columns == ["Column 1", "Column 2", "Column 3"]
    result = import_cases(path, ColumnMapping(content=1, expected=2, id=0, has_header=False), JSON)
    assert [(c.id, c.content, c.expected) for c in result.cases] == [
        ("x1", "Free crypto, guaranteed", "1"),
        ("x2", "See you at 5", "0"),
    ]
    assert [(s.row, s.reason) for s in result.skipped] == [(2, "blank row")]


def test_jsonl_import_with_tags_and_bad_lines(tmp_path):
    path = tmp_path / "set.jsonl"
    lines = [
        json.dumps({"id": "j1", "content": "hi", "expected": "HS0", "tags": ["benign", "en"]}),
        "",
        "not json",
        json.dumps({"id": "j2", "content": "attack", "expected": "hs2", "tags": "severe; en"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    mapping = ColumnMapping(content="content", expected="expected", id="id", tags="tags")
    result = import_cases(path, mapping, LABELS)
    assert [(c.id, c.expected, c.tags) for c in result.cases] == [
        ("j1", "HS0", ["benign", "en"]),
        ("j2", "HS2", ["severe", "en"]),
    ]
    assert [(s.row, s.reason) for s in result.skipped] == [(2, "blank row"), (3, "invalid JSON")]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", "1"), ("true", "1"), ("Yes", "1"), ("violating", "1"), ("Violation", "1"),
        ("INVALID", "1"), ("unsafe", "1"), ("SP2", "1"), ("sp2.a", "1"), ("'1'", "1"),
        ("0", "0"), ("no", "0"), ("FALSE", "0"), ("safe", "0"), ("VALID", "0"),
        ("non-violating", "0"), ("not violating", "0"), ("SP0.b", "0"),
        ("maybe", None), ("", None), ("2", None),
    ],
)  # fmt: skip
def test_binary_label_spellings(raw, expected):
    assert normalize_label(raw, BINARY) == expected
    assert normalize_label(raw, JSON) == expected


@pytest.mark.parametrize(
    ("fmt", "raw", "expected"),
    [
        (LABELS, "hs2", "HS2"), (LABELS, "HS3", "HS3"), (LABELS, "safe", "HS0"),
        (LABELS, "violating", None), (LABELS, "HS2.a", "HS2"), (LABELS, "HS", None),
        (SPAM, "SP2", "SP2 Fraud"), (SPAM, "sp1", "SP1 Spam"), (SPAM, "SP2.a", "SP2 Fraud"),
        (SPAM, "SP3", None), (SPAM, "no", "SP0"), (SPAM, "1", None),
    ],
)  # fmt: skip
def test_labels_policy_spellings_and_class_prefixes(fmt, raw, expected):
    assert normalize_label(raw, fmt) == expected


def test_missing_label_skipped_unless_kept(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("content,label\nhello,\nbye,0\n")
    mapping = ColumnMapping(content="content", expected="label")
    result = import_cases(path, mapping, BINARY)
    assert [c.id for c in result.cases] == ["row-3"]
    assert [(s.row, s.reason) for s in result.skipped] == [(2, "missing label")]
    kept = import_cases(path, ColumnMapping(content="content", expected="label", keep_unlabelled=True), BINARY)  # fmt: skip
    assert [(c.id, c.expected) for c in kept.cases] == [("row-2", ""), ("row-3", "0")]


def test_unknown_column_and_missing_file_say_what_to_do(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("content,label\nhello,1\n")
    with pytest.raises(ImportFileError, match="no expected column 'verdict'.*content, label"):
        import_cases(path, ColumnMapping(content="content", expected="verdict"), BINARY)
    with pytest.raises(ImportFileError, match="does not exist"):
        preview(tmp_path / "nope.csv")


def test_export_round_trip_csv_and_jsonl(tmp_path):
    src = tmp_path / "export.csv"
    src.write_text(MESSY, encoding="utf-8")
    cases = import_cases(src, _mapping(), BINARY).cases
    cases[0].tags = ["promo", "en"]
    export_csv(tmp_path / "out.csv", cases, bom=True)
    again = import_cases(
        tmp_path / "out.csv",
        ColumnMapping(content="content", expected="expected", id="id", notes="notes", tags="tags"),
        BINARY,
    )
    assert again.encoding == "utf-8-sig" and not again.skipped
    assert again.cases == cases
    export_jsonl(tmp_path / "out.jsonl", cases)
    assert load_cases(tmp_path / "out.jsonl") == cases
