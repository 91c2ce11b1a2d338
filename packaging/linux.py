"""Linux artefacts around the PyInstaller folder: a desktop entry, a ``.tar.gz`` and a ``.deb``.

    python packaging/linux.py --bundle dist/safeguard-studio --icons build/icons --out dist

* The ``.tar.gz`` holds the folder (``safeguard-studio/``) with ``share/applications`` and
  ``share/icons/hicolor`` inside it, ready to copy into ``~/.local`` or ``/usr/local``.
* The ``.deb`` (``dpkg-deb``) installs the folder to ``/opt/safeguard-studio``, a launcher
  at ``/usr/bin/safeguard-studio``, the desktop entry and the icons, and declares the
  system libraries the bundled Qt loads but PyInstaller leaves to the system.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import __version__  # noqa: E402
from app.core.storage_paths import APP_DISPLAY_NAME  # noqa: E402

NAME = "safeguard-studio"
INSTALL_DIR = f"/opt/{NAME}"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
# Libraries the bundle loads from the system (libGL/libEGL and the display protocols stay
# with the system's drivers; PyInstaller bundles the rest). Checked against the real bundle
# by tests/frozen/test_bundle.py.
DEPENDS = ("libc6", "libegl1", "libgl1", "libxcb1", "libdrm2", "libwayland-client0")
# apt installs Recommends by default, and what they recommend in turn: only two small
# libraries the Wayland plugin loads. GTK (native file dialogs) and xdg-utils (opening a
# folder) pulled ~50 packages and a perl upgrade; the app works without them (Qt's own
# dialogs), so they are only suggested. tests/packaging/test_linux.py holds the allow-list.
RECOMMENDS = ("libwayland-cursor0", "libwayland-egl1")
SUGGESTS = ("libgtk-3-0", "xdg-utils")
SUMMARY = "Write and test content policies with gpt-oss-safeguard on your own machine"
DESCRIPTION = (
    "Safeguard Studio is a desktop workbench where trust-and-safety staff write a content\n"
    "policy beside test content and run the gpt-oss-safeguard classifier locally with\n"
    "llama.cpp. Models are downloaded from inside the app or added from a file."
)


def desktop_entry(exec_command: str = NAME) -> str:
    """The freedesktop.org desktop entry (Exec: the launcher on PATH by default)."""
    return "\n".join(
        [
            "[Desktop Entry]",
            "Type=Application",
            f"Name={APP_DISPLAY_NAME}",
            "GenericName=Content policy workbench",
            f"Comment={SUMMARY}",
            f"Exec={exec_command} %F",
            f"Icon={NAME}",
            "Terminal=false",
            "Categories=Development;Utility;Qt;",
            "MimeType=text/markdown;",
            "Keywords=policy;moderation;classifier;safety;gpt-oss;",
            f"StartupWMClass={NAME}",
            "",
        ]
    )


def write_share(target: Path, icons: Path, exec_command: str = NAME) -> list[Path]:
    """Write ``applications/<name>.desktop`` and ``icons/hicolor/...`` under ``target``."""
    written = []
    entry = target / "applications" / f"{NAME}.desktop"
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_text(desktop_entry(exec_command), encoding="utf-8")
    written.append(entry)
    for size in ICON_SIZES:
        png = target / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{NAME}.png"
        png.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(icons / f"{NAME}-{size}.png", png)
        written.append(png)
    svg = target / "icons" / "hicolor" / "scalable" / "apps" / f"{NAME}.svg"
    svg.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "resources" / "icon.svg", svg)
    return [*written, svg]


def machine_arch() -> str:
    """The Debian architecture name of this machine (amd64, arm64, ...)."""
    out = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True)
    return out.stdout.strip() or "amd64"


def build_tarball(bundle: Path, icons: Path, out_dir: Path, version: str = __version__) -> Path:
    """``<name>-<version>-linux-<arch>.tar.gz`` with the folder and its ``share/`` files."""
    out = out_dir / f"{NAME}-{version}-linux-{machine_arch()}.tar.gz"
    with tempfile.TemporaryDirectory() as tmp:
        share = Path(tmp) / "share"
        write_share(share, icons)
        with tarfile.open(out, "w:gz", compresslevel=6) as tar:
            tar.add(bundle, arcname=NAME)
            tar.add(share, arcname=f"{NAME}/share")
    return out


def control_text(version: str, arch: str, installed_kib: int) -> str:
    return "\n".join(
        [
            f"Package: {NAME}",
            f"Version: {version}",
            f"Architecture: {arch}",
            "Maintainer: Safeguard Studio developers <safeguard-studio@localhost>",
            f"Installed-Size: {installed_kib}",
            f"Depends: {', '.join(DEPENDS)}",
            f"Recommends: {', '.join(RECOMMENDS)}",
            f"Suggests: {', '.join(SUGGESTS)}",
            "Section: utils",
            "Priority: optional",
            f"Description: {SUMMARY}",
            *(f" {line}" for line in DESCRIPTION.splitlines()),
            "",
        ]
    )


LAUNCHER = f"""#!/bin/sh
# {APP_DISPLAY_NAME}: the window with no arguments, the CLI with a command.
exec {INSTALL_DIR}/{NAME} "$@"
"""
REFRESH = """#!/bin/sh
set -e
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && \
  gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true
"""


def _tree_kib(path: Path) -> int:
    total = sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    return total // 1024 + 1


def stage_deb(bundle: Path, icons: Path, root: Path, version: str, arch: str) -> Path:
    """Lay out the package tree under ``root`` (bundle files hard-linked where possible)."""

    def link_or_copy(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(bundle, root / INSTALL_DIR.lstrip("/"), copy_function=link_or_copy)
    launcher = root / "usr" / "bin" / NAME
    launcher.parent.mkdir(parents=True)
    launcher.write_text(LAUNCHER, encoding="utf-8")
    launcher.chmod(0o755)
    write_share(root / "usr" / "share", icons)
    debian = root / "DEBIAN"
    debian.mkdir()
    (debian / "control").write_text(control_text(version, arch, _tree_kib(root)), "utf-8")
    for script in ("postinst", "postrm"):
        (debian / script).write_text(REFRESH, encoding="utf-8")
        (debian / script).chmod(0o755)
    return root


def build_deb(bundle: Path, icons: Path, out_dir: Path, version: str = __version__) -> Path:
    """``<name>_<version>_<arch>.deb`` built with ``dpkg-deb`` (gzip: fast to build)."""
    arch = machine_arch()
    out = out_dir / f"{NAME}_{version}_{arch}.deb"
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        root = stage_deb(bundle, icons, Path(tmp) / "root", version, arch)
        subprocess.run(
            ["dpkg-deb", "--root-owner-group", "-Zgzip", "-z6", "--build", str(root), str(out)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / NAME)
    parser.add_argument("--icons", type=Path, default=ROOT / "build" / "icons")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    if not (args.bundle / NAME).is_file():
        print(f"No bundle at {args.bundle}; run `make package` to build it.", file=sys.stderr)
        return 2
    for artefact in (
        build_tarball(args.bundle, args.icons, args.out),
        build_deb(args.bundle, args.icons, args.out),
    ):
        print(f"{artefact} ({artefact.stat().st_size / 2**20:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
