"""Render Help ▸ About and the policy writing guide to ``docs/screenshots/`` (offscreen).

    python -m scripts.screenshots_help

About shows the facts of the machine that renders it (the venv's llama.cpp build, Python,
Qt); the folders point into a temporary home so no real user path appears.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"


def main() -> int:
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="safeguard-help-") as tmp:
        home = Path(tmp) / "home" / "analyst"
        os.environ["SAFEGUARD_DATA_DIR"] = str(home / ".local/share/SafeguardStudio")
        os.environ["SAFEGUARD_MODELS_DIR"] = str(home / ".local/share/SafeguardStudio/models")
        from app.gui.app import ensure_application
        from app.gui.help.about import AboutDialog
        from app.gui.help.facts import gather_facts
        from app.gui.help.guide import GuideViewer
        from app.gui.shared.theme import apply_theme

        app = ensure_application()
        apply_theme(app, "light")
        about = AboutDialog()
        about.set_facts(gather_facts())
        about.show()
        guide = GuideViewer()
        guide.resize(860, 640)
        guide.show()
        app.processEvents()
        OUT.mkdir(parents=True, exist_ok=True)
        for widget, name in ((about, "help-about.png"), (guide, "help-guide.png")):
            widget.grab().save(str(OUT / name))
            print(OUT / name)
        about.close()
        guide.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
