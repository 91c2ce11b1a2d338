"""The data, config and cache folders are created owner-only (0700) and the results
database 0600: on a shared machine another user must not read policies, cases or runs."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from app.core import storage_paths
from app.store import Store

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask():
    old = os.umask(0o022)  # what most desktops use: new files 0644, folders 0755
    yield
    os.umask(old)


@pytest.mark.parametrize(
    ("env", "folder"),
    [
        ("SAFEGUARD_DATA_DIR", storage_paths.data_dir),
        ("SAFEGUARD_CONFIG_DIR", storage_paths.config_dir),
        ("SAFEGUARD_CACHE_DIR", storage_paths.cache_dir),
    ],
)
def test_new_folders_are_owner_only(tmp_path, monkeypatch, env, folder) -> None:
    target = tmp_path / "deep" / "SafeguardStudio"
    monkeypatch.setenv(env, str(target))
    assert folder() == target
    assert mode(target) == 0o700


def test_a_default_folder_made_readable_by_an_older_version_is_tightened(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.delenv("SAFEGUARD_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setattr(
        storage_paths.platformdirs, "user_data_dir", lambda *_a: str(tmp_path / "old")
    )
    (tmp_path / "old").mkdir(mode=0o755)
    assert mode(storage_paths.data_dir()) == 0o700


def test_a_shared_folder_named_by_the_variable_keeps_its_mode(tmp_path, monkeypatch) -> None:
    shared = tmp_path / "team"
    shared.mkdir()
    shared.chmod(0o775)
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(shared))
    storage_paths.data_dir()
    assert mode(shared) == 0o775


def test_the_results_database_is_owner_only(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path / "data"))
    store = Store()  # the default database in the data folder
    try:
        store.add_policy_version("---\nname: P\n---\nbody\n", "", "")
        files = [
            p
            for p in (tmp_path / "data").iterdir()
            if p.suffix in (".db", ".sqlite") or "-wal" in p.name
        ]
        assert files, list((tmp_path / "data").iterdir())
        for path in files:
            assert mode(path) == 0o600, path
    finally:
        store.close()
    assert mode(tmp_path / "data") == 0o700


def test_an_existing_database_keeps_its_mode(tmp_path) -> None:
    db = tmp_path / "shared.db"
    Store(db).close()
    db.chmod(0o640)
    Store(db).close()
    assert mode(db) == 0o640
