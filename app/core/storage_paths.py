"""Where the app keeps its data and recovery files, and how it writes them.

The data folder comes from platformdirs and can be redirected by ``SAFEGUARD_DATA_DIR``
(models by ``SAFEGUARD_MODELS_DIR``, settings by ``SAFEGUARD_CONFIG_DIR``, the cache of
saved prompt prefixes by ``SAFEGUARD_CACHE_DIR``), so tests never
touch the user's real folders. The data, config and cache folders are the user's alone
(0700): policies, test cases and runs are nobody else's business on a shared machine; a
folder named by one of those variables is created 0700 but an existing one keeps its mode
(it may be a team's shared folder). :func:`create_private_file` makes the results
database 0600 before SQLite opens it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import platformdirs

APP_NAME = "SafeguardStudio"
APP_AUTHOR = "SafeguardStudio"
APP_DISPLAY_NAME = "Safeguard Studio"  # window titles, About, desktop entry, installers


PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def _dir(env: str, default: str) -> Path:
    """The folder ``$env`` names, else ``default``; created owner-only. The default folder
    is made owner-only even when an older version created it readable by everyone."""
    chosen = os.environ.get(env)
    path = Path(chosen or default)
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
        with contextlib.suppress(OSError):
            os.chmod(path, PRIVATE_DIR)  # mkdir's mode passes through the umask
    elif not chosen and os.name == "posix":
        with contextlib.suppress(OSError):
            if path.stat().st_mode & 0o077:
                os.chmod(path, PRIVATE_DIR)
    return path


def create_private_file(path: Path | str) -> None:
    """Create ``path`` empty and owner-only (0600) unless it exists (then it is left as
    it is); SQLite gives its -wal and -shm files the database's mode."""
    with contextlib.suppress(FileExistsError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        os.close(fd)


def data_dir_location() -> Path:
    """Where the data folder is, without creating it (for messages about it)."""
    env = os.environ.get("SAFEGUARD_DATA_DIR")
    return Path(env or platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def data_dir() -> Path:
    return _dir("SAFEGUARD_DATA_DIR", str(data_dir_location()))


def config_dir() -> Path:
    """Settings: the window's settings and the backend both the window and the CLI use."""
    return _dir("SAFEGUARD_CONFIG_DIR", platformdirs.user_config_dir(APP_NAME, APP_AUTHOR))


def cache_dir() -> Path:
    """Files the app can recompute (saved policy prefixes): safe to delete."""
    return _dir("SAFEGUARD_CACHE_DIR", platformdirs.user_cache_dir(APP_NAME, APP_AUTHOR))


def recovery_dir() -> Path:
    path = data_dir() / "recovery"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _current_umask() -> int:
    """The process umask, read without changing it where Linux tells it (/proc)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere reading it means setting it; put it straight back
    os.umask(mask)
    return mask


def _match_target(fd: int, path: Path) -> None:
    """Give the temporary file the mode (and owner, where permitted) the target will need:
    an existing file keeps its own, a new one gets what the user's umask allows.
    ``mkstemp`` creates owner-only files, which would break shared team folders."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        os.fchmod(fd, 0o666 & ~_current_umask())
        return
    os.fchmod(fd, info.st_mode & 0o7777)
    if hasattr(os, "fchown") and (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
        with contextlib.suppress(PermissionError):  # only root may give a file away
            os.fchown(fd, info.st_uid, info.st_gid)


def atomic_write_bytes(path: Path | str, data: bytes) -> None:
    """Write data to path so that readers see the old or the new file, never half of one.
    The file keeps its mode and owner; a new file is created as ``open()`` would."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if os.name == "posix":
            _match_target(fd, path)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path | str, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))
