"""Atomic writes keep a file's mode and create new files as the user's umask says."""

from __future__ import annotations

import os
import stat

import pytest

from app.core.storage_paths import atomic_write_text

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_existing_file_keeps_its_mode(tmp_path):
    path = tmp_path / "policy.md"
    path.write_text("old", encoding="utf-8")
    for wanted in (0o644, 0o664, 0o600, 0o640):
        os.chmod(path, wanted)
        atomic_write_text(path, "new")
        assert mode(path) == wanted
    assert path.read_text(encoding="utf-8") == "new"


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_new_file_follows_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        atomic_write_text(tmp_path / "cases.jsonl", "{}\n")
    finally:
        os.umask(old)
    assert mode(tmp_path / "cases.jsonl") == 0o666 & ~umask
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
