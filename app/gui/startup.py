"""What happens once the window is on screen: the first-run Models dialog, the start probe.

* A first run without a model (local backend, no model file chosen) opens the Models
  dialog, so a new user lands where they pick or download one.
* ``SAFEGUARD_QUIT_WHEN_SHOWN=1`` makes the app print one line when its window is shown and
  then close it. The packaging smoke test and the start-up benchmark use it to start the
  real executable (checkout or frozen bundle), see the window come up, and end cleanly.
"""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QSettings, QTimer

from app.gui.shared.backend_values import load_backend_values

QUIT_WHEN_SHOWN_ENV = "SAFEGUARD_QUIT_WHEN_SHOWN"
SHOWN_LINE = "safeguard-studio: window shown"


def needs_model(settings: QSettings) -> bool:
    """True when the local backend is chosen and no model file is set."""
    values = load_backend_values(settings)
    return values["backend"] == "local" and not values["model_path"]


def after_shown(window, settings: QSettings) -> None:
    """Call right after ``window.show()``; acts once the event loop runs."""
    if needs_model(settings):
        QTimer.singleShot(0, window.open_models_dialog)
    if os.environ.get(QUIT_WHEN_SHOWN_ENV):
        QTimer.singleShot(0, lambda: _report_and_close(window))


def _report_and_close(window) -> None:
    dialog = getattr(window, "models_dialog", None)
    models = "open" if dialog is not None and dialog.isVisible() else "closed"
    print(f"{SHOWN_LINE} (visible={window.isVisible()}, models dialog {models})", flush=True)
    sys.stdout.flush()
    window.close()
