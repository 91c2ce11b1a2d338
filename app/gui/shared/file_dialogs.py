"""File dialogs that start where the user works, never in the folder the app was started in.

Every open/save dialog of one *kind* of file (``options.FILE_KINDS``: ``policy``,
``test_set``, ``report``, ``model``) starts in :func:`start_folder`: the folder that kind of
dialog used last (remembered through the settings registry,
``options.LAST_FOLDERS[kind]``), else the open policy's folder, else the user's Documents
folder, else the home folder. The process's working folder (where ``make run`` ran) is never
used: an empty start folder would give it. After a dialog returns a file, its folder is
remembered for the next dialog of that kind.

    path = open_file(parent, "Import test cases", "test_set", FILTER, policy_path=p)
    path = save_file(parent, "Export test set", "test_set", "spam.csv", FILTER,
                     policy_path=p, suffix=".csv")
    path, chosen_filter = save_file_and_filter(parent, "Export run report", "report",
                                               "run-7.html", "HTML (*.html);;Markdown (*.md)")

They return the chosen :class:`~pathlib.Path`, or None when the dialog was cancelled.
``settings`` defaults to the app's settings file (:func:`open_settings`); QSettings objects on
one file share their values within the process, so the window's own object sees the change.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

from app.gui.shared import options
from app.gui.shared.settings_store import open_settings


def _folder_option(kind: str) -> options.Option:
    if kind not in options.LAST_FOLDERS:
        known = ", ".join(options.FILE_KINDS)
        raise ValueError(f"Unknown kind of file dialog '{kind}' (known: {known}).")
    return options.LAST_FOLDERS[kind]


def documents_folder() -> Path:
    """The user's Documents folder when it exists, else the home folder."""
    location = QStandardPaths.StandardLocation.DocumentsLocation
    documents = QStandardPaths.writableLocation(location)
    if documents and Path(documents).is_absolute() and Path(documents).is_dir():
        return Path(documents)
    return Path.home()


def start_folder(
    kind: str, policy_path: str | Path | None = None, settings: QSettings | None = None
) -> Path:
    """Where a dialog for ``kind`` starts (see the module notes); always an absolute folder."""
    settings = settings or open_settings()
    last = options.get(settings, _folder_option(kind))
    if last and Path(last).is_absolute() and Path(last).is_dir():
        return Path(last)
    if policy_path and str(policy_path).strip():
        folder = Path(policy_path).expanduser().resolve().parent
        if folder.is_dir():
            return folder
    return documents_folder()


def remember_folder(kind: str, path: str | Path, settings: QSettings | None = None) -> None:
    """Remember the folder of ``path`` (a file, or a folder itself) for ``kind``."""
    settings = settings or open_settings()
    chosen = Path(path).expanduser().resolve()
    folder = chosen if chosen.is_dir() else chosen.parent
    options.put(settings, _folder_option(kind), str(folder))
    settings.sync()


def open_file(
    parent: QWidget | None,
    title: str,
    kind: str,
    file_filter: str,
    *,
    policy_path: str | Path | None = None,
    selected: str | Path | None = None,
    settings: QSettings | None = None,
) -> Path | None:
    """Ask for a file to open; ``selected`` (an existing file) is preselected instead of the
    start folder. The chosen file's folder is remembered."""
    start = start_folder(kind, policy_path, settings)
    if selected and Path(selected).is_file():
        start = Path(selected).resolve()
    path, _ = QFileDialog.getOpenFileName(parent, title, str(start), file_filter)
    if not path:
        return None
    remember_folder(kind, path, settings)
    return Path(path)


def save_file_and_filter(
    parent: QWidget | None,
    title: str,
    kind: str,
    file_name: str,
    file_filter: str,
    *,
    policy_path: str | Path | None = None,
    suffix: str = "",
    settings: QSettings | None = None,
) -> tuple[Path | None, str]:
    """Ask where to save ``file_name`` (a name, proposed in the start folder): the chosen
    path (``suffix`` added when its name has none; None when cancelled) and the filter the
    user selected (to pick a format). The chosen file's folder is remembered."""
    start = start_folder(kind, policy_path, settings) / Path(file_name).name
    path, selected = QFileDialog.getSaveFileName(parent, title, str(start), file_filter)
    if not path:
        return None, selected
    remember_folder(kind, path, settings)
    chosen = Path(path)
    if suffix and not chosen.suffix:
        chosen = chosen.with_name(chosen.name + suffix)
    return chosen, selected


def save_file(
    parent: QWidget | None,
    title: str,
    kind: str,
    file_name: str,
    file_filter: str,
    *,
    policy_path: str | Path | None = None,
    suffix: str = "",
    settings: QSettings | None = None,
) -> Path | None:
    """:func:`save_file_and_filter` for callers that need the path only."""
    path, _selected = save_file_and_filter(
        parent, title, kind, file_name, file_filter,
        policy_path=policy_path, suffix=suffix, settings=settings,
    )  # fmt: skip
    return path
