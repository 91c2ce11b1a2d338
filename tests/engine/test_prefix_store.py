"""The prefix state files: header and checksum checks, atomic saves, LRU eviction by size."""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from pathlib import Path

import pytest

from app.engine.local.prefix_store import PrefixKey, PrefixStore, decode, encode, tokens_hash

KEY = PrefixKey(
    model="m" * 64, llama="llama-cpp-python 0.3.36", n_ctx=2048, type_k=1, type_v=1,
    swa_full=True, flash_attn=0, n_gpu_layers=0, template="t" * 64, renderer="template",
    date="2026-01-01", n_tokens=3, tokens=tokens_hash([1, 2, 3]),
)  # fmt: skip


def key(n: int) -> PrefixKey:
    return replace(KEY, n_tokens=n, tokens=tokens_hash(list(range(n))))


def test_round_trip_and_every_key_field_matters() -> None:
    payload = os.urandom(1000)
    assert decode(encode(KEY, payload), KEY) == payload
    for field, value in [("model", "x"), ("n_ctx", 4096), ("date", None), ("llama", "other"),
                         ("template", "y"), ("flash_attn", 1), ("tokens", "z")]:  # fmt: skip
        other = replace(KEY, **{field: value})
        assert other.digest != KEY.digest
        with pytest.raises(ValueError, match="another"):
            decode(encode(KEY, payload), other)


@pytest.mark.parametrize(
    "damage, reason",
    [
        (lambda d: d[:-10], "truncated"),
        (lambda d: d[:-10] + bytes(10), "checksum"),
        (lambda d: b"GGUF" + d[4:], "not a prefix state"),
        (lambda d: d[:20] + b"{" + d[21:], "unreadable header"),
    ],
)
def test_damaged_files_are_refused_with_the_reason(damage, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        decode(damage(encode(KEY, os.urandom(500))), KEY)


def test_load_rejects_logs_and_deletes_a_damaged_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = PrefixStore(tmp_path)
    path = store.save(KEY, b"state" * 100)
    assert store.load(KEY) == b"state" * 100
    path.write_bytes(path.read_bytes()[:-1])
    with caplog.at_level(logging.WARNING):
        assert store.load(KEY) is None
    assert "truncated" in caplog.text and not path.exists()
    assert not list(tmp_path.glob("*.tmp"))  # atomic writes leave no temporary files


def test_least_recently_used_states_are_evicted_to_the_budget(tmp_path: Path) -> None:
    size = len(encode(key(1), bytes(1000)))
    store = PrefixStore(tmp_path, budget=size * 5 // 2)  # room for two
    for n in range(1, 4):
        store.save(key(n), bytes(1000))
        os.utime(store.path(key(n)), ns=(n * 10**9, n * 10**9))
    assert store.usage() == 2 * size and not store.path(key(1)).exists()  # the oldest went
    store.load(key(2))  # used now: the newest
    store.save(key(4), bytes(1000))
    assert store.path(key(2)).exists() and not store.path(key(3)).exists()
    assert store.save(key(5), bytes(3 * size)) is None  # larger than the whole budget: not kept
    stale = tmp_path / f".{store.path(key(9)).name}.abc.tmp"  # a save killed midway
    stale.write_bytes(b"x")
    os.utime(stale, ns=(0, 0))
    store.budget = 0
    store.evict()
    assert not stale.exists()
    assert store.files() == []
    store.budget = 10**6
    store.save(key(6), bytes(10))
    assert store.clear() > 0 and store.files() == []


def _read_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """A read-only file system: every write, touch and delete fails with EROFS (as root,
    chmod cannot make a folder read-only, so the calls themselves are made to fail)."""
    import errno

    def refuse(*_args, **_kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("app.engine.local.prefix_store.os.utime", refuse)
    monkeypatch.setattr("app.engine.local.prefix_store.atomic_write_bytes", refuse)
    monkeypatch.setattr(Path, "unlink", refuse)


def test_a_read_only_folder_turns_the_store_off_with_one_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = PrefixStore(tmp_path, budget=10_000)
    assert store.save(key(1), b"x" * 100) is not None  # saved while the folder was writable
    _read_only(monkeypatch)
    with caplog.at_level(logging.WARNING):
        assert store.load(key(1)) == b"x" * 100  # a saved state is still used once
        assert not store.enabled
        assert store.save(key(2), b"y" * 100) is None
        store.reject(store.path(key(1)), "test")
        assert store.evict() == []
    warnings = [r.getMessage() for r in caplog.records if "cannot be written" in r.getMessage()]
    assert len(warnings) == 1 and str(tmp_path) in warnings[0]
    assert "Read-only file system" in warnings[0] and "without saved policy prefixes" in warnings[0]


def test_a_read_only_prefix_folder_never_fails_a_case(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core.run_types import EngineSettings, Finished
    from app.engine.local.runner import LlamaRunner
    from tests.support.requests import request

    settings = EngineSettings(model_path=str(tiny_model), n_ctx=2048, n_threads=2)
    store = PrefixStore(tmp_path / "prefixes")
    first = LlamaRunner(settings, store)
    assert isinstance(list(first.classify(request("a", "first"), lambda: False))[-1], Finished)
    first.llm.close()
    assert len(store.files()) == 1  # a saved prefix, then the file system turns read-only
    _read_only(monkeypatch)
    runner = LlamaRunner(settings, store)
    for case in ("b", "c"):  # OSError(30) from touching the saved state failed every case
        events = list(runner.classify(request(case, f"case {case}"), lambda: False))
        assert isinstance(events[-1], Finished), events[-1]
    assert store.failure == "Read-only file system"
