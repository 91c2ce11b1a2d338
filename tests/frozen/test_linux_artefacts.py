"""The .tar.gz and the .deb beside the bundle: contents, declared libraries, install/remove."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from app import __version__
from app.gui.app import QUIT_WHEN_SHOWN_ENV, SHOWN_LINE
from tests.frozen.conftest import NAME, run_frozen
from tests.packaging.scripts import load_script

linux = load_script("linux")  # packaging/linux.py: the script that built the artefacts

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="Linux artefacts")
# system libraries a declared package brings that the test would otherwise not know about
MISSING_OK = {
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
    "libgtk-3.so.0": "libgtk-3-0",
    "libgdk-3.so.0": "libgtk-3-0",
}


def _artefact(bundle: Path, pattern: str) -> Path:
    found = sorted(bundle.parent.glob(pattern))
    assert found, f"no {pattern} beside {bundle}; run `make package`."
    return found[-1]


def test_tarball_holds_the_folder_desktop_entry_and_icons(bundle: Path) -> None:
    tarball = _artefact(bundle, f"{NAME}-{__version__}-linux-*.tar.gz")
    with tarfile.open(tarball) as tar:
        members = {member.name: member for member in tar.getmembers()}
        entry = tar.extractfile(f"{NAME}/share/applications/{NAME}.desktop").read().decode()
    assert members[f"{NAME}/{NAME}"].mode & 0o111
    assert f"{NAME}/_internal/resources/icon.svg" in members
    assert f"{NAME}/_internal/policies/README.md" in members
    assert f"{NAME}/share/icons/hicolor/256x256/apps/{NAME}.png" in members
    assert f"{NAME}/share/icons/hicolor/scalable/apps/{NAME}.svg" in members
    assert "Name=Safeguard Studio" in entry and f"Icon={NAME}" in entry


def _packages_of(libraries: set[str]) -> dict[str, str]:
    """Library path -> Debian package, with one ``dpkg -S`` call (either /lib or /usr/lib)."""
    names = {lib: Path(lib).name for lib in libraries}
    out = subprocess.run(["dpkg", "-S", *sorted(set(names.values()))], capture_output=True)
    owners: dict[str, str] = {}
    for line in out.stdout.decode().splitlines():
        package, _, path = line.partition(": ")
        owners.setdefault(Path(path).name, package.split(":")[0])
    return {lib: owners.get(name, f"(no package owns {lib})") for lib, name in names.items()}


def _depends_of(package: str) -> set[str]:
    out = subprocess.run(
        ["dpkg-query", "-W", "-f=${Depends}", package], capture_output=True, text=True
    )
    return {re.split(r"[\s(:]", item.strip())[0] for item in re.split(r"[,|]", out.stdout)}


def test_every_system_library_the_bundle_loads_is_declared(bundle: Path) -> None:
    declared = set(linux.DEPENDS) | set(linux.RECOMMENDS)
    allowed = set(declared)
    for package in declared:  # and what those pull in
        allowed |= _depends_of(package)
    env = dict(os.environ, LD_LIBRARY_PATH=str(bundle / "_internal"))
    undeclared: set[str] = set()
    system: set[str] = set()
    libs = [p for p in bundle.rglob("*.so*") if p.is_file() and not p.is_symlink()]
    out = subprocess.run(["ldd", *map(str, libs)], capture_output=True, text=True, env=env)
    for line in out.stdout.splitlines():
        parts = line.split()
        if "not found" in line:
            if MISSING_OK.get(parts[0]) not in (*linux.RECOMMENDS, *linux.SUGGESTS):
                undeclared.add(f"{parts[0]} (not found)")
        elif "=>" in parts and parts[2].startswith("/") and str(bundle) not in parts[2]:
            system.add(parts[2])
    for lib, package in _packages_of(system).items():
        if package not in allowed:
            undeclared.add(f"{package} for {lib}")
    assert not undeclared, f"declare these in packaging/linux.py: {sorted(undeclared)}"


def test_deb_control_and_contents(bundle: Path) -> None:
    deb = _artefact(bundle, f"{NAME}_{__version__}_*.deb")
    info = subprocess.run(["dpkg-deb", "-I", str(deb)], capture_output=True, text=True).stdout
    assert f"Package: {NAME}" in info and f"Version: {__version__}" in info
    assert "Depends: libc6, libegl1, libgl1" in info
    recommends = next((ln for ln in info.splitlines() if "Recommends:" in ln), "")
    assert set(recommends.split(":", 1)[-1].replace(",", " ").split()) <= {
        "libwayland-cursor0",
        "libwayland-egl1",
    }, recommends  # apt installs Recommends by default: nothing that pulls a desktop stack
    files = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True).stdout
    for path in (
        f"./opt/{NAME}/{NAME}",
        f"./usr/bin/{NAME}",
        f"./usr/share/applications/{NAME}.desktop",
        f"./usr/share/icons/hicolor/48x48/apps/{NAME}.png",
    ):
        assert path in files


# what `apt-get install ./the.deb` may pull in besides the app, with apt's default options
# (Recommends included): the declared libraries and what the Recommends bring
PULL_ALLOWED = {*linux.DEPENDS, *linux.RECOMMENDS, "libwayland-client0", "libffi8"}


def _apt(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    return subprocess.run(["apt-get", *args], capture_output=True, text=True, env=env, timeout=300)


def _would_install(deb: Path) -> subprocess.CompletedProcess:
    """apt's plan for installing the .deb with its default options (a simulation)."""
    plan = _apt("install", "-s", "-q", str(deb.resolve()))
    if plan.returncode != 0:  # no package lists on this machine yet
        _apt("update", "-q")
        plan = _apt("install", "-s", "-q", str(deb.resolve()))
    return plan


