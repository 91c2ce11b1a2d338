"""Rows of an imported table that are not cases: blank, broken, section and summary rows.

A published spreadsheet holds more than cases: a title line, *section rows* that name the
group of cases below them (one filled cell, ``SP0``, ``SP2``...) and *summary rows* at the
bottom (``Accuracy, 0.9``; ``F1, 0.89``: empty content, a metric name and its number). The
importer skips them all with a reason, and the report counts them by reason ("skipped 4
section rows, 4 summary rows, 2 blank rows") before listing each one.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from app.core.policy import words
from app.importing.reading import INVALID_LINE, UNCLOSED_QUOTE

UNCLOSED = "opens a quote that is never closed"
SECTION = "section row"
SUMMARY = "summary row"
SUMMARY_WORDS = words(
    "accuracy precision recall f1 f1_score f-score f-measure total totals sum count average "
    "mean median score tp fp tn fn true_positives false_positives true_negatives "
    "false_negatives correct wrong errors error_rate coverage"
)
_NUMBER = re.compile(r"^[-+]?\d+([.,]\d+)?%?$")


@dataclass
class SkippedRow:
    row: int
    reason: str  # blank row, section row, summary row, empty content, unknown label, ...
    detail: str = ""
    column: str = ""  # the pair's content column when a row gives several cases


def is_summary(filled: list[str]) -> bool:
    """Metric names and numbers only, at least one name: ``Accuracy, 0.9``."""
    names = [c for c in filled if not _NUMBER.match(c)]
    return bool(names) and all(c.lower().rstrip(":= ") in SUMMARY_WORDS for c in names)


def skip_reason(
    number: int, cells: list[str], content_columns: set[int], mapped: int, table_format: str
) -> SkippedRow | None:
    """Why a whole row is not a case (None when it may hold cases)."""
    if cells[:1] == [INVALID_LINE]:
        return SkippedRow(number, "invalid JSON", "the line is not a JSON object")
    if cells[:1] == [UNCLOSED_QUOTE]:
        return SkippedRow(number, UNCLOSED, cells[1][:60])
    filled = [i for i, c in enumerate(cells) if c.strip()]
    if not filled:
        return SkippedRow(number, "blank row")
    texts = [cells[i].strip() for i in filled]
    no_content = not any(i in content_columns for i in filled)
    if table_format != "jsonl" and no_content and is_summary(texts):
        return SkippedRow(number, SUMMARY, ", ".join(texts)[:60])
    if len(filled) == 1 and mapped >= 2 and table_format != "jsonl" and no_content:
        return SkippedRow(number, SECTION, texts[0][:60])
    return None


def count_line(skipped: list[SkippedRow]) -> str:
    """``4 section rows, 4 summary rows, 2 blank rows`` (most frequent first), or ''."""
    counts = Counter(s.reason for s in skipped)
    parts = []
    for reason, count in counts.most_common():
        if reason == UNCLOSED:
            parts.append(f"{count} with a quote never closed")
            continue
        noun = reason if reason.endswith("row") else f"{reason} row"
        parts.append(f"{count} {noun}{'s' if count > 1 else ''}")
    return ", ".join(parts)
