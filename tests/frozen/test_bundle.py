"""The frozen executable is the window and the CLI; its engine child runs inside the bundle."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from app import __version__
from app.gui.app import QUIT_WHEN_SHOWN_ENV, SHOWN_LINE
from tests.frozen.conftest import run_frozen
from tests.support.synthetic_gguf import cached_model

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "policies" / "spam_scams" / "policy.md"


def test_version(exe: Path) -> None:
    out = run_frozen([str(exe), "--version"])
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"safeguard-studio {__version__}"


def test_classify_json_runs_a_real_engine_child_inside_the_bundle(exe: Path) -> None:
    model = cached_model("tiny")
    args = [str(exe), "classify", "--policy", str(POLICY), "--model", str(model)]
    args += ["--json", "--max-tokens", "24", "--quiet", "Buy cheap pills now at example dot com"]
    # a child that wrongly reached the GUI would say so on stdout and close again
    out = run_frozen(args, env={QUIT_WHEN_SHOWN_ENV: "1"})
    assert out.returncode in (0, 1), out.stderr  # 1: the random model gave no verdict
    result = json.loads(out.stdout)
    assert result["model"] == model.name
    assert result["tokens"]["prompt"] > 100 and result["tokens"]["generated"] > 0
    assert result["status"] in ("ok", "unparsable", "no_final", "empty", "truncated")
    assert SHOWN_LINE not in out.stdout + out.stderr


def test_window_comes_up_offscreen_alone_on_a_first_run(exe: Path, tmp_path) -> None:
    env = {QUIT_WHEN_SHOWN_ENV: "1", "SAFEGUARD_CONFIG_DIR": str(tmp_path / "config")}
    out = run_frozen([str(exe)], env=env)
    assert out.returncode == 0, out.stderr
    assert f"{SHOWN_LINE} (visible=True, models dialog closed)" in out.stdout
    assert out.stdout.count(SHOWN_LINE) == 1  # one window, one process that showed it


@pytest.mark.skipif(shutil.which("unshare") is None, reason="Linux network namespaces")
def test_offline_start_in_a_namespace_without_network(exe: Path, tmp_path) -> None:
    """No network device at all (``unshare --net``): the window still comes up."""
    env = {QUIT_WHEN_SHOWN_ENV: "1", "SAFEGUARD_CONFIG_DIR": str(tmp_path / "config")}
    out = run_frozen(["unshare", "--net", "--map-root-user", str(exe)], env=env)
    assert out.returncode == 0, out.stderr
    assert SHOWN_LINE in out.stdout


def _created_files(home: Path) -> list[str]:
    return sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file())


@pytest.mark.skipif(sys.platform == "win32", reason="folders from %APPDATA%, not $HOME")
def test_settings_and_data_folders_match_a_checkout_run(exe: Path, tmp_path) -> None:
    """Frozen and checkout runs put settings and data in the same places under $HOME."""
    homes = {}
    for kind, command in (("frozen", [str(exe)]), ("checkout", [sys.executable, "-m", "app"])):
        home = tmp_path / kind
        home.mkdir()
        env = {QUIT_WHEN_SHOWN_ENV: "1", "HOME": str(home)}
        for name in ("DATA", "CACHE", "LOG", "CONFIG", "MODELS"):
            env[f"SAFEGUARD_{name}_DIR"] = ""  # platformdirs decides, as for a user
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
            env[name] = ""
        if kind == "checkout":
            env["PYTHONPATH"] = str(ROOT)
        out = run_frozen(command, env=env, cwd=ROOT)
        assert out.returncode == 0, out.stderr
        homes[kind] = _created_files(home)
    assert homes["frozen"] == homes["checkout"]
    assert any("SafeguardStudio" in path for path in homes["frozen"])


def test_bundle_is_under_300_mb_and_leaves_out_what_is_unused(bundle: Path) -> None:
    files = [p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()]
    size = sum(p.stat().st_size for p in files)
    assert size <= 300 * 2**20, f"the bundle is {size / 2**20:.0f} MB"
    names = [str(p.relative_to(bundle)) for p in files]
    for unused in ("WebEngine", "Qt6Quick", "Qt6Qml", "pytest", "fastapi", "uvicorn", "/tests/"):
        assert not [name for name in names if unused in name], unused
    plugins = {p.parent.name for p in bundle.rglob("plugins/*/*.so")}
    assert "platforms" in plugins and "imageformats" in plugins
    assert not plugins & {"sqldrivers", "qmltooling", "designer", "tls", "networkinformation"}
