"""Storage faults for tests: a results database whose "disk" fills after a few pages.

SQLite's ``PRAGMA max_page_count`` caps one connection's database at a number of pages;
once a write needs more, SQLite fails with "database or disk is full", exactly as on a
full disk. :func:`tiny_disk` makes every connection the store opens from now on stop a
few pages above the size the file has when it connects (create the tables first: a new
file's schema alone needs more pages than that).
"""

from __future__ import annotations

import pytest

from app.store import database as store_module


def tiny_disk(monkeypatch: pytest.MonkeyPatch, spare_pages: int = 3) -> None:
    """Every store connection opened after this call has ``spare_pages`` pages left."""
    real_connect = store_module.connect

    def connect(path, connections, lock):  # noqa: ANN001, ANN202
        conn = real_connect(path, connections, lock)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count={max(pages, 10) + spare_pages}")
        return conn

    monkeypatch.setattr(store_module, "connect", connect)
