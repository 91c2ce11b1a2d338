"""What the import dialog remembers: the last file read, and a column mapping per file shape.

A team imports the same export again and again (this week's sample, next week's): the dialog
should not make them choose the columns each time. A mapping is kept per *shape* of file,
keyed by its header row (:func:`shape_key`: the column names, in any case, spaces ignored;
a file with no header by its column count), through the settings registry
(``options.IMPORT_MAPPINGS``, JSON text, the :data:`MAX_SHAPES` most recent shapes).
A remembered mapping holds column numbers (0-based): the content, expected label, id, notes,
tags and prompt columns, the extra content/label pairs, whether they are linked (a prompt
and its responses) and whether unlabelled rows are kept. A number past the file's columns is
dropped when read back (:func:`recalled_mapping`), never used.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QSettings

from app.gui.shared import options
from app.importing.importer import ColumnMapping

MAX_SHAPES = 20  # file shapes remembered; the oldest are forgotten first
FIELD_KEYS = ("content", "expected", "id", "notes", "tags", "prompt")


def shape_key(columns: list[str], has_header: bool) -> str:
    """The key of a file's shape: its header names (normalised), or its column count."""
    if not has_header:
        return f"no header, {len(columns)} columns"
    return "\t".join(" ".join(name.split()).casefold() for name in columns)


def last_file(settings: QSettings) -> Path | None:
    """The file the import dialog read last, while it still exists."""
    text = options.get(settings, options.IMPORT_LAST_FILE)
    return Path(text) if text and Path(text).is_file() else None


def remember_file(settings: QSettings, path: str | Path) -> None:
    options.put(settings, options.IMPORT_LAST_FILE, str(Path(path).resolve()))
    settings.sync()


def remember_mapping(settings: QSettings, key: str, mapping: dict) -> None:
    """Keep ``mapping`` (see the module notes) for files of shape ``key``, newest last."""
    stored = dict(options.get(settings, options.IMPORT_MAPPINGS))
    stored.pop(key, None)
    stored[key] = mapping
    while len(stored) > MAX_SHAPES:
        stored.pop(next(iter(stored)))
    options.put(settings, options.IMPORT_MAPPINGS, json.dumps(stored, ensure_ascii=False))
    settings.sync()


def _column(value: object, width: int) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value < width
    return value if ok else None


def recalled_mapping(settings: QSettings, key: str, width: int) -> dict | None:
    """The mapping kept for shape ``key`` with columns checked against ``width`` (None when
    there is none, or when its content column is not a column of the file)."""
    raw = options.get(settings, options.IMPORT_MAPPINGS).get(key)
    if not isinstance(raw, dict) or _column(raw.get("content"), width) is None:
        return None
    mapping: dict = {name: _column(raw.get(name), width) for name in FIELD_KEYS}
    pairs = raw.get("pairs") if isinstance(raw.get("pairs"), list) else []
    mapping["pairs"] = [
        (_column(pair[0], width), _column(pair[1], width))
        for pair in pairs
        if isinstance(pair, list) and len(pair) == 2 and _column(pair[0], width) is not None
    ]
    mapping["linked"] = raw.get("linked") is not False
    mapping["keep_unlabelled"] = raw.get("keep_unlabelled") is True
    return mapping


def mapping_record(mapping: ColumnMapping) -> dict:
    """What is remembered of a mapping the dialog built (column numbers, see the notes)."""
    record: dict = {name: getattr(mapping, name) for name in FIELD_KEYS}
    record["pairs"] = [list(pair) for pair in mapping.extra_pairs]
    record["linked"] = mapping.link_pairs
    record["keep_unlabelled"] = mapping.keep_unlabelled
    return record
