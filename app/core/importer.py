"""Import test sets from CSV, TSV and JSONL exports, with a column mapping and a skip report.

Row numbers in the skip report are spreadsheet rows: row 1 is the first record of the file
(the header when there is one); a quoted cell spanning lines is one row. For JSONL the row
number is the line number. Encodings tried in order: a UTF-8 or UTF-16 byte-order mark,
UTF-16 without a mark (many NUL bytes), strict UTF-8, then the Latin-1 fallback (read as
Windows-1252, its superset with curly quotes, when that decodes; else ISO-8859-1).

Rows skipped: blank rows; section rows (one filled cell, outside the content column, when
two or more columns are mapped); empty content; missing label (unless kept); unknown label;
duplicate id (the first row with an id wins); JSONL lines that are not objects. Trailing
empty columns are ignored. Rows without an id column get ``row-N``.

Label spellings (``1``, ``unsafe``, ``SP2``...) are normalised by
:func:`app.core.label_spelling.normalize_label`; anything it does not know is an unknown
label and its row is skipped. Files are read by :mod:`app.core.import_reading`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from app.core.cases import TestCase, save_cases
from app.core.import_reading import INVALID_LINE, ImportFileError, read_records
from app.core.label_spelling import normalize_label, words
from app.core.policy import OutputFormat
from app.core.report_formats import csv_cell_text, csv_document
from app.core.storage_paths import atomic_write_text

HEADER_WORDS = words(
    "id case case_id content text message body expected label labels gold verdict class "
    "category notes note tags tag comment comments"
)


@dataclass
class ImportPreview:
    """What the mapping step shows: how the file was read and its first rows."""

    path: Path
    format: str  # "csv", "tsv" or "jsonl"
    encoding: str
    delimiter: str | None  # None for JSONL
    has_header: bool  # a guess the user may override
    columns: list[str]  # header names, or "Column 1", "Column 2"... without a header
    rows: list[list[str]]  # the first data rows, trailing empty cells removed


@dataclass
class ColumnMapping:
    """Which column holds what: a header name, or a 0-based index."""

    content: str | int
    expected: str | int | None = None
    id: str | int | None = None
    notes: str | int | None = None
    tags: str | int | None = None
    has_header: bool = True
    keep_unlabelled: bool = False  # keep rows with an empty label cell (expected "")


@dataclass
class SkippedRow:
    row: int
    reason: str  # blank row, section row, empty content, missing label, unknown label, ...
    detail: str = ""


@dataclass
class ImportResult:
    cases: list[TestCase]
    skipped: list[SkippedRow] = field(default_factory=list)
    encoding: str = "utf-8"
    rows_read: int = 0

    def report(self) -> str:
        """A plain-text summary: counts, then one line per skipped row."""
        lines = [f"Imported {len(self.cases)} cases; skipped {len(self.skipped)} rows."]
        lines += [
            f"  row {s.row}: {s.reason}" + (f" ({s.detail})" if s.detail else "")
            for s in self.skipped
        ]
        return "\n".join(lines)


def _guess_header(rows: list[list[str]]) -> bool:
    if not rows or not rows[0]:
        return False
    first = [cell.strip() for cell in rows[0]]
    if any(cell.lower().replace("_", " ") in HEADER_WORDS for cell in first):
        return True
    if not all(first) or len(set(first)) != len(first):
        return False
    numeric = re.compile(r"^[-+]?\d+(\.\d+)?$")
    if any(numeric.match(cell) or len(cell) > 40 for cell in first):
        return False
    return any(any(numeric.match(c.strip()) or len(c) > 40 for c in row) for row in rows[1:6])


def preview(path: Path | str, n: int = 10) -> ImportPreview:
    """Read a file for the mapping step: encoding, delimiter, header guess and first rows."""
    path = Path(path)
    fmt, encoding, delimiter, records = read_records(path)
    if fmt == "jsonl":
        header = records[0][1]
        body = [cells for number, cells in records[1:] if cells != [INVALID_LINE]]
        return ImportPreview(path, fmt, encoding, None, True, header, body[:n])
    nonblank = [cells for _, cells in records if any(c.strip() for c in cells)]
    has_header = _guess_header(nonblank)
    width = max((len(cells) for cells in nonblank), default=0)
    if has_header:
        columns = [c.strip() or f"Column {i + 1}" for i, c in enumerate(nonblank[0])]
        columns += [f"Column {i + 1}" for i in range(len(columns), width)]
        body = nonblank[1:]
    else:
        columns = [f"Column {i + 1}" for i in range(width)]
        body = nonblank
    return ImportPreview(path, fmt, encoding, delimiter, has_header, columns, body[:n])


def _column_index(spec: str | int | None, header: list[str] | None, what: str) -> int | None:
    if spec is None:
        return None
    if isinstance(spec, int):
        return spec
    if header is not None:
        lowered = [h.strip().lower() for h in header]
        if spec.strip().lower() in lowered:
            return lowered.index(spec.strip().lower())
    if spec.strip().isdigit():
        return int(spec.strip())
    names = ", ".join(h for h in (header or []) if h) or "none"
    raise ImportFileError(f"There is no {what} column '{spec}'; the columns are: {names}.")


def import_cases(
    path: Path | str, mapping: ColumnMapping, output: OutputFormat | None = None
) -> ImportResult:
    """Read a file into test cases under a mapping; labels normalised when output is given."""
    path = Path(path)
    fmt, encoding, _delimiter, records = read_records(path)
    header: list[str] | None = None
    if fmt == "jsonl":
        header, records = records[0][1], records[1:]
    elif mapping.has_header:
        while records and not any(c.strip() for c in records[0][1]):
            records = records[1:]
        if records:
            header, records = records[0][1], records[1:]
    columns = {
        name: _column_index(getattr(mapping, name), header, name)
        for name in ("content", "expected", "id", "notes", "tags")
    }
    mapped = sum(1 for index in columns.values() if index is not None)
    result = ImportResult(cases=[], encoding=encoding, rows_read=len(records))
    seen: set[str] = set()

    def cell(cells: list[str], name: str) -> str:
        index = columns[name]
        text = cells[index] if index is not None and index < len(cells) else ""
        return text if fmt == "jsonl" else csv_cell_text(text)  # undo export's formula quote

    for number, cells in records:
        skip = result.skipped.append
        if cells == [INVALID_LINE]:
            skip(SkippedRow(number, "invalid JSON", "the line is not a JSON object"))
            continue
        filled = [c for c in cells if c.strip()]
        if not filled:
            skip(SkippedRow(number, "blank row"))
            continue
        content = cell(cells, "content")
        if len(filled) == 1 and mapped >= 2 and fmt != "jsonl" and not content.strip():
            skip(SkippedRow(number, "section row", filled[0].strip()[:60]))
            continue
        if not content.strip():
            skip(SkippedRow(number, "empty content"))
            continue
        raw_label = cell(cells, "expected").strip()
        expected = raw_label
        if columns["expected"] is not None:
            if not raw_label and not mapping.keep_unlabelled:
                skip(SkippedRow(number, "missing label"))
                continue
            if raw_label and output is not None:
                normalised = normalize_label(raw_label, output)
                if normalised is None:
                    allowed = ", ".join(output.labels)
                    skip(SkippedRow(number, "unknown label", f"'{raw_label}'; use {allowed}"))
                    continue
                expected = normalised
        case_id = cell(cells, "id").strip() or f"row-{number}"
        if case_id in seen:
            skip(SkippedRow(number, "duplicate id", case_id))
            continue
        seen.add(case_id)
        tags = [t.strip() for t in re.split(r"[,;|]", cell(cells, "tags")) if t.strip()]
        result.cases.append(
            TestCase(case_id, content, expected, cell(cells, "notes").strip(), tags)
        )
    return result


def export_csv(path: Path | str, cases: list[TestCase], *, bom: bool = False) -> None:
    """Write cases as CSV with a header: id, content, expected, notes, tags (comma-joined)."""
    rows = [[c.id, c.content, c.expected, c.notes, ", ".join(c.tags)] for c in cases]
    header = ["id", "content", "expected", "notes", "tags"]
    atomic_write_text(path, csv_document(header, rows, bom=bom))  # formula cells neutralised


def export_jsonl(path: Path | str, cases: list[TestCase]) -> None:
    """Write cases in the test-set JSONL format (one object per line)."""
    save_cases(path, cases)
