"""Reading an import file as a table: encoding, format, delimiter, CSV rows, JSONL objects.

Row numbers are spreadsheet rows: row 1 is the first record of the file (the header when
there is one); a quoted cell spanning lines is one row. For JSONL the row number is the line
number, and the keys, in first-seen order, make a header row numbered 0. Encodings tried in
order: a UTF-8 or UTF-16 byte-order mark, UTF-16 without a mark (many NUL bytes), strict
UTF-8, then the Latin-1 fallback (read as Windows-1252, its superset with curly quotes, when
that decodes; else ISO-8859-1). Trailing empty cells are removed from every row.

Files that are not text (random bytes decode as Latin-1 full of control characters) are
refused in one sentence. A quoted CSV cell that runs to the end of the file, or past
``QUOTE_LINE_LIMIT`` lines or ``QUOTE_CHAR_LIMIT`` characters, is an unclosed quote: that
row is reported as broken and reading restarts on the line after it, so no row after it is
lost. A cell longer than the csv module's default limit (128 KiB) is read, not refused.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from app.core.cases import jsonl_lines

INVALID_LINE = "\x00invalid"  # the cell list standing for a JSONL line that is not an object
UNCLOSED_QUOTE = "\x00unclosed"  # the cell list standing for a row whose quote never closes
QUOTE_LINE_LIMIT = 1000  # a quoted cell longer than this many lines is taken as unclosed
QUOTE_CHAR_LIMIT = 1024 * 1024
FIELD_LIMIT = 1 << 28  # csv's own limit (128 KiB) would refuse a long unquoted cell
_CONTROL_SHARE = 0.02  # more control characters than this and the file is not text


class ImportFileError(ValueError):
    """A file that cannot be imported at all; the message says what to do."""


@dataclass
class Table:
    """A file read as rows of cells, and how it was read."""

    format: str  # "csv", "tsv" or "jsonl"
    encoding: str
    delimiter: str | None  # None for JSONL
    rows: list[tuple[int, list[str]]]  # (row number, cells)
    # JSONL values that are not text or numbers (true, ["1"], {"v": 1}): (row, column) -> value
    raw_values: dict[tuple[int, int], object] = field(default_factory=dict)

    @property
    def width(self) -> int:
        return max((len(cells) for _, cells in self.rows), default=0)


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


def looks_binary(text: str) -> bool:
    """True when the decoded text is mostly not text: NULs, control characters, U+FFFD."""
    sample = text[:65536]
    if not sample:
        return False
    odd = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r") or 0x7F <= ord(ch) < 0xA0)
    return odd > max(2, len(sample) * _CONTROL_SHARE)


def _read_text(path: Path) -> tuple[str, str]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(f"File {path} does not exist; check the path.") from None
    except IsADirectoryError:
        raise ImportFileError(f"{path} is a folder; choose a CSV, TSV or JSONL file.") from None
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path} ({exc.strerror}).") from None
    text, encoding = decode_bytes(data)
    if not text.strip():
        raise ImportFileError(f"{path.name} is empty; choose a file with a header and rows.")
    if looks_binary(text):
        raise ImportFileError(
            f"{path.name} is not a text file (it holds binary data), so it is not a table; "
            "export the test set as CSV, TSV or JSONL and import that."
        )
    return text, encoding


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
    # inside a quoted cell): count the candidates of the first rows instead
    lines = [line for line in sample.splitlines() if line.strip()][:20]
    counts = {d: sum(line.count(d) for line in lines) for d in ",;\t|"}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _trim(row: list[str]) -> list[str]:
    end = len(row)
    while end and not row[end - 1].strip():
        end -= 1
    return row[:end]


def read_table(path: Path) -> Table:
    """Read every record of a file as (row number, cells); see the module notes."""
    text, encoding = _read_text(path)
    fmt = _file_format(path, text)
    if fmt == "jsonl":
        rows, raw = _jsonl_records(text)
        return Table(fmt, encoding, None, rows, raw)
    delimiter = "\t" if fmt == "tsv" else _sniff_delimiter(text)
    return Table(fmt, encoding, delimiter, csv_records(text, delimiter))


def csv_records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """CSV rows; a row whose quote never closes becomes ``[UNCLOSED_QUOTE, its line]`` and
    reading restarts on the next physical line."""
    if csv.field_size_limit() < FIELD_LIMIT:
        csv.field_size_limit(FIELD_LIMIT)
    lines = io.StringIO(text, newline="").readlines()
    rows: list[tuple[int, list[str]]] = []
    start = 0  # physical line the reader starts on
    while start < len(lines):
        reader = csv.reader(iter(lines[start:]), delimiter=delimiter)
        consumed = 0
        broken = False
        for row in reader:
            spanned = reader.line_num - consumed
            size = sum(len(cell) for cell in row)
            at_end = start + reader.line_num >= len(lines)
            if spanned > 1 and (
                spanned > QUOTE_LINE_LIMIT
                or size > QUOTE_CHAR_LIMIT
                or (at_end and _open_quote(lines[start + consumed :], delimiter))
            ):
                first = lines[start + consumed].rstrip("\r\n")
                rows.append((len(rows) + 1, [UNCLOSED_QUOTE, first]))
                start += consumed + 1
                broken = True
                break
            rows.append((len(rows) + 1, _trim(row)))
            consumed = reader.line_num
        if not broken:
            break
    return rows


def _open_quote(lines: list[str], delimiter: str) -> bool:
    """True when these lines (one record to the end of the file) end inside a quoted cell."""
    inside = False
    text = "".join(lines)
    at_cell_start = True
    i = 0
    while i < len(text):
        ch = text[i]
        if inside:
            if ch == '"':
                if text[i + 1 : i + 2] == '"':
                    i += 1
                else:
                    inside = False
        elif ch == '"' and at_cell_start:
            inside = True
        at_cell_start = not inside and ch in (delimiter, "\n", "\r")
        i += 1
    return inside


def _cell_text(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _jsonl_records(
    text: str,
) -> tuple[list[tuple[int, list[str]]], dict[tuple[int, int], object]]:
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
    raw: dict[tuple[int, int], object] = {}
    for number, data in objects:
        if data is None:
            rows.append((number, [INVALID_LINE]))
            continue
        values = [data.get(key) for key in header]
        for column, value in enumerate(values):
            if isinstance(value, (bool, list, dict)):
                raw[(number, column)] = value
        rows.append((number, _trim([_cell_text(v) for v in values])))
    return rows, raw
