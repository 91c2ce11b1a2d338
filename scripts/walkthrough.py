"""Walk through the workbench as a new user, in a real X window, and save screenshots.

    python -m scripts.walkthrough [--out DIR] [--sizes 1024x700,1280x800]

(``make walkthrough``.) For each screen size it starts a window-manager-free X server
(``Xvfb``), runs the real app there on Qt's xcb platform (so the xcb libraries, fonts and
screen geometry are the real ones) and drives the journeys with key and mouse events on
the real window (``QTest``): the start page of the empty window; a starter policy opened
from it; Tab out of the case table and Ctrl+Return on the highlighted case; Run all; a
confusion cell clicked, giving the filter chip; a case deleted and the Edit menu open on
"Undo Delete case"; History on open. Each step is a screenshot of the whole X screen
(``import -window root``), ``<step>-<W>x<H>.png`` in ``--out`` (default
``docs/screenshots``). The scripted fake engine stands in for the model (the real weights
cannot be downloaded here) and every setting and data file goes to a temporary folder.
Needs ``xvfb`` and ``imagemagick`` (``apt-get install xvfb xdotool imagemagick``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _outer(out: Path, sizes: list[str]) -> int:
    """Start one Xvfb per size and run the journeys inside it."""
    for tool in ("Xvfb", "import"):
        if shutil.which(tool) is None:
            print(f"{tool} is missing: apt-get install xvfb imagemagick, then run again.")
            return 1
    for number, size in enumerate(sizes):
        display = f":{90 + number}"
        server = subprocess.Popen(
            ["Xvfb", display, "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            time.sleep(1.0)
            env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb")
            command = [sys.executable, "-m", "scripts.walkthrough", "--inner", size]
            done = subprocess.run([*command, "--out", str(out)], env=env, cwd=ROOT, check=False)
            if done.returncode:
                return done.returncode
        finally:
            server.terminate()
            server.wait(10)
    return 0


def _inner(size: str, out: Path) -> int:
    """The journeys, in this process, on the X server DISPLAY names."""
    tmp = Path(tempfile.mkdtemp(prefix="walkthrough-"))
    for name in ("CONFIG", "DATA", "CACHE", "LOG"):
        os.environ[f"SAFEGUARD_{name}_DIR"] = str(tmp / name.lower())
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.gui.app import create_main_window, ensure_application
    from app.gui.shared.settings_store import open_settings
    from app.gui.shared.theme import apply_theme
    from scripts.devtools import pump, wait_until
    from tests.support.fake_engine import FakeEngineFactory, FakeScript

    app = ensure_application()
    apply_theme(app, "light")
    model = tmp / "fake-safeguard.gguf"
    model.write_bytes(b"GGUF" + bytes(60))
    settings = open_settings()
    factory = FakeEngineFactory(FakeScript(delay=0.002))
    window = create_main_window(factory, settings=settings)
    window.show()
    window.activateWindow()
    wait_until(window.isActiveWindow, 5)
    shots: list[Path] = []

    def shot(step: str) -> None:
        pump(0.4)
        path = out / f"{step}-{size}.png"
        subprocess.run(["import", "-window", "root", str(path)], check=True)
        shots.append(path)

    def key(widget, code, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
        QTest.keyClick(widget, code, modifiers)
        if modifiers != Qt.KeyboardModifier.NoModifier:
            QTest.keyRelease(QApplication.focusWidget() or widget, Qt.Key.Key_Control)
        pump(0.05)

    shot("start-page")
    page = window.start_page
    QTest.mouseClick(page.template_buttons[0], Qt.MouseButton.LeftButton)
    wait_until(lambda: bool(window.case_panel.cases()), 5)
    settings.setValue("engine/model_path", str(model))
    window._apply_engine_settings()
    shot("window")

    table = window.case_panel.table
    rect = table.visualRect(table.model().index(2, 0))
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    key(table, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    key(table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_until(lambda: not window.controller.is_busy(), 30)
    shot("run-case")

    window.window_actions.run_all_action.trigger()
    wait_until(lambda: not window.controller.is_busy(), 60)
    window.right_tabs.setCurrentIndex(1)
    wait_until(lambda: window.metrics_panel.metrics() is not None, 10)
    view = window.metrics_panel.confusion_view
    matrix = view.confusion_model.matrix()
    cell = next(
        (r, c)
        for r in range(len(matrix.rows))
        for c in range(len(matrix.columns))
        if matrix.rows[r] != matrix.columns[c] and view.case_ids_at(r, c)
    )
    index = view.model().index(*cell)
    QTest.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center()
    )
    shot("filter-chip")
    window.case_panel.clear_case_filter()

    table.setFocus()
    window.case_panel.delete_selected()
    edit_menu = window.menuBar().actions()[1].menu()
    window.menuBar().setActiveAction(window.menuBar().actions()[1])
    wait_until(edit_menu.isVisible, 3)
    shot("undo-menu")
    edit_menu.close()
    key(table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)

    editor = window.policy_panel.editor  # an edit since the last run: History shows it
    editor.setFocus()
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    key(editor, Qt.Key.Key_Return)
    QTest.keyClicks(editor, "SX5 Sexual deepfakes of a real person, shared or offered.")
    dialog = window.evaluation_actions.show_history()
    wait_until(lambda: not dialog.loading, 10)
    shot("history-on-open")
    dialog.close()

    window.policy_panel.set_modified(False)
    window.case_panel.set_modified(False)
    window.close()
    window.shutdown()
    pump(0.1)
    print("\n".join(str(path) for path in shots))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.walkthrough")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--sizes", default="1024x700,1280x800")
    parser.add_argument("--inner", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.inner:
        return _inner(args.inner, out)
    return _outer(out, args.sizes.split(","))


if __name__ == "__main__":
    sys.exit(main())
