"""``safeguard-studio models ...`` through the module's own parser (list, pull, add, check, use)."""

from __future__ import annotations

import argparse
import json
import threading
from pathlib import Path

import pytest

from app.commands import CommandError
from app.commands import models as models_cmd
from app.library import catalog
from tests.support.fake_hub import FakeHub


@pytest.fixture(autouse=True)
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SAFEGUARD_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    return tmp_path / "models"


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="safeguard-studio")
    models_cmd.add_parser(parser.add_subparsers(dest="command"))
    return models_cmd.run(parser.parse_args(["models", *argv]))


def test_list_shows_the_catalog_with_states(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("list") == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert "NAME" in lines[0] and "STATE" in lines[0]
    ids = [e.id for e in catalog.load_catalog()]
    assert ids[0] == "gpt-oss-safeguard-20b-mxfp4"  # the native file comes first
    for entry_id in ids:
        assert entry_id in out
    assert "not downloaded" in out and "(server)" in out
    assert "GB" in out


def test_partial_download_is_listed_with_its_share(dirs: Path, capsys) -> None:  # noqa: ANN001
    entry = catalog.load_catalog()[1]  # exact size known
    part = dirs / ".partial" / f"{entry.filename}.abc.part"
    part.parent.mkdir(parents=True)
    with part.open("wb") as handle:
        handle.truncate(entry.size_bytes // 4)  # sparse: a quarter of the file
    run("list")
    assert "partial 25%" in capsys.readouterr().out


def test_add_check_and_use_a_local_file(tiny_model: Path, capsys) -> None:  # noqa: ANN001
    assert run("add", str(tiny_model), "--name", "tiny") == 0
    assert "Added tiny" in capsys.readouterr().out
    assert run("check", str(tiny_model), "--ctx", "1024") == 0
    out = capsys.readouterr().out
    assert "gpt-oss" in out and "F32" in out and "memory" in out and "backend" in out
    assert run("use", "tiny") == 0
    assert catalog.active_model() == tiny_model.resolve()
    run("list")
    row = next(line for line in capsys.readouterr().out.splitlines() if " tiny " in line)
    assert row.startswith("*") and "ready" in row
    saved = json.loads((Path(catalog.data_dir()) / catalog.LIBRARY_FILE).read_text())
    assert saved["active"] == str(tiny_model.resolve())


def test_file_copied_into_the_folder_is_listed(tiny_model: Path, dirs: Path, capsys) -> None:  # noqa: ANN001
    dirs.mkdir(parents=True, exist_ok=True)
    (dirs / "by-hand.gguf").write_bytes(tiny_model.read_bytes())
    run("list")
    assert any(
        "by-hand" in line and "ready" in line for line in capsys.readouterr().out.splitlines()
    )
    assert run("use", "by-hand") == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("use", "no-such-model"), "No model is called"),
        (("use", "gpt-oss-safeguard-20b-mxfp4"), "not downloaded yet"),
        (("pull", "gpt-oss-safeguard-120b-mxfp4"), "server"),
        (("pull", "something"), "not in the catalog"),
    ],
)
def test_errors_are_one_sentence(argv: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message) as caught:
        run(*argv)
    assert str(caught.value).endswith(".") and "\n" not in str(caught.value)


def test_bad_files_are_refused(wrong_arch_model: Path, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="'llama'"):
        run("add", str(wrong_arch_model))
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"\x00" * 100)
    with pytest.raises(CommandError, match="not a GGUF"):
        run("check", str(junk))
    with pytest.raises(CommandError, match="not a GGUF"):
        run("use", str(junk))
    assert catalog.active_model() is None


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch):
    try:
        from huggingface_hub.utils import _detect_agent

        monkeypatch.setattr(_detect_agent, "_registry", {"standardEnvVars": [], "harnesses": {}})
    except ImportError:
        pass
    with FakeHub() as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.endpoint)
        yield fake
    assert not [t for t in threading.enumerate() if t.name == "fake-hub"]


def test_pull_draws_a_progress_line(hub: FakeHub, tiny_model: Path, dirs: Path, capsys) -> None:  # noqa: ANN001
    hub.add_file("someone/tiny-GGUF", "tiny.gguf", tiny_model.read_bytes())
    assert run("pull", "someone/tiny-GGUF/tiny.gguf") == 0
    captured = capsys.readouterr()
    assert "Downloaded" in captured.out
    assert "%" in captured.err and "ETA" in captured.err and "/s" in captured.err
    assert (dirs / "tiny.gguf").read_bytes() == tiny_model.read_bytes()


def test_pull_of_a_catalog_entry_checks_its_sha256(
    hub: FakeHub, tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tiny_model.read_bytes()
    hub.add_file("someone/tiny-GGUF", "tiny.gguf", data)
    entry = {
        "id": "tiny",
        "repo_id": "someone/tiny-GGUF",
        "filename": "tiny.gguf",
        "size_bytes": len(data),
        "sha256": "f" * 64,
    }
    path = tmp_path / "models.json"
    path.write_text(json.dumps({"models": [entry]}))
    monkeypatch.setattr(catalog, "CATALOG_PATH", path)
    with pytest.raises(CommandError, match="sha256"):
        run("pull", "tiny")


def test_pull_offline_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(CommandError, match="HF_HUB_OFFLINE"):
        run("pull", "gpt-oss-safeguard-20b-mxfp4")


def test_catalog_data_is_consistent() -> None:
    entries = catalog.load_catalog()
    assert entries[0].quantization == "MXFP4" and not entries[0].server_class
    assert [e.id for e in entries if e.server_class] == ["gpt-oss-safeguard-120b-mxfp4"]
    for entry in entries:
        if entry.verified:  # verified means checked size and checksum
            assert entry.sha256 and entry.size_exact and entry.size_bytes
        assert entry.model_shape() is not None


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        '{"models": [{"id": "x"}]}',
        '{"models": [{"id": "x", "repo_id": "a/b", "filename": "f.gguf", "sha256": "abc"}]}',
    ],
)
def test_malformed_catalog_is_one_sentence(tmp_path: Path, text: str) -> None:
    path = tmp_path / "models.json"
    path.write_text(text)
    with pytest.raises(catalog.CatalogError, match="malformed"):
        catalog.load_catalog(path)