@pytest.mark.skipif(os.geteuid() != 0, reason="installing a .deb needs root (CI runs as root)")
def test_deb_installs_runs_and_removes(bundle: Path, tmp_path: Path, capsys) -> None:
    deb = _artefact(bundle, f"{NAME}_{__version__}_*.deb")
    subprocess.run(["dpkg", "--purge", NAME], capture_output=True)  # left by an aborted run
    plan = _would_install(deb)
    assert plan.returncode == 0, plan.stdout + plan.stderr
    installs = [line for line in plan.stdout.splitlines() if line.startswith("Inst ")]
    pulled = sorted({line.split()[1] for line in installs} - {NAME})
    # "Inst perl [5.36.0-7] (5.36.0-7+deb12u1 ...)": the bracket is the version replaced
    upgraded = [line for line in installs if "[" in line.split("(")[0]]
    with capsys.disabled():
        print(f"\napt-get install ./{deb.name} pulls {len(pulled)} other packages: {pulled}")
    assert set(pulled) <= PULL_ALLOWED, pulled
    assert not upgraded, upgraded
    install = _apt("install", "-y", "-q", str(deb.resolve()))  # apt's defaults, as users do
    try:
        assert install.returncode == 0, install.stdout + install.stderr
        launcher = Path("/usr/bin") / NAME
        assert (Path("/opt") / NAME / NAME).is_file() and launcher.is_file()
        assert Path(f"/usr/share/applications/{NAME}.desktop").is_file()
        version = run_frozen([str(launcher), "--version"])
        assert version.stdout.strip() == f"{NAME} {__version__}", version.stderr
        env = {QUIT_WHEN_SHOWN_ENV: "1", "SAFEGUARD_CONFIG_DIR": str(tmp_path / "config")}
        shown = run_frozen([str(launcher)], env=env)
        assert SHOWN_LINE in shown.stdout, shown.stderr
    finally:
        remove = subprocess.run(["dpkg", "--purge", NAME], capture_output=True, text=True)
    assert remove.returncode == 0, remove.stderr
    assert not (Path("/opt") / NAME).exists() and not (Path("/usr/bin") / NAME).exists()
