"""Downloads against the loopback fake hub: progress, cancel and resume, a dropped
connection, checksum mismatch, disk space and offline mode."""

from __future__ import annotations

import random
import threading
from collections import namedtuple
from pathlib import Path

import pytest

from app.library import download
from app.library.catalog import CatalogEntry, partial_files
from app.library.download import (
    DownloadCancelled,
    DownloadError,
    Progress,
    download_entry,
    download_file,
)
from tests.support.fake_hub import FakeHub

REPO, FILE = "test-org/tiny-GGUF", "tiny.gguf"
MiB = 1024 * 1024
CHUNK = 10 * MiB  # huggingface_hub hands the body over in chunks of this size


def _data(n: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(n)


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SAFEGUARD_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    import huggingface_hub.constants as hf_constants

    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False, raising=False)
    try:  # huggingface_hub 1.x+ fetches an "agent harness" list once a day: keep it local
        from huggingface_hub.utils import _detect_agent

        monkeypatch.setattr(_detect_agent, "_registry", {"standardEnvVars": [], "harnesses": {}})
    except ImportError:
        pass
    with FakeHub() as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.endpoint)  # read by download_file at call time
        yield fake
    assert not [t for t in threading.enumerate() if t.name == "fake-hub"]


@pytest.fixture
def models(tmp_path: Path) -> Path:
    return tmp_path / "models"


def _gets(hub: FakeHub) -> list[tuple[str, str, str | None]]:
    return [r for r in hub.requests if r[0] == "GET" and "/resolve/" in r[1]]


def test_download_reports_progress_and_verifies(hub: FakeHub, models: Path) -> None:
    data = _data(3 * MiB)
    hub.add_file(REPO, FILE, data)
    events: list[Progress] = []
    path = download_file(REPO, FILE, progress=events.append)
    assert path == models / FILE and path.read_bytes() == data
    assert events[0].downloaded == 0 and events[0].total == len(data)
    assert [e.downloaded for e in events if e.phase == "downloading"] == sorted(
        e.downloaded for e in events if e.phase == "downloading"
    )
    assert "verifying" in {e.phase for e in events}  # the hub's etag is the file's sha256
    assert events[-1].phase == "done" and events[-1].downloaded == len(data)
    assert events[-1].fraction == 1.0
    assert partial_files(models, FILE) == []


def test_cancel_keeps_a_partial_file_that_the_next_pull_resumes(
    hub: FakeHub, models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(download, "_EMIT_EVERY", 0.0)
    data = _data(3 * CHUNK - 12345, seed=1)
    hub.add_file(REPO, FILE, data)
    cancel = threading.Event()

    def stop_after_first_chunk(p: Progress) -> None:
        if p.downloaded >= CHUNK:
            cancel.set()

    with pytest.raises(DownloadCancelled):
        download_file(REPO, FILE, progress=stop_after_first_chunk, cancel=cancel)
    (partial,) = partial_files(models, FILE)
    kept = partial.stat().st_size
    assert 0 < kept < len(data) and not (models / FILE).exists()
    assert partial.read_bytes() == data[:kept]

    events: list[Progress] = []
    path = download_file(REPO, FILE, progress=events.append)
    assert path.read_bytes() == data
    assert _gets(hub)[-1][2] == f"bytes={kept}-"  # resumed, not restarted
    assert events[0].downloaded == kept
    assert partial_files(models, FILE) == []


def test_dropped_connection_resumes_with_a_range_request(hub: FakeHub, models: Path) -> None:
    data = _data(CHUNK + 2 * MiB, seed=2)
    hub.add_file(REPO, FILE, data)
    hub.cut_after, hub.cuts = CHUNK + MiB, 1  # the first GET stops 1 MiB into the second chunk
    path = download_file(REPO, FILE)
    assert path.read_bytes() == data
    ranges = [r[2] for r in _gets(hub)]
    assert ranges == [None, f"bytes={CHUNK}-"]


def test_corrupt_bytes_fail_the_checksum_and_are_deleted(hub: FakeHub, models: Path) -> None:
    hub.add_file(REPO, FILE, _data(MiB, seed=3))
    hub.corrupt = True
    with pytest.raises(DownloadError) as caught:
        download_file(REPO, FILE)
    message = str(caught.value)
    assert "sha256" in message and "deleted" in message and message.endswith(".")
    assert not (models / FILE).exists() and partial_files(models, FILE) == []


def test_catalog_checksum_is_checked(hub: FakeHub, models: Path) -> None:
    hub.add_file(REPO, FILE, _data(MiB, seed=4))
    entry = CatalogEntry("tiny", "Tiny", REPO, FILE, "F32", MiB, sha256="0" * 64)
    with pytest.raises(DownloadError, match="sha256"):
        download_entry(entry)
    assert not (models / FILE).exists()


def test_not_enough_disk_space(hub: FakeHub, models: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hub.add_file(REPO, FILE, _data(MiB, seed=5))
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(
        download.shutil, "disk_usage", lambda _path: usage(10**9, 10**9 - 1000, 1000)
    )
    with pytest.raises(DownloadError) as caught:
        download_file(REPO, FILE)
    assert str(caught.value).startswith("Not enough disk space for tiny.gguf")
    assert _gets(hub) == []  # refused before any byte was fetched


def test_offline_mode_sends_nothing(hub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> None:
    hub.add_file(REPO, FILE, _data(1000))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(DownloadError, match="HF_HUB_OFFLINE"):
        download_file(REPO, FILE)
    assert hub.requests == []


def test_unknown_repo_and_file_get_one_sentence(hub: FakeHub) -> None:
    hub.add_file(REPO, FILE, _data(1000))
    with pytest.raises(DownloadError, match="not in test-org/tiny-GGUF"):
        download_file(REPO, "other.gguf")
    with pytest.raises(DownloadError, match="repository nobody/nothing was not found"):
        download_file("nobody/nothing", FILE)


def test_server_class_entries_are_not_downloaded(hub: FakeHub) -> None:
    entry = CatalogEntry("big", "Big", REPO, FILE, "MXFP4", 65 * 10**9, None, server_class=True)
    with pytest.raises(DownloadError, match="server"):
        download_entry(entry)
    assert hub.requests == []


def test_a_complete_file_is_not_fetched_again(hub: FakeHub, models: Path) -> None:
    data = _data(MiB, seed=6)
    hub.add_file(REPO, FILE, data)
    download_file(REPO, FILE)
    download_file(REPO, FILE)
    assert len(_gets(hub)) == 1
    assert (models / FILE).read_bytes() == data
