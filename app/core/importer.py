"""Import test sets from CSV, TSV and JSONL exports, with a column mapping and a skip report.

Row numbers in the skip report are spreadsheet rows: row 1 is the first record of the file;
a quoted cell spanning lines is one row. For JSONL the row number is the line number. Files
are read by :mod:`app.core.import_reading`; the header row is found by
:mod:`app.core.import_header` (a title or disclaimer above it is left out, and the report
says which row was used), or given as ``header_row``.

A mapping holds one or more content/label column pairs. With several pairs each row gives
one case per pair, tagged with the pair's content column name, with ids ``row-5-Example``
and ``row-5-Responses`` (or ``{id}-{column}`` with an id column); a pair whose label cell
is empty is skipped on its own. Header names match case-insensitively, spaces ignored.

Rows skipped (per pair where it applies): blank rows; rows whose quote never closes;
section rows (one filled cell, outside the content columns, when two or more columns are
mapped); empty content; missing label (unless kept); a label that is not a label of the
policy (:func:`app.core.cases.expected_problem`, shared with the test-set loader); JSONL
lines that are not objects. A repeated id is made unique (``a1-2``) with a note, never
merged. Label spellings are normalised by :func:`app.core.label_spelling.normalize_label`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from app.core.cases import TestCase, expected_problem, save_cases
from app.core.import_header import guess_header, split_header
from app.core.import_reading import INVALID_LINE, UNCLOSED_QUOTE, ImportFileError, read_table
from app.core.label_spelling import normalize_label
from app.core.policy import OutputFormat
from app.core.report_formats import csv_cell_text, csv_document
from app.core.storage_paths import atomic_write_text

Column = str | int  # a header name, or a 0-based index
UNCLOSED = "opens a quote that is never closed"


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
    header_row: int = 1  # the row the header was found on (0 for JSONL)
    note: str = ""  # e.g. "Row 2 used as the header; 1 line above it ... left out."


@dataclass
class ColumnMapping:
    """Which column holds what; ``extra_pairs`` are more (content, label) pairs."""

    content: Column
    expected: Column | None = None
    id: Column | None = None
    notes: Column | None = None
    tags: Column | None = None
    has_header: bool = True
    keep_unlabelled: bool = False  # keep rows with an empty label cell (expected "")
    extra_pairs: list[tuple[Column, Column | None]] = field(default_factory=list)
    header_row: int | None = None  # the header's row number (from 1); None finds it

    @property
    def pairs(self) -> list[tuple[Column, Column | None]]:
        return [(self.content, self.expected), *self.extra_pairs]


@dataclass
class SkippedRow:
    row: int
    reason: str  # blank row, section row, empty content, missing label, unknown label, ...
    detail: str = ""
    column: str = ""  # the pair's content column when a row gives several cases


@dataclass
class ImportResult:
    cases: list[TestCase]
    skipped: list[SkippedRow] = field(default_factory=list)
    encoding: str = "utf-8"
    rows_read: int = 0
    notes: list[str] = field(default_factory=list)  # header row used, ids made unique

    def report(self) -> str:
        """A plain-text summary: notes, counts, then one line per skipped row (and pair)."""
        lines = [*self.notes]
        lines.append(f"Imported {len(self.cases)} cases; skipped {len(self.skipped)} rows.")
        lines += [
            f"  row {s.row}{f' ({s.column})' if s.column else ''}"
            + (" " if s.reason == UNCLOSED else ": ")  # "row 7 opens a quote that is ..."
            + s.reason
            + (f" ({s.detail})" if s.detail else "")
            for s in self.skipped
        ]
        return "\n".join(lines)


def _header_and_body(table, has_header: bool, header_row: int | None):  # noqa: ANN001, ANN202
    if table.format == "jsonl":
        return table.rows[0][1], table.rows[1:], ""
    if not has_header:
        return None, table.rows, ""
    try:
        return split_header(table.rows, header_row)
    except ValueError as exc:
        raise ImportFileError(f"{exc} Choose another header row.") from None


def preview(path: Path | str, n: int = 10, header_row: int | None = None) -> ImportPreview:
    """Read a file for the mapping step: encoding, delimiter, header and first rows."""
    path = Path(path)
    table = read_table(path)
    header, body, note = _header_and_body(table, True, header_row)
    body = [
        cells for _, cells in body if any(c.strip() for c in cells) and cells[:1] != [INVALID_LINE]
    ]
    number = (
        0 if table.format == "jsonl" else next((n for n, cells in table.rows if cells is header), 1)
    )
    has_header = table.format == "jsonl" or header_row is not None or guess_header([header, *body])
    if not has_header:  # the "header" found is data: show it as the first row
        body, note = [header, *body], ""
    width = max([len(header), *(len(cells) for cells in body)], default=0)
    if has_header:
        columns = [c.strip() or f"Column {i + 1}" for i, c in enumerate(header)]
        columns += [f"Column {i + 1}" for i in range(len(columns), width)]
    else:
        columns = [f"Column {i + 1}" for i in range(width)]
    return ImportPreview(
        path, table.format, table.encoding, table.delimiter, has_header, columns, body[:n],
        number, note,
    )  # fmt: skip


def _column_index(spec: Column | None, header: list[str] | None, what: str) -> int | None:
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
    shown = [" ".join(h.split())[:30] for h in (header or []) if h.strip()]
    names = ", ".join(shown[:12]) + (", ..." if len(shown) > 12 else "") if shown else "none"
    raise ImportFileError(f"There is no {what} column '{spec}'; the columns are: {names}.")


def _slug(name: str) -> str:
    return re.sub(r"\s+", "-", name.strip()) or "column"


def import_cases(
    path: Path | str, mapping: ColumnMapping, output: OutputFormat | None = None
) -> ImportResult:
    """Read a file into test cases under a mapping; labels normalised when output is given."""
    path = Path(path)
    table = read_table(path)
    header, records, note = _header_and_body(table, mapping.has_header, mapping.header_row)
    index = {
        name: _column_index(getattr(mapping, name), header, name)
        for name in ("id", "notes", "tags")
    }
    pairs = [
        (_column_index(c, header, "content"), _column_index(e, header, "expected"))
        for c, e in mapping.pairs
    ]
    _check_width(path, table.width, pairs)
    several = len(pairs) > 1
    names = [
        (header[c].strip() if header and c < len(header) and header[c].strip() else f"Column {c + 1}")
        for c, _ in pairs
    ]  # fmt: skip
    mapped = len({i for pair in pairs for i in pair if i is not None}) + sum(
        1 for i in index.values() if i is not None
    )
    content_columns = {c for c, _ in pairs}
    result = ImportResult(cases=[], encoding=table.encoding, rows_read=len(records))
    if note:
        result.notes.append(note)
    used: dict[str, int] = {}

    def cell(cells: list[str], column: int | None) -> str:
        text = cells[column] if column is not None and column < len(cells) else ""
        return text if table.format == "jsonl" else csv_cell_text(text)  # export's quote

    for number, cells in records:
        skip = result.skipped.append
        if cells[:1] == [INVALID_LINE]:
            skip(SkippedRow(number, "invalid JSON", "the line is not a JSON object"))
            continue
        if cells[:1] == [UNCLOSED_QUOTE]:
            skip(SkippedRow(number, UNCLOSED, cells[1][:60]))  # fmt: skip
            continue
        filled = [i for i, c in enumerate(cells) if c.strip()]
        if not filled:
            skip(SkippedRow(number, "blank row"))
            continue
        lone = len(filled) == 1 and mapped >= 2 and table.format != "jsonl"
        if lone and filled[0] not in content_columns:
            skip(SkippedRow(number, "section row", cells[filled[0]].strip()[:60]))
            continue
        base_id = cell(cells, index["id"]).strip() or f"row-{number}"
        for (content_col, label_col), name in zip(pairs, names, strict=True):
            where = name if several else ""
            content = cell(cells, content_col)
            if not content.strip():
                skip(SkippedRow(number, "empty content", column=where))
                continue
            expected = cell(cells, label_col).strip()
            if label_col is not None:
                raw = table.raw_values.get((number, label_col), expected)
                if not expected and not mapping.keep_unlabelled:
                    skip(SkippedRow(number, "missing label", column=where))
                    continue
                problem = expected_problem(raw, output)
                if problem:
                    skip(SkippedRow(number, "unknown label", problem, column=where))
                    continue
                if expected and output is not None:
                    expected = normalize_label(expected, output) or expected
            case_id = f"{base_id}-{_slug(name)}" if several else base_id
            case_id = _unique(case_id, number, used, result.notes)
            tags = [t.strip() for t in re.split(r"[,;|]", cell(cells, index["tags"])) if t.strip()]
            if several and name not in tags:
                tags.append(name)
            notes = cell(cells, index["notes"]).strip()
            result.cases.append(TestCase(case_id, content, expected, notes, tags))
    return result


def _check_width(path: Path, width: int, pairs: list[tuple[int | None, int | None]]) -> None:
    """Refuse a mapping that points past the table, in one sentence."""
    beyond = [i for pair in pairs for i in pair if i is not None and i >= width]
    if not beyond:
        return
    if width <= 1:
        raise ImportFileError(
            f"{path.name} has one column only (no commas, semicolons or tabs), so it does not "
            "look like a table; export the test set as CSV, TSV or JSONL."
        )
    raise ImportFileError(
        f"{path.name} has {width} columns, so column {beyond[0] + 1} is empty everywhere; "
        "choose another column."
    )


def _unique(case_id: str, row: int, used: dict[str, int], notes: list[str]) -> str:
    """The id itself, or ``id-2``, ``id-3``... when it is taken (with a note)."""
    if case_id not in used:
        used[case_id] = row
        return case_id
    n = 2
    while f"{case_id}-{n}" in used:
        n += 1
    unique = f"{case_id}-{n}"
    notes.append(
        f"Row {row} repeats the id '{case_id}' of row {used[case_id]}; imported as '{unique}'."
    )
    used[unique] = row
    return unique


def export_csv(path: Path | str, cases: list[TestCase], *, bom: bool = False) -> None:
    """Write cases as CSV with a header: id, content, expected, notes, tags (comma-joined)."""
    rows = [[c.id, c.content, c.expected, c.notes, ", ".join(c.tags)] for c in cases]
    header = ["id", "content", "expected", "notes", "tags"]
    atomic_write_text(path, csv_document(header, rows, bom=bom))  # formula cells neutralised


def export_jsonl(path: Path | str, cases: list[TestCase]) -> None:
    """Write cases in the test-set JSONL format (one object per line)."""
    save_cases(path, cases)
