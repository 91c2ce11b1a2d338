"""Walk through the workbench as a new user, in a real X window, and save screenshots.

    python -m scripts.walkthrough [--out DIR] [--sizes 1024x700,1280x800]

(``make walkthrough``.) For each screen size it starts a window-manager-free X server
(``Xvfb``, :mod:`scripts.xscreen`), runs the real app there on Qt's xcb platform (so the
xcb libraries, fonts and screen geometry are the real ones) and drives the journeys with
key and mouse events on the real window (``QTest``): the start page of the empty window; a
starter policy opened from it; Tab and Shift+Tab around the whole window, which must change
no data (:func:`scripts.walkthrough_journeys.tab_tour`); Tab out of the case table and
Ctrl+Return on the highlighted case; Run all; a confusion cell clicked, giving the filter
chip; a case deleted and the Edit menu open on "Undo Delete case"; History on open; the
Settings, Models and import dialogs; then a second window running against a loopback
server that never answers (the waiting state, then the stop after three silent cases).
The window's frame, and each dialog's, must stay within the screen at every step, with
no button or one-line label cut (:func:`scripts.walkthrough_journeys.check_window`). Each
step is a screenshot of the whole X screen, ``<step>-<W>x<H>.png`` in ``--out`` (default
``docs/screenshots``); the script exits 1 with one sentence when a check fails. The
scripted fake engine stands in for the model (the real weights cannot be downloaded here)
and every setting and data file goes to a temporary folder. Needs ``xvfb`` and
``imagemagick`` (``apt-get install xvfb xdotool imagemagick``).
"""

from __future__ import annotations

import csv
import os
import sys
import tempfile
from pathlib import Path

from scripts.xscreen import shoot, sized_main


def _dialogs(window, shot) -> None:
    """Settings (modal: checked from a timer), Models and the import dialog fit."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from scripts.devtools import pump, wait_until
    from scripts.walkthrough_journeys import WalkthroughError, check_window

    problems: list[Exception] = []

    def inspect_settings() -> None:
        dialog = QApplication.activeModalWidget()
        try:
            if dialog is None:
                raise WalkthroughError("File ▸ Settings opened no dialog.")
            check_window(dialog, "Settings")
            shot("dialog-settings")
        except Exception as exc:  # reported after exec() returns
            problems.append(exc)
        if dialog is not None:
            dialog.reject()

    QTimer.singleShot(600, inspect_settings)
    window.window_actions.settings_action.trigger()  # exec(): returns when rejected
    if problems:
        raise problems[0]
    check_window(window, "after Settings")
    models = window.open_models_dialog()
    wait_until(models.isVisible, 3)
    check_window(models, "Models")
    shot("dialog-models")
    models.close()
    sample = Path(os.environ["SAFEGUARD_DATA_DIR"]) / "walkthrough-import.csv"
    with sample.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["content", "label"])
        writer.writerows([c.content, c.expected] for c in window.case_panel.cases()[:10])
    window.window_actions.import_action.trigger()
    imports = window.case_files.import_dialog
    wait_until(imports.isVisible, 3)
    imports.open_path(sample)  # as Choose… does: the preview and the guessed columns
    wait_until(lambda: imports.import_button.isEnabled(), 10)
    check_window(imports, "Import")
    shot("dialog-import")
    imports.reject()
    pump(0.1)
    check_window(window, "after the dialogs")


def _inner(size: str, out: Path) -> int:
    """The journeys, in this process, on the X server DISPLAY names."""
    tmp = Path(tempfile.mkdtemp(prefix="walkthrough-"))
    for name in ("CONFIG", "DATA", "CACHE", "LOG"):
        os.environ[f"SAFEGUARD_{name}_DIR"] = str(tmp / name.lower())
    from scripts.walkthrough_journeys import WalkthroughError

    try:
        return _journeys(size, out, tmp)
    except WalkthroughError as exc:
        print(f"Walkthrough at {size} failed: {exc}")
        return 1


def _journeys(size: str, out: Path, tmp: Path) -> int:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.gui.app import create_main_window, ensure_application
    from app.gui.shared.settings_store import open_settings
    from app.gui.shared.theme import apply_theme
    from app.gui.window_actions import MenuKey
    from scripts.devtools import pump, wait_until
    from scripts.walkthrough_journeys import check_window, hanging_server, tab_tour
    from tests.support.fake_engine import FakeEngineFactory, FakeScript
    from tests.support.gui_window import write_policy

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
        shots.append(shoot(out / f"{step}-{size}.png"))

    def key(widget, code, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
        QTest.keyClick(widget, code, modifiers)
        if modifiers != Qt.KeyboardModifier.NoModifier:
            QTest.keyRelease(QApplication.focusWidget() or widget, Qt.Key.Key_Control)
        pump(0.05)

    check_window(window, "the start page")
    shot("start-page")
    page = window.start_page
    QTest.mouseClick(page.template_buttons[0], Qt.MouseButton.LeftButton)
    wait_until(lambda: bool(window.case_panel.cases()), 5)
    settings.setValue("engine/model_path", str(model))
    window._apply_engine_settings()
    check_window(window, "a starter policy opened")
    shot("window")

    table = window.case_panel.table
    rect = table.visualRect(table.model().index(2, 0))
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    key(table, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    key(table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_until(lambda: not window.controller.is_busy(), 30)
    shot("run-case")
    tab_tour(window, shot)

    window.window_actions.run_all_action.trigger()
    wait_until(window.controller.is_busy, 5)
    check_window(window, "Run all under way")
    wait_until(lambda: not window.controller.is_busy(), 60)
    check_window(window, "Run all finished")
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
    check_window(window, "the filter chip shown")
    shot("filter-chip")
    window.case_panel.clear_case_filter()

    table.setFocus()
    window.case_panel.delete_selected()
    edit_menu = window.window_actions.menus[MenuKey.EDIT]
    window.menuBar().setActiveAction(edit_menu.menuAction())
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
    check_window(dialog, "History")
    shot("history-on-open")
    dialog.close()
    _dialogs(window, shot)

    window.policy_panel.set_modified(False)
    window.case_panel.set_modified(False)
    window.close()
    window.shutdown()
    pump(0.1)
    (tmp / "server").mkdir()
    hanging_server(write_policy(tmp / "server"), shot)
    print("\n".join(str(path) for path in shots))
    return 0


def main(argv: list[str] | None = None) -> int:
    return sized_main("scripts.walkthrough", argv, _inner, "1024x700,1280x800")


if __name__ == "__main__":
    sys.exit(main())
