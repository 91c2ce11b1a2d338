"""Labels in an imported file that the policy does not know: a mapping, its suggestion, and
which column holds the labels.

A published test set often labels its rows with the policy's tier codes (``SP0``, ``SP2``...)
while the policy the writer imports it for only declares ``VALID`` / ``INVALID`` (its tiers
not stated in a form the app reads). Rather than refusing every row, the importer counts the
values it could not read (:attr:`app.importing.importer.ImportResult.unknown_labels`) and the
CLI (``--map SP0=VALID,SP2=INVALID`` or ``--map auto``) and the import dialog offer a
mapping. :func:`suggest_label_map` proposes one: a code numbered 0 (``SP0``, ``HS0.b``) and the
words of :data:`app.core.policy.label_spelling.NON_VIOLATING_WORDS` go to the first label that does
not violate; other codes and the violating words go to the first violating label.

:func:`guess_label_column` picks the column whose filled cells are labels or tiers of the
policy, or rule codes and label words when there is no policy: the ``Expected`` column of a
headerless file.
"""

from __future__ import annotations

import re

from app.core.policy import NON_VIOLATING_WORDS, VIOLATING_WORDS, OutputFormat, normalize_label
from app.importing.rows import is_summary

_CODE = re.compile(r"[A-Za-z]{1,5}[- ]?(\d{1,3})(?:\.[A-Za-z0-9]{1,4})*")
LABEL_SHARE = 0.8  # a label column: at least this share of its filled cells are labels


class LabelMapError(ValueError):
    """A mapping that cannot be used; the message says what to fix."""


def map_key(raw: str) -> str:
    """How a raw cell is looked up in a mapping: stripped of spaces and quotes, any case."""
    return raw.strip().strip("\"'`*").strip().casefold()


def parse_label_map(text: str, output: OutputFormat | None) -> dict[str, str]:
    """``SP0=VALID,SP2=INVALID`` as a mapping (keys by :func:`map_key`); each target must be
    a label or tier of the policy."""
    mapping: dict[str, str] = {}
    for part in (p.strip() for p in re.split(r"[,;]", text)):
        if not part:
            continue
        raw, sep, target = part.partition("=")
        if not sep or not raw.strip() or not target.strip():
            raise LabelMapError(
                f"'{part}' is not a label mapping; write it as VALUE=LABEL, e.g. SP0=VALID."
            )
        mapping[map_key(raw)] = _target(target.strip(), output)
    return mapping


def _target(target: str, output: OutputFormat | None) -> str:
    if output is None:
        return target
    label = normalize_label(target, output)
    if label is None:
        known = ", ".join([*output.labels, *output.tiers])
        raise LabelMapError(f"'{target}' is not a label of this policy; map to one of {known}.")
    return label


def suggest_label(raw: str, output: OutputFormat) -> str | None:
    """The label a value most likely means (see the module notes), or None."""
    value = map_key(raw)
    violating = [label for label in output.labels if output.is_violating(label)]
    benign = [label for label in output.labels if not output.is_violating(label)]
    match = _CODE.fullmatch(value)
    if match is not None:
        side = benign if int(match.group(1)) == 0 else violating
    elif value in VIOLATING_WORDS:
        side = violating
    elif value in NON_VIOLATING_WORDS:
        side = benign
    else:
        return None
    return side[0] if side else None


def suggest_label_map(values: list[str], output: OutputFormat) -> dict[str, str]:
    """A suggested label per value (values with no suggestion left out), as spelled."""
    suggested = {value: suggest_label(value, output) for value in values}
    return {value: label for value, label in suggested.items() if label is not None}


def map_option(mapping: dict[str, str]) -> str:
    """A mapping written as the CLI option value: ``SP0=VALID,SP2=INVALID``."""
    return ",".join(f"{value}={label}" for value, label in mapping.items())


def _label_like(cell: str, output: OutputFormat | None) -> bool:
    value = map_key(cell)
    if output is not None and normalize_label(cell, output) is not None:
        return True
    return bool(_CODE.fullmatch(value)) or value in VIOLATING_WORDS | NON_VIOLATING_WORDS


def _case_like(row: list[str]) -> bool:
    filled = [cell.strip() for cell in row if cell.strip()]
    return len(filled) >= 2 and not is_summary(filled)


def guess_label_column(
    rows: list[list[str]], output: OutputFormat | None, skip: set[int] = frozenset()
) -> int | None:
    """The column (0-based, not in ``skip``) whose filled cells are mostly labels or tiers,
    the one with the most such cells; None when no column qualifies. Rows with one filled
    cell (titles, sections) and summary rows are not looked at."""
    rows = [row for row in rows if _case_like(row)]
    width = max((len(row) for row in rows), default=0)
    best, best_count = None, 0
    for column in range(width):
        if column in skip:
            continue
        cells = [row[column] for row in rows if column < len(row) and row[column].strip()]
        if len(cells) < 2 or len({map_key(c) for c in cells}) > max(12, len(cells) // 2):
            continue  # labels repeat; a column of distinct values is not one
        count = sum(_label_like(cell, output) for cell in cells)
        if count >= LABEL_SHARE * len(cells) and count > best_count:
            best, best_count = column, count
    return best
