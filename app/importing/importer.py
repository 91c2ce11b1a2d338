"""Import test sets from CSV, TSV and JSONL exports, with a column mapping and a skip report.

Row numbers in the skip report are spreadsheet rows: row 1 is the first record of the file;
a quoted cell spanning lines is one row. For JSONL the row number is the line number. Files
are read by :mod:`app.importing.reading`; the header row is found by
:mod:`app.importing.header` (a title or disclaimer above it is left out, and the report
says which row was used), or given as ``header_row``.

A file whose first row (below a title) holds data has no header (the note says which row
and why); when the label column is given by number and the row found holds a label of the
policy, that row is data too. Header names match case-insensitively, spaces ignored; when
two columns share the name asked for, the one with more filled cells is used, with a note.

A mapping holds one or more content/label column pairs. With several pairs each row gives
one case per pair, with ids ``row-5-Example`` and ``row-5-Responses`` (or ``{id}-{column}``
with an id column); a pair whose label cell is empty is skipped on its own. With
``link_pairs`` (the default) the pairs are a prompt and its responses: the first pair's case
is tagged ``prompt``, each other pair's case ``response`` and keeps the row's prompt as its
``prompt`` field (the model judges the response with it: :func:`app.core.cases.model_content`).
Without it each case is tagged with its content column's name. A ``prompt`` column gives
each case of its row that prompt (a file of responses with their prompts, or a file this app
exported: :func:`export_csv` adds a ``prompt`` column when a case has one).

Rows skipped (per pair where it applies, counted by reason in the report): blank rows; rows
whose quote never closes; section and summary rows (:mod:`app.importing.rows`); empty
content; missing label (unless kept); a label that is not a label of the policy
(:func:`app.core.cases.expected_problem`, shared with the test-set loader), unless
``label_map`` maps it (:mod:`app.importing.labels`: values refused are counted in
``unknown_labels`` so that a mapping can be offered); JSONL lines that are not objects. A
repeated id is made unique (``a1-2``) with a note, never merged. Label spellings are
normalised by :func:`app.core.policy.label_spelling.normalize_label`. A leading apostrophe before
``= + - @`` is the protection :func:`export_csv` adds against spreadsheet formulas: it is
removed only in files that start with the export's own header (``id,content,expected,notes,tags``);
in any other file the cell is kept exactly as written. In such a file the columns no
mapping uses and no case field names are the extra fields the export wrote (``source``,
``lang``...), read back into ``TestCase.extra``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.core.cases import KNOWN_FIELDS, TestCase, save_cases
from app.core.csv_cells import csv_cell, csv_document
from app.core.policy import OutputFormat, normalize_label
from app.core.storage_paths import atomic_write_text
from app.importing.columns import ColumnIndex
from app.importing.header import guess_header, split_header
from app.importing.reading import INVALID_LINE, ImportFileError, read_table
from app.importing.row_reader import EXPORT_HEADER, RowReader, extra_cell
from app.importing.rows import UNCLOSED, SkippedRow, count_line

Column = str | int  # a header name, or a 0-based index


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
    prompt: Column | None = None  # the prompt a response case answers (see the notes)
    has_header: bool = True
    keep_unlabelled: bool = False  # keep rows with an empty label cell (expected "")
    extra_pairs: list[tuple[Column, Column | None]] = field(default_factory=list)
    header_row: int | None = None  # the header's row number (from 1); None finds it
    link_pairs: bool = True  # several pairs: the first is the prompt, the others responses
    label_map: dict[str, str] = field(default_factory=dict)  # map_key(raw value) -> label

    @property
    def pairs(self) -> list[tuple[Column, Column | None]]:
        return [(self.content, self.expected), *self.extra_pairs]


@dataclass
class ImportResult:
    cases: list[TestCase]
    skipped: list[SkippedRow] = field(default_factory=list)
    encoding: str = "utf-8"
    rows_read: int = 0
    notes: list[str] = field(default_factory=list)  # header row used, ids made unique
    unknown_labels: dict[str, int] = field(default_factory=dict)  # value as spelled -> rows

    def report(self) -> str:
        """A plain-text summary: notes, counts by reason, then each skipped row (and pair)."""
        lines = [*self.notes]
        counts = f" ({count_line(self.skipped)})" if self.skipped else ""
        lines.append(f"Imported {len(self.cases)} cases; skipped {len(self.skipped)} rows{counts}.")
        lines += [
            f"  row {s.row}{f' ({s.column})' if s.column else ''}"
            + (" " if s.reason == UNCLOSED else ": ")  # "row 7 opens a quote that is ..."
            + s.reason
            + (f" ({s.detail})" if s.detail else "")
            for s in self.skipped
        ]
        return "\n".join(lines)


def _header_and_body(table, has_header: bool, header_row: int | None):  # noqa: ANN001, ANN202
    """(header cells or None, data rows, note); None when the rows hold data only."""
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
    number = 0 if table.format == "jsonl" else (_header_number(table, header) or 1)
    has_header = header is not None and (
        table.format == "jsonl" or header_row is not None or guess_header([header, *body])
    )
    if header is not None and not has_header:  # the "header" found is data: a first row
        body, note = [header, *body], ""
    header = header or []
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


def _header_cell_is_label(
    header: list[str] | None, pairs: list, output: OutputFormat | None
) -> bool:
    """A header row whose label cell (given by number) is a label of the policy is data."""
    if header is None or output is None:
        return False
    cells = [header[e] for _, e in pairs if isinstance(e, int) and e < len(header)]
    return any(cell.strip() and normalize_label(cell, output) for cell in cells)


def _header_number(table, header: list[str] | None) -> int:  # noqa: ANN001
    return next((n for n, cells in table.rows if cells is header), 0)


def import_cases(
    path: Path | str, mapping: ColumnMapping, output: OutputFormat | None = None
) -> ImportResult:
    """Read a file into test cases under a mapping; labels normalised when output is given."""
    path = Path(path)
    table = read_table(path)
    header, records, note = _header_and_body(table, mapping.has_header, mapping.header_row)
    if mapping.header_row is None and _header_cell_is_label(header, mapping.pairs, output):
        number = _header_number(table, header)
        records = [row for row in table.rows if row[0] >= number]
        note = f"No header row: row {number} holds a label of the policy, so it is read as data."
        header = None
    result = ImportResult(cases=[], encoding=table.encoding, rows_read=len(records))
    if note:
        result.notes.append(note)
    columns = ColumnIndex(header, _header_number(table, header), records, result.notes)
    names = ("id", "notes", "tags", "prompt")
    index = {name: columns.index(getattr(mapping, name), name) for name in names}
    pairs = [(columns.index(c, "content"), columns.index(e, "expected")) for c, e in mapping.pairs]
    _check_width(path, table.width, pairs)
    reader = RowReader(table, header, mapping, output, pairs, index, result)
    for number, cells in records:
        reader.read(number, cells)
    if reader.mapping_note():
        result.notes.append(reader.mapping_note())
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


def export_csv(path: Path | str, cases: list[TestCase], *, bom: bool = False) -> None:
    """Write cases as CSV with a header: id, content, expected, notes, tags (comma-joined),
    prompt when a case has one, then one column per extra field the cases keep (``source``,
    ``lang``...: :func:`app.importing.row_reader.extra_cell`; read back on import)."""
    prompts = any(c.prompt for c in cases)
    extras = list(dict.fromkeys(key for c in cases for key in c.extra if key not in KNOWN_FIELDS))
    rows = [
        [c.id, c.content, c.expected, c.notes, ", ".join(c.tags), *([c.prompt] if prompts else []),
         *(extra_cell(c.extra, key) for key in extras)]
        for c in cases
    ]  # fmt: skip
    header = [*EXPORT_HEADER, *(["prompt"] if prompts else []), *map(csv_cell, extras)]
    atomic_write_text(path, csv_document(header, rows, bom=bom))  # formula cells neutralised


def export_jsonl(path: Path | str, cases: list[TestCase]) -> None:
    """Write cases in the test-set JSONL format (one object per line)."""
    save_cases(path, cases)
