"""Which column an import mapping names: a header name or a number, said when it is wrong.

A name matches a header cell in any case, spaces around it ignored; a name that is all
digits and matches no header cell is a 0-based index. When two or more columns share the
name asked for (two ``label`` columns, one of them empty), the one with the most filled
cells is used and a note says which and why, never silently the first. A name that matches
nothing is refused in one sentence that lists the columns and names the row taken as the
header (or says there is none), with ``--header-row`` to set it.
"""

from __future__ import annotations

from app.importing.reading import ImportFileError

Rows = list[tuple[int, list[str]]]


class ColumnIndex:
    """Column specs to indices, naming the header row in errors and repeated names in notes."""

    def __init__(self, header: list[str] | None, row: int, records: Rows, notes: list[str]) -> None:
        self.header, self.records, self.notes = header, records, notes
        self.row = row if header is not None else 0  # the header's row number

    def index(self, spec: str | int | None, what: str) -> int | None:
        """A column spec (header name, or a 0-based index) as an index; see the module notes."""
        if spec is None or isinstance(spec, int):
            return spec
        header = self.header or []
        lowered = [h.strip().lower() for h in header]
        found = [i for i, name in enumerate(lowered) if name == spec.strip().lower()]
        if len(found) > 1:
            return self._filled_one(spec, found)
        if found:
            return found[0]
        if spec.strip().isdigit():
            return int(spec.strip())
        shown = [" ".join(h.split())[:30] for h in header if h.strip()]
        names = ", ".join(shown[:12]) + (", ..." if len(shown) > 12 else "") if shown else "none"
        where = (
            f" Row {self.row} was taken as the header; if the names are on another row, give "
            "its number with --header-row (Header row in the window)."
            if self.header is not None and self.row
            else " The file has no header row; give the column's number (from 1), or the "
            "header row's number with --header-row (Header row in the window)."
        )
        raise ImportFileError(
            f"There is no {what} column '{spec}'; the columns are: {names}.{where}"
        )

    def _filled_one(self, spec: str, found: list[int]) -> int:
        """Of several columns with one name, the one with the most filled cells (a note)."""
        filled = {i: sum(1 for _, c in self.records if i < len(c) and c[i].strip()) for i in found}
        best = max(found, key=lambda i: filled[i])
        others = ", ".join(f"column {i + 1} ({filled[i]} filled)" for i in found if i != best)
        self.notes.append(
            f"{len(found)} columns are named '{spec}'; column {best + 1} is used, it has "
            f"{filled[best]} filled cells ({others})."
        )
        return best
