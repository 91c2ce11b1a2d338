"""Reading an import file as records: encoding, format, delimiter, CSV rows, JSONL objects.

Row numbers are spreadsheet rows: row 1 is the first record of the file (the header when
there is one); a quoted cell spanning lines is one row. For JSONL the row number is the line
number, and the keys, in first-seen order, make a header row numbered 0. Encodings tried in
order: a UTF-8 or UTF-16 byte-order mark, UTF-16 without a mark (many NUL bytes), strict
UTF-8, then the Latin-1 fallback (read as Windows-1252, its superset with curly quotes, when
that decodes; else ISO-8859-1). Trailing empty cells are removed from every row.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from app.core.cases import jsonl_lines

INVALID_LINE = "\x00invalid"  # the cell list standing for a JSONL line that is not an object


class ImportFileError(ValueError):
    """A file that cannot be imported at all; the message says what to do."""


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
    first = next((line for line in sample.splitlines() if line.strip()), "")
    try:
        found = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        found = ""
    if found and (found in first or not any(c in first for c in ",;\t|")):
        return found
    # the sniffer failed, or chose a character the first row does not even hold (a tab
    # inside a quoted cell): count the first row's candidates instead
    return max(",;\t|", key=first.count) if any(c in first for c in ",;\t|") else ","


def _trim(row: list[str]) -> list[str]:
    end = len(row)
    while end and not row[end - 1].strip():
        end -= 1
    return row[:end]


def read_records(path: Path) -> tuple[str, str, str | None, list[tuple[int, list[str]]]]:
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
    for number, line in enumerate(jsonl_lines(text), start=1):
        try:
            data = json.loads(line) if line.strip() else {}
        except json.JSONDecodeError:
            data = None
        objects.append((number, data if isinstance(data, dict) else None))
    header = list(dict.fromkeys(str(key) for _, data in objects for key in data or {}))
    rows: list[tuple[int, list[str]]] = [(0, header)]
    for number, data in objects:
        if data is None:
            rows.append((number, [INVALID_LINE]))
            continue
        rows.append((number, _trim([_cell_text(data.get(key)) for key in header])))
    return rows
