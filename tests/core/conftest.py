"""A results store in a temporary folder, for the core tests that record runs."""

from __future__ import annotations

import pytest

from app.store import Store


@pytest.fixture()
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path / "data"))
    s = Store(tmp_path / "r.db")
    yield s
    s.close()
