"""One configuration for the window and the CLI (issue 21.11): ``classify`` and ``eval``
use the app's active backend unless options say otherwise, and say which on stderr;
``models use`` reaches the window too; ``policies`` and ``--starter`` reach the starters.
Everything through ``app.cli.main`` against loopback fakes and the tiny synthetic model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

import app.cli
from app.core.cases import TestCase, save_cases
from app.gui.shared import options
from app.gui.shared.backend_values import DEFAULTS, backend_config, save_backend_values
from app.gui.shared.settings_store import open_settings
from app.runs.backends.choice import read_choice
from tests.bad_inputs.servers import answering
from tests.support.fake_server import fake_server

POLICY = "---\nname: Spam\nformat: binary\n---\n# Spam\nSP1 Bulk promotion violates.\n"


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("CONFIG", "DATA", "MODELS"):
        monkeypatch.setenv(f"SAFEGUARD_{name}_DIR", str(tmp_path / name.lower()))
    monkeypatch.delenv("SAFEGUARD_MODEL", raising=False)
    policy = tmp_path / "spam.md"
    policy.write_text(POLICY, encoding="utf-8")
    save_cases(tmp_path / "spam.cases.jsonl", [TestCase("c1", "content 1", "1")])
    return tmp_path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = app.cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_server_set_in_the_window_is_the_clis_backend(folders: Path, capsys) -> None:
    """The window's Settings name a server; eval without backend options runs on it and
    says so in one line (it asked for --model before)."""
    with fake_server(answering()) as (url, handler):
        save_backend_values(open_settings(), dict(DEFAULTS, backend="remote", base_url=url + "/v1"))
        code, out, err = run(
            capsys, "eval", "--policy", str(folders / "spam.md"), "--db", str(folders / "r.db")
        )
        asked = [path for path, _b, _a in handler.log]
    assert code == 0, err
    assert "/v1/chat/completions" in asked
    line = err.splitlines()[0]
    assert line == (
        f"safeguard-studio: using the server {url}/v1, the app's active backend "
        "(--backend local --model FILE to use another)."
    )


def test_options_still_win_over_the_apps_backend(folders: Path, capsys, tiny_model) -> None:
    save_backend_values(
        open_settings(), dict(DEFAULTS, backend="remote", base_url="http://127.0.0.1:9")
    )
    policy = str(folders / "spam.md")
    code, _out, err = run(
        capsys, "classify", "--policy", policy, "--model", str(tiny_model), "--quiet",
        "--max-tokens", "8", "--db", str(folders / "r.db"), "hello",
    )  # fmt: skip
    assert "app's active backend" not in err and "127.0.0.1:9" not in err
    assert code in (0, 1), err  # the tiny model's answer may be unparsable; it ran locally


def test_models_use_makes_classify_use_that_model(folders: Path, capsys, tiny_model) -> None:
    """'models use NAME' printed 'Active model: …' but classify still asked for --model."""
    code, out, err = run(capsys, "models", "use", str(tiny_model))
    assert code == 0 and "Active model:" in out, err
    code, out, err = run(
        capsys, "classify", "--policy", str(folders / "spam.md"), "--json",
        "--max-tokens", "8", "--db", str(folders / "r.db"), "hello",
    )  # fmt: skip
    assert "--model" not in err.split("(")[0]
    assert err.splitlines()[0].startswith(
        f"safeguard-studio: using the model {tiny_model.name}, the app's active backend"
    )
    assert json.loads(out)["model"]  # it ran on that model


def test_models_use_reaches_the_window(folders: Path, capsys, tiny_model) -> None:
    settings = open_settings()
    save_backend_values(settings, dict(DEFAULTS, backend="remote", base_url="http://10.0.0.5:8000"))
    assert run(capsys, "models", "use", str(tiny_model))[0] == 0
    config = backend_config(settings)
    assert config.kind == "local" and Path(config.engine.model_path) == tiny_model.resolve()


def test_the_window_writes_its_old_settings_for_the_cli(folders: Path) -> None:
    """A window updated from a version that kept the backend only in its settings file
    writes it to backend.json on its first start (nothing is lost)."""
    settings = QSettings(str(folders / "config" / "settings.ini"), QSettings.Format.IniFormat)
    options.put(settings, options.BACKEND, "remote")
    options.put(settings, options.BASE_URL, "http://10.0.0.7:8000")
    options.put(settings, options.REMOTE_MODEL, "gpt-oss-safeguard-20b")
    settings.sync()
    assert read_choice() is None
    backend_config(settings)
    choice = read_choice()
    assert choice is not None
    assert choice["backend"] == "remote" and choice["base_url"] == "http://10.0.0.7:8000"
    assert choice["remote_model"] == "gpt-oss-safeguard-20b"


def test_no_model_anywhere_is_one_sentence(folders: Path, capsys) -> None:
    code, _out, err = run(capsys, "classify", "--policy", str(folders / "spam.md"), "x")
    assert code == 2
    assert err.strip() == (
        "safeguard-studio: No model is chosen: give the model file with --model, choose one "
        "with 'safeguard-studio models use NAME', or use --backend remote --base-url URL."
    )


def test_policies_lists_the_starters_with_their_paths(capsys) -> None:
    code, out, _err = run(capsys, "policies")
    assert code == 0
    lines = [line for line in out.splitlines() if ": /" in line or ":\\" in line]
    assert len(lines) >= 8
    key, _sep, rest = lines[0].partition("  ")
    path = Path(rest.split(": ", 1)[1])
    assert path.name == "policy.md" and path.is_file() and path.parent.name == key.strip()
    assert any(line.startswith("spam_scams ") for line in out.splitlines())


def test_eval_with_a_starter_runs_its_own_test_set(folders: Path, capsys) -> None:
    with fake_server(answering()) as (url, handler):
        code, out, err = run(
            capsys, "eval", "--starter", "spam-scams", "--backend", "remote", "--base-url", url,
            "--db", str(folders / "r.db"), "--max-tokens", "64",
        )  # fmt: skip
        sent = sum(path == "/v1/chat/completions" for path, _b, _a in handler.log)
    assert "Traceback" not in err
    starter_cases = Path(app.cli.__file__).parents[1] / "policies" / "spam_scams" / "cases.jsonl"
    assert sent == len(starter_cases.read_text(encoding="utf-8").splitlines())
    assert "Spam and scams" in out or "Spam" in out


def test_an_unknown_starter_names_the_starters(capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        app.cli.main(["classify", "--starter", "nope", "x"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "there is no starter policy 'nope'; the starters are:" in err and "spam_scams" in err


def test_backend_local_without_a_model_takes_the_active_model(
    folders: Path, capsys, tiny_model
) -> None:
    """--backend local with the app on a server: the model 'models use' chose."""
    from app.library import catalog

    catalog.use_model(str(tiny_model))  # an older 'models use': the library file only
    save_backend_values(open_settings(), dict(DEFAULTS, backend="remote", base_url="http://h:1"))
    code, _out, err = run(
        capsys, "classify", "--backend", "local", "--policy", str(folders / "spam.md"),
        "--quiet", "--max-tokens", "8", "--db", str(folders / "r.db"), "hello",
    )  # fmt: skip
    assert f"using the model {tiny_model.name}" in err.splitlines()[0]
    assert code in (0, 1), err


def test_the_windows_silence_limit_reaches_the_cli(folders: Path, capsys) -> None:
    """Settings ▸ server's silence limit is the CLI's --timeout when it is not given: eval
    on a hanging server gives up on the case after 2 s of silence (it waited 300 s)."""
    from tests.bad_inputs.servers import hanging

    with fake_server(hanging(hang_s=30)) as (url, _handler):
        save_backend_values(
            open_settings(), dict(DEFAULTS, backend="remote", base_url=url, timeout=2.0)
        )
        code, _out, err = run(
            capsys, "eval", "--policy", str(folders / "spam.md"), "--db", str(folders / "r.db")
        )
    assert code != 0
    assert "took this case and then sent nothing for 2 s" in err, err
    assert "allow a longer silence (Settings, or --timeout)" in err, err
