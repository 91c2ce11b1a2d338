"""packaging/linux.py on a small stand-in folder: desktop entry, .tar.gz and a real .deb."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from app import __version__  # noqa: E402
from tests.packaging.scripts import load_script  # noqa: E402

linux = load_script("linux")
icons = load_script("icons")
pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or shutil.which("dpkg-deb") is None, reason="Debian tools"
)
NAME = "safeguard-studio"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """A folder shaped like the PyInstaller bundle (a script stands in for the executable)."""
    root = tmp_path_factory.mktemp("inputs")
    bundle = root / NAME
    (bundle / "_internal").mkdir(parents=True)
    exe = bundle / NAME
    exe.write_text('#!/bin/sh\necho frozen "$@"\n', encoding="utf-8")
    exe.chmod(0o755)
    (bundle / "_internal" / "data.txt").write_text("x" * 5000, encoding="utf-8")
    icons_dir = root / "icons"
    icons.build_icons(icons_dir)
    out = root / "out"
    out.mkdir()
    return bundle, icons_dir, out


def test_desktop_entry_names_the_app_icon_and_launcher() -> None:
    entry = linux.desktop_entry()
    lines = entry.splitlines()
    assert lines[0] == "[Desktop Entry]"
    assert "Name=Safeguard Studio" in lines and f"Icon={NAME}" in lines
    assert f"Exec={NAME} %F" in lines and "Terminal=false" in lines
    assert all("=" in line for line in lines[1:] if line)


def test_control_declares_the_qt_runtime_libraries() -> None:
    control = linux.control_text("1.2.3", "amd64", 4096)
    fields = dict(line.split(": ", 1) for line in control.splitlines() if ": " in line)
    assert fields["Package"] == NAME and fields["Version"] == "1.2.3"
    assert fields["Installed-Size"] == "4096"
    for library in ("libegl1", "libgl1", "libxcb1"):
        assert library in fields["Depends"]
    assert control.endswith("\n") and "\n " in control  # continuation lines of the description


def test_tarball_has_folder_entry_and_icons(inputs) -> None:
    bundle, icons_dir, out = inputs
    tarball = linux.build_tarball(bundle, icons_dir, out)
    assert tarball.name.startswith(f"{NAME}-{__version__}-linux-")
    with tarfile.open(tarball) as tar:
        names = set(tar.getnames())
    assert {f"{NAME}/{NAME}", f"{NAME}/_internal/data.txt"} <= names
    assert f"{NAME}/share/applications/{NAME}.desktop" in names
    assert f"{NAME}/share/icons/hicolor/512x512/apps/{NAME}.png" in names


def test_deb_is_valid_and_lays_out_opt_usr_bin_and_share(inputs) -> None:
    bundle, icons_dir, out = inputs
    deb = linux.build_deb(bundle, icons_dir, out)
    info = subprocess.run(["dpkg-deb", "-f", str(deb)], capture_output=True, text=True)
    assert info.returncode == 0, info.stderr
    assert f"Package: {NAME}" in info.stdout and f"Version: {__version__}" in info.stdout
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True).stdout
    assert f"./opt/{NAME}/_internal/data.txt" in listing
    assert "root/root" in listing  # --root-owner-group: no build user's ids in the package
    unpacked = out / "unpacked"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(unpacked)], check=True)
    launcher = (unpacked / "usr" / "bin" / NAME).read_text(encoding="utf-8")
    assert f'exec /opt/{NAME}/{NAME} "$@"' in launcher
    assert os.access(unpacked / "usr" / "bin" / NAME, os.X_OK)
    assert (unpacked / "usr/share/icons/hicolor/scalable/apps" / f"{NAME}.svg").is_file()
    assert not list(out.glob("tmp*")), "the staging folder is cleaned up"


def test_main_without_a_bundle_says_what_to_do(tmp_path, capsys) -> None:
    assert linux.main(["--bundle", str(tmp_path / "none"), "--out", str(tmp_path)]) == 2
    assert "run `make package` to build it" in capsys.readouterr().err


# What `apt-get install ./safeguard-studio.deb` may pull in through Recommends (apt installs
# them by default, with their own dependencies): small libraries the bundle loads, nothing
# that brings a desktop stack or perl with it.
RECOMMENDS_ALLOWED = {"libwayland-cursor0", "libwayland-egl1"}


def test_control_recommends_only_the_allow_list() -> None:
    control = linux.control_text("1.2.3", "amd64", 4096)
    fields = dict(line.split(": ", 1) for line in control.splitlines() if ": " in line)
    recommended = {item.split()[0] for item in fields.get("Recommends", "").split(",") if item}
    assert recommended <= RECOMMENDS_ALLOWED, (
        f"not on the allow-list: {recommended - RECOMMENDS_ALLOWED}"
    )
    depends = {item.split()[0] for item in fields["Depends"].split(",")}
    assert not {"libgtk-3-0", "xdg-utils", "perl"} & (recommended | depends)
    assert "libgtk-3-0" in fields.get("Suggests", "")  # still named for native file dialogs
