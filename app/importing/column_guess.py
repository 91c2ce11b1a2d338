"""Which column of an imported file holds which case field: the fields and a first guess.

``FIELDS`` are the case fields a test-set file can map (``FIELD_NAMES`` their labels in the
import dialog). :func:`guess_mapping` picks a column per field from the header names
(``content`` / ``text`` / ``message``..., ``expected`` / ``label``...), and when no header
names the content, the column with the longest cells; when no header names the label, the
column whose cells are labels or tiers of the policy
(:func:`app.importing.labels.guess_label_column`). Of two columns with one name the one
with more filled cells is chosen. A ``prompt`` column (the prompt each response answers) is
a field of its own, except in a file of prompt/response pairs, where the prompt is the first
pair's content. :func:`guess_pairs` finds prompt / response datasets: two or more label
columns (``Classification``, ``Response Label``, ``Prompt label``...) each right after its
content column (and filled). The user can change every choice.
:func:`column_names` names the columns the preview shows.
"""

from __future__ import annotations

import re

from app.core.policy import OutputFormat
from app.importing.labels import guess_label_column

FIELDS = ("content", "expected", "id", "notes", "tags", "prompt")
FIELD_NAMES = {
    "content": "Content",
    "expected": "Expected label",
    "id": "Id",
    "notes": "Notes",
    "tags": "Tags",
    "prompt": "Prompt it answers",
}
_NAME_HINTS = {
    "content": ("content", "text", "message", "body", "post", "comment"),
    "expected": ("expected", "label", "labels", "gold", "verdict", "class", "category"),
    "id": ("id", "case", "case_id", "caseid", "key"),
    "notes": ("notes", "note", "comments", "explanation"),
    "tags": ("tags", "tag"),
    "prompt": ("prompt", "user_prompt"),
}


def _named(lowered: list[str], hint: str, rows: list[list[str]], taken: set[int]) -> int | None:
    """The free column with this name; of several, the one with the most filled cells."""
    found = [i for i, name in enumerate(lowered) if name == hint and i not in taken]
    filled = {i: sum(1 for row in rows if i < len(row) and row[i].strip()) for i in found}
    return max(found, key=lambda i: filled[i]) if found else None


def guess_mapping(
    columns: list[str],
    rows: list[list[str]],
    has_header: bool,
    output: OutputFormat | None = None,
) -> dict[str, int | None]:
    """Column index per field: by header name first, content then by the longest cells,
    the label then by its values."""
    lowered = [c.strip().lower().replace(" ", "_") for c in columns]
    guess: dict[str, int | None] = dict.fromkeys(FIELDS)
    taken: set[int] = set()
    pairs = bool(guess_pairs(columns, has_header, rows))  # a pair file: the prompt is content
    if has_header:
        for field_name in FIELDS[:-1] if pairs else FIELDS:
            for hint in _NAME_HINTS[field_name]:
                column = _named(lowered, hint, rows, taken)
                if column is not None:
                    guess[field_name] = column
                    taken.add(column)
                    break
    if guess["content"] is None and columns:

        def mean_length(index: int) -> float:
            cells = [row[index] for row in rows if index < len(row)]
            return sum(len(c) for c in cells) / max(1, len(cells))

        free = [i for i in range(len(columns)) if i not in taken] or list(range(len(columns)))
        guess["content"] = max(free, key=mean_length)
        taken.add(guess["content"])
    if guess["expected"] is None:
        guess["expected"] = guess_label_column(rows, output, taken)
    return guess


_LABEL_WORDS = frozenset(
    ("label", "labels", "classification", "class", "verdict", "expected", "gold", "rating")
)


def _is_label_name(name: str) -> bool:
    return bool(set(re.split(r"[\s_\-]+", name.strip().lower())) & _LABEL_WORDS)


def guess_pairs(
    columns: list[str], has_header: bool, rows: list[list[str]] | None = None
) -> list[tuple[int, int]]:
    """(content, label) pairs when the header holds two or more label columns each right
    after a content column; [] otherwise (one pair is guessed by :func:`guess_mapping`).
    A pair whose label column is empty in all of ``rows`` is no pair (two ``label``
    columns, one left empty)."""
    if not has_header:
        return []

    def filled(index: int) -> bool:
        return rows is None or any(index < len(row) and row[index].strip() for row in rows)

    pairs = [
        (index - 1, index)
        for index, name in enumerate(columns)
        if index > 0
        and _is_label_name(name)
        and not _is_label_name(columns[index - 1])
        and filled(index)
    ]
    return pairs if len(pairs) >= 2 else []


def column_names(header: list[str], rows: list[list[str]], has_header: bool) -> list[str]:
    """A name per column: its header cell ("Column N" where blank or missing), or
    "Column N" for every column when the file has no header row."""
    width = max([len(header) if has_header else 0, *(len(r) for r in rows)], default=0)
    if has_header:
        columns = [c.strip() or f"Column {i + 1}" for i, c in enumerate(header)]
        columns += [f"Column {i + 1}" for i in range(len(columns), width)]
    else:
        columns = [f"Column {i + 1}" for i in range(width)]
    return columns
