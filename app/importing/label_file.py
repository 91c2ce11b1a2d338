"""Labelling a file: its rows as cases, and the rows written back with the model's answer.

``safeguard-studio label`` reads a CSV, TSV or JSONL file of unlabelled content. Each row
becomes a case whose id is its row number (``row-12``), so a second run of the same file
finds its earlier answers in the result cache (that is how an interrupted run resumes).
The output holds every input row, in order, with :data:`ADDED` columns appended; a row that
got no verdict (no answer, an error, no content, an unreadable line) is kept with its
``status`` saying why and an empty label. CSV cells go through
:func:`~app.core.csv_cells.csv_cell`, so no spreadsheet runs a cell as a formula.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from app.core.cases import TestCase, jsonl_lines
from app.core.csv_cells import csv_cell, csv_document
from app.core.records import StoredResult
from app.core.storage_paths import atomic_write_text
from app.importing.reading import INVALID_LINE, UNCLOSED_QUOTE, read_table

ADDED = ("label", "tier", "rules", "escalate", "status", "rationale", "reasoning")
CONTENT_NAMES = ("content", "text", "message", "body")
FORMATS = (".csv", ".tsv", ".jsonl")


class LabelFileError(ValueError):
    """A file that cannot be labelled; the message says what to do. ``columns``: the file's
    columns when the one holding the content must be chosen (the window offers them)."""

    def __init__(self, message: str, columns: list[str] | None = None) -> None:
        super().__init__(message)
        self.columns = list(columns or [])


@dataclass
class LabelRow:
    number: int  # row number in the file (line number for JSONL)
    values: dict  # column -> value, in the file's order
    content: str | None  # None: the row could not be read


@dataclass
class LabelInput:
    format: str  # "csv", "tsv" or "jsonl"
    header: list[str]
    rows: list[LabelRow]
    content_col: str

    def cases(self) -> list[TestCase]:
        """The rows with content, as cases (id ``row-N``)."""
        return [TestCase(case_id(row), row.content) for row in self.rows if row.content]


def case_id(row: LabelRow) -> str:
    return f"row-{row.number}"


def _pick_column(header: list[str], wanted: str | None) -> str:
    if wanted:
        if wanted not in header:
            raise LabelFileError(
                f"The file has no column '{wanted}'; its columns are {', '.join(header)}."
            )
        return wanted
    lowered = {name.strip().lower(): name for name in header}
    found = next((lowered[n] for n in CONTENT_NAMES if n in lowered), None)
    if found is None and len(header) == 1:
        found = header[0]
    if found is None:
        raise LabelFileError(
            f"Say which column holds the content with --content-col (one of {', '.join(header)}).",
            header,
        )
    return found


def _jsonl_input(path: Path, wanted: str | None) -> LabelInput:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LabelFileError(f"{path.name} is not UTF-8; save it as UTF-8.") from None
    objects: list[tuple[int, dict | None]] = []
    for number, line in enumerate(jsonl_lines(text), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            data = None
        objects.append((number, data if isinstance(data, dict) else None))
    header = list(dict.fromkeys(str(k) for _, data in objects for k in data or {}))
    column = _pick_column(header, wanted)
    rows = []
    for number, data in objects:
        value = None if data is None else data.get(column)
        content = None if data is None else ("" if value is None else str(value))
        rows.append(LabelRow(number, data or {"line": text_line(text, number)}, content))
    return LabelInput("jsonl", header, rows, column)


def text_line(text: str, number: int) -> str:
    return jsonl_lines(text)[number - 1]


def read_label_input(path: Path | str, content_col: str | None = None) -> LabelInput:
    """The rows of a CSV (first row: the header), TSV or JSONL file to label."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise LabelFileError(f"Label a .csv, .tsv or .jsonl file; {path.name} is none of them.")
    if not path.is_file():
        raise LabelFileError(f"There is no file {path}; check the path.")
    if path.suffix.lower() == ".jsonl":
        return _jsonl_input(path, content_col)
    try:
        table = read_table(path)
    except ValueError as exc:
        raise LabelFileError(str(exc)) from None
    if not table.rows:
        raise LabelFileError(f"{path.name} is empty; add a header row and some content.")
    (_, header), body = table.rows[0], table.rows[1:]
    column = _pick_column(header, content_col)
    index = header.index(column)
    rows = []
    for number, cells in body:
        broken = bool(cells) and cells[0] in (INVALID_LINE, UNCLOSED_QUOTE)
        if broken:  # the row's own text in the first column, so nothing is lost
            values = {header[0]: cells[1] if len(cells) > 1 else ""}
        else:
            values = dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False))
        content = None if broken else (cells[index] if index < len(cells) else "")
        rows.append(LabelRow(number, values, content))
    return LabelInput(table.format, header, rows, column)


def added_values(row: LabelRow, result: StoredResult | None) -> list:
    """The appended cells of one row, in :data:`ADDED` order."""
    if row.content is None:
        return ["", "", "", "", "unreadable row", "", ""]
    if not row.content.strip():
        return ["", "", "", "", "no content", "", ""]
    if result is None:
        return ["", "", "", "", "not run", "", ""]
    label = result.label if result.status == "ok" else ""
    return [
        label or "", result.tier or "", ", ".join(result.rule_codes),
        "yes" if result.escalate else "", result.status, result.rationale, result.analysis,
    ]  # fmt: skip


def labelled_text(data: LabelInput, results: dict[str, StoredResult], out_format: str) -> str:
    """The labelled file: every input row with the :data:`ADDED` columns."""
    if out_format == "jsonl":
        lines = []
        for row in data.rows:
            record = dict(row.values)
            record.update(zip(ADDED, added_values(row, results.get(case_id(row))), strict=True))
            lines.append(json.dumps(record, ensure_ascii=False))
        return "".join(line + "\n" for line in lines)
    rows = [
        [row.values.get(name, "") for name in data.header]
        + added_values(row, results.get(case_id(row)))
        for row in data.rows
    ]
    return csv_document([csv_cell(name) for name in [*data.header, *ADDED]], rows)


def write_labelled(path: Path | str, data: LabelInput, results: dict[str, StoredResult]) -> None:
    """Write the labelled file; ``.jsonl`` writes JSONL, anything else CSV."""
    fmt = "jsonl" if Path(path).suffix.lower() == ".jsonl" else "csv"
    atomic_write_text(path, labelled_text(data, results, fmt))


def default_out(path: Path | str) -> Path:
    """``messages.csv`` -> ``messages.labelled.csv`` (TSV input gives CSV)."""
    path = Path(path)
    suffix = ".jsonl" if path.suffix.lower() == ".jsonl" else ".csv"
    return path.with_name(f"{path.stem}.labelled{suffix}")
