"""CSV cells that no spreadsheet runs as a formula, written and read back.

A cell carries untrusted text (case ids, content, the model's answer). One that a
spreadsheet would run as a formula, one starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return, gets a ``'`` in front (OWASP's rule for CSV injection). :func:`csv_cell_text`
undoes it on import, so an exported test set reads back exactly: a cell that already starts
with quotes before such a character gets one more quote, and reading removes exactly one.
The results CSV, the test-set export and the labelled file all write through here.
"""

from __future__ import annotations

import csv
import io
import re

_FORMULA = re.compile(r"'*[=+\-@\t\r]")


def csv_cell(value: object) -> str:
    """A value as a CSV cell that no spreadsheet runs as a formula (see the module notes)."""
    text = "" if value is None else str(value)
    return "'" + text if _FORMULA.match(text) else text


def csv_cell_text(cell: str) -> str:
    """The text :func:`csv_cell` was given: one protective quote removed, if it has one."""
    return cell[1:] if cell.startswith("'") and _FORMULA.match(cell) else cell


def csv_document(header: list[str], rows: list[list[object]], *, bom: bool = False) -> str:
    """A whole CSV document (CRLF rows, every cell through :func:`csv_cell`)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return ("\ufeff" if bom else "") + buffer.getvalue()
