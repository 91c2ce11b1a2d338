"""Start the workbench: the QApplication, the theme, the main window, an optional policy file.

``run_gui`` is what ``safeguard-studio`` with no subcommand calls. ``create_main_window``
builds a window with a given engine factory and settings (tests, screenshots, benchmarks);
it is the place where the end-to-end test passes the real ``LocalEngine``. Once the window is
shown, a first run without a model (local backend, no model file) puts the keyboard focus on
the start page's "Get the model…" button (no dialog opens by itself over the start page), and ``SAFEGUARD_QUIT_WHEN_SHOWN=1`` makes the app print one line and close the window (the
packaging smoke test and ``benchmarks/frozen_start`` start the real executable with it).
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

from app import __version__
from app.core.resources import resource_path
from app.core.storage_paths import APP_AUTHOR, APP_DISPLAY_NAME, APP_NAME
from app.gui.main_window import MainWindow
from app.gui.policy.templates import newer_recovery
from app.gui.shared import options
from app.gui.shared.settings_store import open_settings
from app.gui.shared.system_libs import startup_problem
from app.gui.shared.theme import apply_theme
from app.runs.pipeline.service import EngineFactory


def _parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="safeguard-studio", add_help=True)
    parser.add_argument("policy", nargs="?", help="policy file (Markdown) to open")
    parser.add_argument("--theme", choices=("system", "light", "dark"), help="colour theme")
    args, _qt_args = parser.parse_known_args(list(argv))
    return args


@functools.cache  # once per process: a later freeze would pin what exists then for good
def tune_garbage_collector() -> None:
    """Fewer cycle collections, over fewer objects.

    A full (generation 2) collection scans every live object while holding the GIL, so with
    10,000 cases and their results loaded it froze the GUI thread for 70-150 ms in the
    middle of a cached rerun. Almost everything the app frees goes by reference counting;
    the cycle collector only needs to run now and then. Objects alive at start-up (modules,
    Qt wrappers) are frozen out of every later scan.
    """
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def ensure_application(argv: Sequence[str] = ()) -> QApplication:
    """The running QApplication, created (with names for QSettings) when there is none."""
    tune_garbage_collector()
    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        app = QApplication([sys.argv[0] if sys.argv else APP_NAME, *argv])
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setOrganizationName(APP_AUTHOR)
    QCoreApplication.setApplicationVersion(__version__)
    QGuiApplication.setApplicationDisplayName(APP_DISPLAY_NAME)
    QGuiApplication.setDesktopFileName("safeguard-studio")  # matches the .desktop entry
    app.setWindowIcon(QIcon(str(resource_path("icon.svg"))))
    return app  # type: ignore[return-value]


def create_main_window(
    engine_factory: EngineFactory | None = None,
    settings: QSettings | None = None,
    policy_path: Path | str | None = None,
    restore_session: bool = False,
) -> MainWindow:
    """Build the main window (not shown).

    ``engine_factory`` defaults to the local llama.cpp engine, imported only on the first
    run. With ``policy_path`` the file is opened (recovery offered); otherwise, with
    ``restore_session``, the most recent file is reopened, and an untitled recovery file
    is offered back.
    """
    window = MainWindow(settings or open_settings(), engine_factory)
    document = window.document
    if policy_path:
        document.open(Path(policy_path), ask_save=False)
    elif restore_session and document.recent():
        document.open(Path(document.recent()[0]), ask_save=False)
    elif newer_recovery(None) is not None:
        document.offer_recovery()
    window.update_start_page()
    return window


BACKUP_DELAY_MS = 3000  # the daily database copy waits until the window has settled
QUIT_WHEN_SHOWN_ENV = "SAFEGUARD_QUIT_WHEN_SHOWN"  # see the module docstring
SHOWN_LINE = "safeguard-studio: window shown"


def needs_model(settings: QSettings) -> bool:
    """True when the local backend is chosen and no model file is set."""
    local = options.get(settings, options.BACKEND) == "local"
    return local and not options.get(settings, options.MODEL_PATH)


def after_shown(window, settings: QSettings) -> None:
    """Call right after ``window.show()``; acts once the event loop runs."""
    if needs_model(settings) and window.start_page.isVisible():
        button = window.start_page.models_button
        button.setDefault(True)  # Enter gets the model
        QTimer.singleShot(0, button.setFocus)
    QTimer.singleShot(BACKUP_DELAY_MS, window.evaluation.backup_store)  # once started
    if os.environ.get(QUIT_WHEN_SHOWN_ENV):
        QTimer.singleShot(0, lambda: _report_and_close(window))


def _report_and_close(window) -> None:
    dialog = getattr(window, "models_dialog", None)
    models = "open" if dialog is not None and dialog.isVisible() else "closed"
    print(f"{SHOWN_LINE} (visible={window.isVisible()}, models dialog {models})", flush=True)
    window.close()


def run_gui(argv: Sequence[str] | None = None) -> int:
    """Run the workbench until its window closes; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parse_args(argv)
    problem = startup_problem()
    if problem:  # Qt would abort naming its plugin; name the package instead
        print(problem, file=sys.stderr)
        return 1
    app = ensure_application()
    settings = open_settings()
    theme = args.theme or options.get(settings, options.THEME)
    apply_theme(app, theme)
    window = create_main_window(settings=settings, policy_path=args.policy, restore_session=True)
    window.show()
    after_shown(window, settings)
    try:
        return app.exec()
    finally:
        window.shutdown()
