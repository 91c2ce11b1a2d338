"""Header detection of an import grows at most about linearly with its input: 100× the rows,
or a 100× longer first row, costs at most ~150× the time (with a small absolute floor, so
that timer noise on a fast run cannot fail the test)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from app.importing.header import split_header
from app.importing.importer import preview
from app.importing.reading import csv_records

FLOOR_S = 0.05  # below this the 100× run is fast whatever the ratio
RATIO = 150


def _best_of(run: Callable[[], object], times: int = 3) -> float:
    best = float("inf")
    for _ in range(times):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def _many_rows(scale: int) -> str:
    rows = ["Synthetic spam check (do not share)"]
    rows += [f'{n},"message number {n}, with a comma",,,SP{n % 4}' for n in range(200 * scale)]
    rows += [",,,Accuracy,0.9"]
    return "\n".join(rows) + "\n"


def _long_first_row(scale: int) -> str:
    mash = "!" * (2000 * scale)  # one long cell without a space, then a short one
    return f"{mash},SP0\n" + "".join(f"case {n},SP{n % 3}\n" for n in range(30))


@pytest.mark.parametrize("make", [_many_rows, _long_first_row], ids=["rows", "long-row"])
def test_header_detection_is_about_linear(tmp_path: Path, make: Callable[[int], str]) -> None:
    timings = {}
    for scale in (1, 10, 100):
        text = make(scale)
        rows = csv_records(text, ",")
        timings[scale] = _best_of(lambda rows=rows: split_header(rows, None))
        header, body, note = split_header(rows, None)
        assert header is None and note.startswith("No header row")  # data, never a header
        assert len(body) == len(rows)
    if timings[100] > FLOOR_S:
        assert timings[100] <= RATIO * max(timings[1], FLOOR_S / RATIO), timings


@pytest.mark.parametrize("make", [_many_rows, _long_first_row], ids=["rows", "long-row"])
def test_preview_of_a_file_is_about_linear(tmp_path: Path, make: Callable[[int], str]) -> None:
    timings = {}
    for scale in (1, 10, 100):
        path = tmp_path / f"x{scale}.csv"
        path.write_text(make(scale), encoding="utf-8")
        timings[scale] = _best_of(lambda path=path: preview(path, n=10))
        assert not preview(path, n=10).has_header
    if timings[100] > FLOOR_S:
        assert timings[100] <= RATIO * max(timings[1], FLOOR_S / RATIO), timings
