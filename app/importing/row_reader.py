"""One row of an imported table into test cases, under a column mapping.

Used by :func:`app.importing.importer.import_cases` (whose notes describe the mapping): a row is
skipped whole (:func:`app.importing.rows.skip_reason`) or gives one case per content/label
pair; a pair with empty content, a missing label or a label the policy does not know is
skipped on its own. A label in ``mapping.label_map`` is read as the label it maps to; values
refused are counted in ``result.unknown_labels``. With linked pairs the first pair's case is
tagged ``prompt`` and the others ``response`` with the row's prompt kept in ``prompt``.
Ids are the id column's cell or ``row-N`` (``-Column`` per pair), made unique with a note.
A prompt column (``mapping.prompt``) gives every case of its row that prompt. A leading
apostrophe before ``= + - @`` is removed only in files that start with :data:`EXPORT_HEADER`.

Extra fields: the CSV export writes each field a case keeps beyond the known ones as a column
of its own (:func:`extra_cell`: text as it is, other values as JSON). In a file that starts
with :data:`EXPORT_HEADER`, every column that no mapping uses and that names no case field
is read back into ``TestCase.extra`` (:func:`extra_value`: a cell holding a JSON number,
``true``/``false``, a list or an object is that value, any other cell text); an empty cell
means the case had no such field.
"""

from __future__ import annotations

import json
import re

from app.core.cases import KNOWN_FIELDS, TestCase, expected_problem
from app.core.csv_cells import csv_cell_text
from app.core.policy import normalize_label
from app.importing.labels import map_key
from app.importing.rows import SkippedRow, skip_reason

EXPORT_HEADER = ["id", "content", "expected", "notes", "tags"]  # what export_csv writes


def extra_cell(extra: dict[str, object], key: str) -> str:
    """An extra field as the export writes it: '' when absent, text as is, else JSON."""
    if key not in extra:
        return ""
    value = extra[key]
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def extra_value(cell: str) -> object:
    """An exported extra cell read back (see the module notes)."""
    stripped = cell.strip()
    if not stripped or not (stripped[0] in "[{-tf" or stripped[0].isdigit()):
        return cell
    try:
        value = json.loads(stripped, parse_constant=_no_constant)  # NaN, Infinity: text
    except ValueError:
        return cell
    return cell if isinstance(value, str) or value is None else value


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON value")


def _slug(name: str) -> str:
    return re.sub(r"\s+", "-", name.strip()) or "column"


class RowReader:
    """Turns one row into cases or skipped rows (see the module notes); ``read`` adds them
    to the import result."""

    def __init__(self, table, header, mapping, output, pairs, index, result) -> None:  # noqa: ANN001, PLR0913
        self.table, self.mapping, self.output = table, mapping, output
        self.pairs, self.index, self.result = pairs, index, result
        self.names = [
            (header[c].strip() if header and c < len(header) and header[c].strip() else f"Column {c + 1}")
            for c, _ in pairs
        ]  # fmt: skip
        self.several = len(pairs) > 1
        self.linked = self.several and mapping.link_pairs
        self.mapped = len({i for pair in pairs for i in pair if i is not None}) + sum(
            1 for i in index.values() if i is not None
        )
        self.content_columns = {c for c, _ in pairs}
        # undo the export's protective apostrophe only in a file this app exported
        self.unquote = (
            table.format != "jsonl" and [h.strip() for h in header or []][:5] == EXPORT_HEADER
        )
        self.extras = self._extra_columns(header) if self.unquote else []
        self.used: dict[str, int] = {}
        self.remapped: dict[tuple[str, str], int] = {}  # (value, label) -> rows

    def _extra_columns(self, header: list[str]) -> list[tuple[int, str]]:
        """(index, field name) of the export's extra-field columns (see the module notes)."""
        taken = {i for pair in self.pairs for i in pair} | set(self.index.values())
        names = [(i, csv_cell_text(name.strip())) for i, name in enumerate(header)]
        return [(i, name) for i, name in names if name and i not in taken
                and name not in KNOWN_FIELDS]  # fmt: skip

    def cell(self, cells: list[str], column: int | None) -> str:
        text = cells[column] if column is not None and column < len(cells) else ""
        return csv_cell_text(text) if self.unquote else text

    def mapping_note(self) -> str:
        """Which values were read as which labels, with their rows ('' when none were)."""
        done = ", ".join(f"{v} as {lab} ({n})" for (v, lab), n in self.remapped.items())
        return f"Labels read through the mapping (rows): {done}." if done else ""

    def read(self, number: int, cells: list[str]) -> None:
        skipped = skip_reason(number, cells, self.content_columns, self.mapped, self.table.format)
        if skipped is not None:
            self.result.skipped.append(skipped)
            return
        base_id = self.cell(cells, self.index["id"]).strip() or f"row-{number}"
        prompt = ""
        for position, ((content_col, label_col), name) in enumerate(
            zip(self.pairs, self.names, strict=True)
        ):
            where = name if self.several else ""
            content = self.cell(cells, content_col)
            if position == 0:
                prompt = content if self.linked else ""
            if not content.strip():
                self.result.skipped.append(SkippedRow(number, "empty content", column=where))
                continue
            expected = self._expected(number, cells, label_col, where)
            if expected is None:
                continue
            case_id = f"{base_id}-{_slug(name)}" if self.several else base_id
            case_id = _unique(case_id, number, self.used, self.result.notes)
            tags = [
                t.strip()
                for t in re.split(r"[,;|]", self.cell(cells, self.index["tags"]))
                if t.strip()
            ]
            tag = ("prompt" if position == 0 else "response") if self.linked else name
            if self.several and tag not in tags:
                tags.append(tag)
            notes = self.cell(cells, self.index["notes"]).strip()
            context = prompt if self.linked and position > 0 else ""
            context = self.cell(cells, self.index["prompt"]) or context  # a prompt column
            extra = {
                name: extra_value(self.cell(cells, i))
                for i, name in self.extras
                if self.cell(cells, i) != ""
            }
            case = TestCase(case_id, content, expected, notes, tags, context, extra)
            self.result.cases.append(case)

    def _expected(
        self, number: int, cells: list[str], label_col: int | None, where: str
    ) -> str | None:
        """The expected label of a pair ('' when none), or None when the pair is skipped."""
        expected = self.cell(cells, label_col).strip()
        if label_col is None:
            return expected
        raw = self.table.raw_values.get((number, label_col), expected)
        if not expected and not self.mapping.keep_unlabelled:
            self.result.skipped.append(SkippedRow(number, "missing label", column=where))
            return None
        if expected and map_key(expected) in self.mapping.label_map:
            mapped = (expected, self.mapping.label_map[map_key(expected)])
            self.remapped[mapped] = self.remapped.get(mapped, 0) + 1
            raw = expected = mapped[1]
        problem = expected_problem(raw, self.output)
        if problem:
            self.result.skipped.append(SkippedRow(number, "unknown label", problem, column=where))
            if isinstance(raw, str):
                self.result.unknown_labels[raw] = self.result.unknown_labels.get(raw, 0) + 1
            return None
        if expected and self.output is not None:
            expected = normalize_label(expected, self.output) or expected
        return expected


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
