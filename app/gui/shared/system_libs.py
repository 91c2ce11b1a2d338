"""The Linux system libraries Qt needs, the packages that hold them, and a check for both.

Qt's xcb platform plugin (X11) loads a dozen ``libxcb-*`` libraries that minimal and some
desktop Linux images lack; without one, Qt aborts with a message that names the plugin, not
the package. ``missing_packages`` says which Debian/Ubuntu packages to install, the window's
start-up calls it before Qt loads the plugin, and ``make sysdeps`` runs this file (standard
library only, so it works before the virtual environment exists) to check and, as root,
install them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

# shared library (soname) -> Debian/Ubuntu package; the first five serve every platform
QT_LIBRARIES: dict[str, str] = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
}
XCB_LIBRARIES: dict[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11-xcb.so.1": "libx11-xcb1",
}


def installed_libraries() -> set[str] | None:
    """Sonames the dynamic loader knows (``ldconfig -p``); None where that cannot be asked."""
    ldconfig = shutil.which("ldconfig") or "/sbin/ldconfig"
    try:
        listing = subprocess.run(
            [ldconfig, "-p"], capture_output=True, text=True, check=True, timeout=20
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {line.split()[0] for line in listing.splitlines()[1:] if line.strip()}


def missing_packages(available: set[str], with_xcb: bool = True) -> dict[str, str]:
    """Package -> the library it would provide, for every needed library not available."""
    wanted = dict(QT_LIBRARIES, **(XCB_LIBRARIES if with_xcb else {}))
    return {package: lib for lib, package in wanted.items() if lib not in available}


def missing_message(missing: dict[str, str]) -> str:
    """One sentence naming the missing libraries, their packages and how to install them."""
    libs = ", ".join(f"{lib} (package {package})" for package, lib in missing.items())
    packages = " ".join(missing)
    return f"Qt needs {libs}: install with `sudo apt-get install {packages}` and start again."


def uses_xcb(environ: dict[str, str] | os._Environ = os.environ) -> bool:
    """Whether Qt will load its xcb (X11) plugin: on Linux, an X display, no other platform."""
    platform = environ.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.startswith("xcb")
    return bool(environ.get("DISPLAY")) and not environ.get("WAYLAND_DISPLAY")


def startup_problem() -> str:
    """The sentence to print instead of Qt's abort when an xcb library is missing, or ""."""
    if not sys.platform.startswith("linux") or not uses_xcb():
        return ""
    available = installed_libraries()
    if available is None:
        return ""
    missing = missing_packages(available)
    return missing_message(missing) if missing else ""


def main(argv: list[str]) -> int:
    """``make sysdeps``: report what is missing; as root with --install, install it."""
    if not sys.platform.startswith("linux"):
        return 0
    available = installed_libraries()
    if available is None:
        print("Could not run ldconfig to check Qt's system libraries; skipping the check.")
        return 0
    missing = missing_packages(available)
    if not missing:
        return 0
    if "--install" in argv and os.geteuid() == 0 and shutil.which("apt-get"):
        print("Installing what Qt needs:", " ".join(missing))
        subprocess.run(["apt-get", "update", "-q"], check=False)
        done = subprocess.run(["apt-get", "install", "-y", "-q", *missing], check=False)
        if done.returncode == 0:
            return 0
    print(missing_message(missing))
    return 0  # the tests run offscreen without them; `make run` says it again at start


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
