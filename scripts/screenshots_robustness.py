"""Screenshots of the Robustness view after a run, in a real X window without a window
manager, at 1280×800 and 1024×700: ``docs/screenshots/robustness-<W>x<H>.png``.

    python -m scripts.screenshots_robustness [--out DIR] [--sizes 1280x800,1024x700]

The scripted fake engine answers by keyword (the violating words of
``tests/support/fake_engine.py``), so the plain control holds and leetspeak and zero-width
variants hide the keywords and evade. The view is opened with View ▸ Robustness (Ctrl+3),
four families are ticked and run, the leet_heavy × rule cell with the most flips is clicked
and its first flipped case shown side by side. Settings and data go to a temporary folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from scripts.xscreen import shoot, sized_main

FAMILIES = ("plain", "leet_heavy", "zero_width", "spaced")


def _inner(size: str, out: Path) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="robustness-shots-"))
    for name in ("CONFIG", "DATA", "CACHE", "LOG"):
        os.environ[f"SAFEGUARD_{name}_DIR"] = str(tmp / name.lower())
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    from app.gui.app import create_main_window, ensure_application
    from app.gui.shared.settings_store import open_settings
    from app.gui.shared.theme import apply_theme
    from scripts.devtools import pump, wait_until
    from tests.support.fake_engine import FakeEngineFactory, FakeScript, configure_model
    from tests.support.gui_window import write_policy

    app = ensure_application()
    apply_theme(app, "light")
    settings = open_settings()
    model = tmp / "fake-safeguard.gguf"
    model.write_bytes(b"GGUF" + bytes(60))
    configure_model(settings, model)
    policy = write_policy(tmp)
    window = create_main_window(
        FakeEngineFactory(FakeScript(delay=0.0)), settings=settings, policy_path=policy
    )
    window.setGeometry(app.primaryScreen().availableGeometry())  # no window manager: fill it
    window.show()
    window.activateWindow()
    wait_until(window.isActiveWindow, 5)
    wait_until(lambda: bool(window.case_panel.cases()), 10)
    QTest.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)  # View ▸ Robustness
    view = window.robustness_view
    if not view.page.isVisible():
        print("Ctrl+3 did not bring the Robustness tab to the front.")
        return 1
    for row in range(view.family_list.count()):
        item = view.family_list.item(row)
        wanted = item.data(Qt.ItemDataRole.UserRole) in FAMILIES
        item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)
    view.variants.setValue(1)
    QTest.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    wait_until(lambda: view.report is not None and not view.runner.is_running(), 60)
    if view.report is None or not view.report.families:
        print(f"The robustness run gave no report: {view.status.text()}")
        return 1
    # the right-hand side gets the room: the grid and the flipped cases are the subject
    width = window.width()
    window.main_splitter.setSizes([width * 3 // 10, width * 7 // 10])
    window.right_splitter.setSizes([120, window.height()])
    inner = view.family_list.parentWidget()  # the view's splitter: families, grid, flipped
    inner.setSizes([70, 140, 300])
    grid = view.grid
    leet = next(r for r in range(grid.rowCount()) if grid.family(r) == "leet_heavy")
    rules = range(6, grid.columnCount())
    column = max(rules, key=lambda c: len(view.report.flipped("leet_heavy", grid.rule(c))))
    index = grid.index(leet, column)
    view.grid_view.scrollTo(index)
    pump(0.2)
    rect = view.grid_view.visualRect(index)
    QTest.mouseClick(view.grid_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    if not view.flipped.count():
        print("Clicking the leet_heavy cell showed no flipped case.")
        return 1
    view.flipped.setCurrentRow(0)
    pump(0.2)
    area = view.page  # the view scrolls inside its tab: scroll so the grid is at the top
    area.verticalScrollBar().setValue(view.grid_view.mapTo(view, QPoint(0, 0)).y() - 4)
    print(shoot(out / f"robustness-{size}.png"))
    window.policy_panel.set_modified(False)
    window.case_panel.set_modified(False)
    window.close()
    window.shutdown()
    pump(0.1)
    return 0


def main(argv: list[str] | None = None) -> int:
    return sized_main("scripts.screenshots_robustness", argv, _inner, "1280x800,1024x700", 70)


if __name__ == "__main__":
    sys.exit(main())
