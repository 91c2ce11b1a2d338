"""Models shows one memory figure per model, the estimate of app.library.memory (issue
21.10): the details said "needs about 15 GB" (the catalog's note) beside "12.8 GB" in the
Memory column. Clicking each catalog model (the real resources/models.json) shows the same
figure in the column, its tooltip and the details, and the notes state none of their own."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re  # noqa: E402
from pathlib import Path  # noqa: E402

from PySide6.QtCore import Qt  # noqa: E402

from app.gui.models.dialog import ModelsDialog  # noqa: E402
from app.gui.models.table import Column  # noqa: E402
from app.library import catalog  # noqa: E402
from app.library.memory import estimate_memory  # noqa: E402
from app.library.modelfile import format_bytes  # noqa: E402
from tests.gui.models.test_gui_models import TIMEOUT, controller, env  # noqa: E402, F401

REAL_CATALOG = Path(__file__).parents[3] / "resources" / "models.json"
FIGURE = re.compile(r"\d+(?:\.\d+)? [kMGT]?B\b")


def test_every_model_shows_the_one_estimated_figure(qtbot, controller, monkeypatch):  # noqa: F811
    monkeypatch.setattr(catalog, "CATALOG_PATH", REAL_CATALOG)
    with qtbot.waitSignal(controller.modelsListed, timeout=TIMEOUT):
        dlg = ModelsDialog(controller, n_ctx=8192)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    entries = [i for i in dlg.model.items() if i.entry is not None and i.entry.model_shape()]
    assert len(entries) >= 4
    for item in entries:
        row = dlg.model.row_of(item.name)
        rect = dlg.table.visualRect(dlg.model.index(row, Column.NAME))
        qtbot.mouseClick(dlg.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert dlg.selected_item().name == item.name
        need = format_bytes(estimate_memory(item.entry.model_shape(), 8192).total)
        column = dlg.model.index(row, Column.MEMORY)
        assert need in column.data()
        assert column.data(Qt.ItemDataRole.ToolTipRole).startswith(f"Estimated need: {need} at")
        details = dlg.detail_label.text()
        assert f"Estimated need: {need} at 8,192 tokens" in details
        notes = item.entry.notes
        assert "memory" not in notes.lower() or not FIGURE.search(notes), notes
        assert "needs about" not in details.replace(f"needs about {need}", ""), details
