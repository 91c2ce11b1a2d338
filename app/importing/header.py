"""Where the header of an imported table is: skipping a title or disclaimer above it.

People's exports often start with a line that is not the header: a title, a copyright or
content warning ("The examples below are synthetic and may be offensive."). Such a line has
one filled cell, or far fewer filled cells than the rows below it, or a sentence-long cell
while the row after it is a row of short names. :func:`find_header_row` skips such lines
(up to ``MAX_LEADING``) and returns the row number of the header; :func:`guess_header` says
whether the first row is a header at all (names) or already data.

A row that looks like data is never taken as the header (:func:`looks_like_data`): a cell
that is a number (a case number), a sentence, or a value that recurs in the same column of
the rows below (a label such as ``SP0``). A file whose first row (below a title) is data has
no header: its columns are numbered, every row is data, and the note says which row was
looked at and why, and how to name the header row by hand.
"""

from __future__ import annotations

import re
from statistics import median

from app.core.policy import words

HEADER_WORDS = words(
    "id case case_id content text message body expected label labels gold verdict class "
    "category notes note tags tag comment comments example prompt response responses "
    "classification generation"
)
MAX_LEADING = 10  # at most this many lines above the header are skipped
_NUMERIC = re.compile(r"^[-+]?\d+(\.\d+)?$")
_SENTENCE = 60  # a cell this long is prose, not a column name

Rows = list[tuple[int, list[str]]]


def _filled(cells: list[str]) -> int:
    return sum(1 for cell in cells if cell.strip())


def _names_like(cells: list[str]) -> bool:
    """Short, distinct, non-numeric cells: what a header row looks like."""
    filled = [c.strip() for c in cells if c.strip()]
    return (
        len(filled) >= 2
        and len(set(filled)) == len(filled)
        and all(len(c) <= _SENTENCE and not _NUMERIC.match(c) for c in filled)
    )


def _header_word(cell: str) -> bool:
    return cell.strip().lower().replace("_", " ") in HEADER_WORDS


def _is_preamble(cells: list[str], below: list[list[str]]) -> bool:
    """A title or disclaimer line above the header (see the module notes)."""
    if not below:
        return False
    filled = _filled(cells)
    if filled >= 2 and any(_header_word(cell) for cell in cells):
        return False  # "content,label" is a header even above wider rows
    typical = median(_filled(row) for row in below)
    if typical < 2:
        return False
    if filled == 1 or filled * 2 <= typical:
        return True
    long_cell = any(len(cell.strip()) > _SENTENCE for cell in cells)
    return filled < typical and long_cell and _names_like(below[0])


def looks_like_data(cells: list[str], below: list[list[str]]) -> str:
    """Why a row is data rather than column names (a phrase), or '' when it may be names."""
    for column, cell in enumerate(cells):
        text = cell.strip()
        if not text:
            continue
        if _NUMERIC.match(text):
            return f"column {column + 1} holds the number {text}"
        if len(text) > _SENTENCE:
            return f"column {column + 1} holds a sentence"
        if any(column < len(row) and row[column].strip() == text for row in below):
            return f"'{text[:20]}' in column {column + 1} recurs in the rows below"
    return ""


def find_header_row(rows: Rows) -> tuple[int | None, int]:
    """(row number of the header, how many non-blank lines above it were skipped)."""
    nonblank: Rows = []  # only the first rows are looked at: constant work per file
    for number, cells in rows:
        if _filled(cells):
            nonblank.append((number, cells))
            if len(nonblank) > MAX_LEADING + 21:
                break
    skipped = 0
    for index, (number, cells) in enumerate(nonblank[: MAX_LEADING + 1]):
        below = [c for _, c in nonblank[index + 1 : index + 21]]
        if skipped < MAX_LEADING and _is_preamble(cells, below):
            skipped += 1
            continue
        return number, skipped
    return (nonblank[0][0] if nonblank else None), 0


def guess_header(rows: list[list[str]]) -> bool:
    """Whether the first of these rows (blank rows and preamble removed) names the columns."""
    if not rows or not rows[0]:
        return False
    first = [cell.strip() for cell in rows[0]]
    if any(_header_word(cell) for cell in first):
        return True
    if not all(first) or len(set(first)) != len(first):
        return False
    if any(_NUMERIC.match(cell) or len(cell) > 40 for cell in first):
        return False
    return any(any(_NUMERIC.match(c.strip()) or len(c) > 40 for c in row) for row in rows[1:6])


def _data_reason(rows: Rows, found: int | None) -> str:
    if found is None:
        return ""
    position = next(i for i, (number, _) in enumerate(rows) if number == found)
    below = [cells for _, cells in rows[position + 1 : position + 21] if _filled(cells)]
    return looks_like_data(rows[position][1], below)


def split_header(rows: Rows, header_row: int | None) -> tuple[list[str] | None, Rows, str]:
    """(header cells, data rows after it, a note saying which row was used).

    ``header_row`` (a row number, from 1) overrides the search; rows above the header are
    left out of the data. The header is None (and every row data) when the row found looks
    like data (see the module notes)."""
    if header_row is not None:
        numbers = [number for number, _ in rows]
        if header_row not in numbers:
            last = numbers[-1] if numbers else 0
            raise ValueError(f"There is no row {header_row}; the file has {last} rows.")
        found, skipped = header_row, sum(1 for n, c in rows if n < header_row and _filled(c))
        note = f"Row {header_row} used as the header, as asked."
    else:
        found, skipped = find_header_row(rows)
        why = _data_reason(rows, found)
        if why:
            return (
                None,
                rows,
                (
                    f"No header row: row {found} holds data ({why}), so every row is read as data "
                    "and the columns are numbered; give the header row's number (--header-row N, "
                    "or Header row in the window) if one names the columns."
                ),
            )
        note = (
            f"Row {found} used as the header; {skipped} line{'s' if skipped > 1 else ''} "
            "above it (a title or disclaimer) left out."
            if skipped
            else ""
        )
    if found is None:
        return [], [], note
    position = next(i for i, (number, _) in enumerate(rows) if number == found)
    return rows[position][1], rows[position + 1 :], note
