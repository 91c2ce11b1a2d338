"""Results of another model than the one now chosen are marked in the case table and
counted in one sentence (issue 21.6): after Run all on one model file and a switch to
another, every row said "does not violate" as if the new model had answered it."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402

from app.gui.cases.model import Column  # noqa: E402
from tests.support.fake_engine import FakeEngineFactory, FakeScript  # noqa: E402
from tests.support.gui_window import chord, open_workbench, shut  # noqa: E402

CTRL = Qt.KeyboardModifier.ControlModifier


def _statuses(window) -> list[str]:
    model = window.case_panel.model
    return [str(model.index(row, Column.STATUS).data()) for row in range(model.rowCount())]


def _choose_model(window, path) -> list[str]:
    said: list[str] = []
    window.runner.message.connect(said.append)
    window.settings.setValue("engine/model_path", str(path))
    window._apply_engine_settings()  # what Settings ▸ OK and Models ▸ Use do
    window.runner.message.disconnect(said.append)
    return said


def test_results_of_another_model_are_marked_and_counted(qtbot, tmp_path, monkeypatch) -> None:
    window = open_workbench(qtbot, tmp_path, monkeypatch, FakeEngineFactory(FakeScript()))
    try:
        first = window.settings.value("engine/model_path")
        table = window.case_panel.table
        table.setFocus()
        with qtbot.waitSignal(window.runner.runEnded, timeout=15000):
            chord(qtbot, table, Qt.Key.Key_Return, CTRL | Qt.KeyboardModifier.ShiftModifier)
        count = window.case_panel.model.rowCount()
        assert count >= 3 and not any("other model" in s for s in _statuses(window))

        other = tmp_path / "other-safeguard.gguf"
        other.write_bytes(b"GGUF" + bytes(60))
        said = _choose_model(window, other)
        assert all(s.endswith("(other model)") for s in _statuses(window)), _statuses(window)
        assert said == [
            f"{count} results in the table came from another model than other-safeguard.gguf; "
            "Status says 'other model' until they run again."
        ]
        model = window.case_panel.model
        tip = model.index(0, Column.PREDICTED).data(Qt.ItemDataRole.ToolTipRole)
        assert tip == (
            "Answered by fake-safeguard.gguf, not the model now chosen (other-safeguard.gguf); "
            "run it again to compare."
        )

        window.case_panel.select_case(model.cases()[0].id)
        table.setFocus()
        ended: list[str] = []
        window.runner.message.connect(ended.append)
        with qtbot.waitSignal(window.runner.runEnded, timeout=15000):
            chord(qtbot, table, Qt.Key.Key_Return, CTRL)  # Run case on the new model
        statuses = _statuses(window)
        assert "other model" not in statuses[0]
        assert all(s.endswith("(other model)") for s in statuses[1:])
        assert ended[-1].endswith(f"{count - 1} results in the table are from another model.")

        assert _choose_model(window, first) == [
            "1 result in the table came from another model than fake-safeguard.gguf; "
            "Status says 'other model' until it runs again."
        ]
        statuses = _statuses(window)
        assert statuses[0].endswith("(other model)")
        assert not any("other model" in s for s in statuses[1:])
    finally:
        shut(window)
