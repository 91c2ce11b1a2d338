"""Where the files the app ships live: ``resources/`` and the starter ``policies/``.

One helper for every such path, so that the app finds them both from a checkout (the
folder above the ``app`` package) and from a frozen bundle (PyInstaller unpacks data files
beside the executable and names that folder in ``sys._MEIPASS``).
"""

from __future__ import annotations

import sys
from pathlib import Path


def app_root() -> Path:
    """The folder that holds ``resources/`` and ``policies/``."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parents[2]


def resource_path(*parts: str) -> Path:
    """A file or folder under ``resources/``."""
    return app_root().joinpath("resources", *parts)


def policies_dir() -> Path:
    """The starter policies shipped with the app."""
    return app_root() / "policies"


def is_frozen() -> bool:
    """True when running from a frozen (PyInstaller) bundle."""
    return bool(getattr(sys, "frozen", False))
