"""The first Run case after a restart restores the saved policy prefix (real engine), and
the Settings row shows the saved prefixes and clears them."""

from __future__ import annotations

from app.core.cases import TestCase
from app.gui.settings.dialog import SettingsDialog
from app.gui.shared import options
from tests.gui.window.test_gui_e2e import open_window

CASES = [
    TestCase("c1", "Pay the $2 fee to get your parcel", "1"),
    TestCase("c2", "Lunch is at noon on Friday", "0"),
    TestCase("c3", "Your account is locked, send your password", "1"),
]


def run_case(qtbot, window, case_id: str):
    assert window.case_panel.select_case(case_id)
    with qtbot.waitSignal(window.controller.runEnded, timeout=180_000) as ended:
        assert window.runner.run_current()
    assert ended.args[0].status == "finished"
    return window.case_panel.model.entry(case_id).result


def test_first_run_case_after_a_restart_skips_the_policy(qtbot, tmp_path, monkeypatch, tiny_model):
    window, _ = open_window(qtbot, tmp_path, monkeypatch, tiny_model, CASES)
    try:
        first = run_case(qtbot, window, "c1")
        assert first.tokens.reused == 0 and first.tokens.evaluated == first.tokens.prompt
    finally:
        window.shutdown()

    window, engines = open_window(qtbot, tmp_path, monkeypatch, tiny_model, CASES)  # restarted
    try:
        dialog = SettingsDialog(window.settings, window)
        qtbot.addWidget(dialog)
        row = dialog.prefix_row
        assert row.budget_mb() == options.PREFIX_CACHE_MB.default == 2048
        assert "1 file" in row.usage_label.text() and row.clear_button.isEnabled()
        dialog.grab().save(str(tmp_path / "settings.png"))
        dialog.reject()

        after = run_case(qtbot, window, "c2")
        assert after.tokens.reused > 100  # the policy prefix, restored from disk
        assert after.tokens.evaluated == after.tokens.prompt - after.tokens.reused < 30

        dialog = SettingsDialog(window.settings, window)
        qtbot.addWidget(dialog)
        dialog.prefix_row.clear_button.click()
        assert dialog.prefix_row.usage_label.text() == "none saved"
        assert not dialog.prefix_row.clear_button.isEnabled()
        dialog.prefix_row.budget_spin.setValue(0)  # off from now on
        dialog.accept()
        assert options.get(window.settings, options.PREFIX_CACHE_MB) == 0
    finally:
        window.shutdown()
    assert engines and not engines[0].inner.alive
