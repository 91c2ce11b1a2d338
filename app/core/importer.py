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

Label spellings, matched case-insensitively with spaces and quotes stripped:

- binary / json policies: a declared label maps to itself; ``1 1.0 true t yes y violating
  violates violation violative invalid unsafe harmful flagged positive`` map to the first
  ``violating:`` label; ``0 0.0 false f no n safe valid non-violating nonviolating
  not violating no violation does not violate benign ok clean negative`` map to the first
  label that does not violate; a rule code (``SP2``, ``sp2.a``) means violating unless
  its number is 0 (``SP0``, ``SP0.b``).
- labels policies: a declared label in any case; else the single label that the value is
  a class prefix of, or that is a prefix of the value, at a boundary (``SP2`` matches
  ``SP2 Fraud``; ``sp2.a`` matches ``SP2``); else a spelling from the lists above when the
  policy has exactly one label on that side (``safe`` -> ``HS0``).

Anything else is an unknown label and its row is skipped.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from app.core.cases import TestCase, save_cases
from app.core.policy import OutputFormat
from app.core.storage_paths import atomic_write_text


def _words(text: str) -> frozenset[str]:
    return frozenset(word.replace("_", " ") for word in text.split())


VIOLATING_WORDS = _words(
    "1 1.0 true t yes y violating violates violation violative invalid unsafe harmful "
    "flagged positive"
)
NON_VIOLATING_WORDS = _words(
    "0 0.0 false f no n safe valid non-violating nonviolating non_violating not-violating "
    "not_violating no_violation does_not_violate benign ok clean negative"
)
HEADER_WORDS = _words(
    "id case case_id content text message body expected label labels gold verdict class "
    "category notes note tags tag comment comments"
)
_INVALID = "\x00invalid"  # the cell list standing for a JSONL line that is not an object
# A rule code written as a label: SP2, sp2.a, HS-3 (letters, digits, optional parts).
_CODE_RE = re.compile(r"[A-Za-z]{1,5}-?(\d{1,3})(?:\.[A-Za-z0-9]{1,4})*")


class ImportFileError(ValueError):
    """A file that cannot be imported at all; the message says what to do."""


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


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode file bytes; return (text, encoding name). See the module notes for the order."""
    boms = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
    codecs = [name for bom, name in boms if data.startswith(bom)]
    if len(data) >= 4 and data.count(b"\x00") > len(data) // 4:  # UTF-16 without a mark
        codecs.append("utf-16-le" if data[1:2] == b"\x00" else "utf-16-be")
    codecs.append("utf-8")
    for codec in [*codecs, "cp1252"]:
        try:
            return data.decode(codec), "windows-1252" if codec == "cp1252" else codec
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def _read_text(path: Path) -> tuple[str, str]:
    try:
        return decode_bytes(path.read_bytes())
    except FileNotFoundError:
        raise ImportFileError(f"File {path} does not exist; check the path.") from None
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path} ({exc.strerror}).") from None


def _file_format(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".tsv", ".tab"):
        return "tsv"
    first = next((line for line in text.splitlines() if line.strip()), "")
    return "jsonl" if first.lstrip().startswith("{") else "csv"


def _sniff_delimiter(text: str) -> str:
    sample = text[:16384]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        return max(",;\t|", key=first.count) if any(c in first for c in ",;\t|") else ","


def _trim(row: list[str]) -> list[str]:
    end = len(row)
    while end and not row[end - 1].strip():
        end -= 1
    return row[:end]


def _records(path: Path) -> tuple[str, str, str | None, list[tuple[int, list[str]]]]:
    """Read every record as (row number, cells); return (format, encoding, delimiter, rows)."""
    text, encoding = _read_text(path)
    fmt = _file_format(path, text)
    if fmt == "jsonl":
        return fmt, encoding, None, _jsonl_records(text)
    delimiter = "\t" if fmt == "tsv" else _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [(number, _trim(row)) for number, row in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise ImportFileError(
            f"Row {reader.line_num} of {path.name} cannot be read ({exc}); fix the quoting there."
        ) from None
    return fmt, encoding, delimiter, rows


def _cell_text(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _jsonl_records(text: str) -> list[tuple[int, list[str]]]:
    """JSONL as a table: the header row (number 0) holds the keys in first-seen order."""
    objects: list[tuple[int, dict | None]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        try:
            data = json.loads(line) if line.strip() else {}
        except json.JSONDecodeError:
            data = None
        objects.append((number, data if isinstance(data, dict) else None))
    header = list(dict.fromkeys(str(key) for _, data in objects for key in data or {}))
    rows: list[tuple[int, list[str]]] = [(0, header)]
    for number, data in objects:
        if data is None:
            rows.append((number, [_INVALID]))
            continue
        rows.append((number, _trim([_cell_text(data.get(key)) for key in header])))
    return rows


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
    fmt, encoding, delimiter, records = _records(path)
    if fmt == "jsonl":
        header = records[0][1]
        body = [cells for number, cells in records[1:] if cells != [_INVALID]]
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


def _no_zero_code(value: str) -> bool | None:
    """For a rule-code label: True when it names a violating class, None if not a code."""
    match = _CODE_RE.fullmatch(value)
    return None if match is None else int(match.group(1)) != 0


def _class_code(value: str) -> str:
    """The leading rule-code class of a value (``sp2`` for ``sp2.a`` or ``sp2 fraud``)."""
    match = re.match(r"[a-z]{1,5}-?\d{1,3}(?![\w])", value)
    return match.group() if match else ""


def _boundary_prefix(short: str, long: str) -> bool:
    return long.startswith(short) and (len(long) == len(short) or not long[len(short)].isalnum())


def normalize_label(raw: str, output: OutputFormat) -> str | None:
    """The policy label a raw spelling stands for, or None when it is unknown (see table)."""
    value = raw.strip().strip("\"'").strip()
    if not value:
        return None
    lowered = value.lower()
    for label in output.labels:
        if label.lower() == lowered:
            return label
    violating = [label for label in output.labels if output.is_violating(label)]
    benign = [label for label in output.labels if not output.is_violating(label)]
    if output.kind == "labels":
        code = _class_code(lowered)
        matches = [
            label
            for label in output.labels
            if _boundary_prefix(lowered, label.lower())
            or _boundary_prefix(label.lower(), lowered)
            or (code and _class_code(label.lower()) == code)
        ]
        if len(matches) == 1:
            return matches[0]
        if lowered in VIOLATING_WORDS and len(violating) == 1:
            return violating[0]
        if lowered in NON_VIOLATING_WORDS and len(benign) == 1:
            return benign[0]
        return None
    if lowered in VIOLATING_WORDS or _no_zero_code(value) is True:
        return violating[0] if violating else None
    if lowered in NON_VIOLATING_WORDS or _no_zero_code(value) is False:
        return benign[0] if benign else None
    return None


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
    fmt, encoding, _delimiter, records = _records(path)
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
        return cells[index] if index is not None and index < len(cells) else ""

    for number, cells in records:
        skip = result.skipped.append
        if cells == [_INVALID]:
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
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["id", "content", "expected", "notes", "tags"])
    for case in cases:
        writer.writerow([case.id, case.content, case.expected, case.notes, ", ".join(case.tags)])
    atomic_write_text(path, ("\ufeff" if bom else "") + buffer.getvalue())


def export_jsonl(path: Path | str, cases: list[TestCase]) -> None:
    """Write cases in the test-set JSONL format (one object per line)."""
    save_cases(path, cases)
