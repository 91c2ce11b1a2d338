"""The window runs a policy under the format kept beside it (pytest-qt, offscreen): the
expected-label choices and the format a run uses come from the sidecar-aware reading, for a
published ``policy.txt`` with a sidecar and for an untitled policy before its first save."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

from PySide6.QtWidgets import QDialogButtonBox  # noqa: E402

from app.core.policy import (  # noqa: E402
    OutputFormat,
    parse_policy,
    write_sidecar,  # noqa: E402
)
from app.gui.app import create_main_window  # noqa: E402
from app.gui.shared.settings_store import open_settings  # noqa: E402
from tests.support.fake_engine import (  # noqa: E402
    FakeEngineFactory,
    configure_model,
    isolate_gui_env,
)
from tests.support.gui_window import answer_dialogs  # noqa: E402

SAMPLE = Path(__file__).parents[2] / "support" / "policies" / "listing_scams.txt"
KEPT = OutputFormat(
    kind="labels", labels=("VALID", "INVALID"), violating=("INVALID",),
    tiers=("LS0", "LS2", "LS3", "LS4"), allowed_tiers=("LS0",),
)  # fmt: skip


def _window(qtbot, tmp_path, monkeypatch, path=None):
    model = isolate_gui_env(monkeypatch, tmp_path)
    answer_dialogs(monkeypatch)
    settings = open_settings()
    configure_model(settings, model)
    win = create_main_window(FakeEngineFactory(), settings=settings, policy_path=path)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def _expected_choices(win) -> list[str]:
    return win.case_panel.labels()


def test_a_published_policy_with_a_sidecar_runs_under_it(qtbot, tmp_path, monkeypatch):
    path = tmp_path / "policy.txt"
    path.write_bytes(SAMPLE.read_bytes())
    write_sidecar(path, KEPT)
    assert parse_policy(SAMPLE.read_text(encoding="utf-8")).output.two_labels
    win = _window(qtbot, tmp_path, monkeypatch, path)
    assert win.runner.output() == KEPT
    assert _expected_choices(win) == KEPT.expected_choices()[0]
    prepared = win.runner.prepare()
    assert prepared is not None and prepared[0].output == KEPT
    win.shutdown()


def test_an_untitled_policy_runs_under_the_format_chosen_before_saving(
    qtbot, tmp_path, monkeypatch
):
    win = _window(qtbot, tmp_path, monkeypatch)
    panel = win.policy_panel
    win.document.new_blank()
    panel.set_text(SAMPLE.read_text(encoding="utf-8"))
    win.runner.policy_changed()
    assert win.runner.output().two_labels  # inferred from the text until corrected
    panel.format_bar.correct_button.click()
    dialog = panel.format_dialog
    qtbot.addWidget(dialog)
    dialog.two_labels.setChecked(False)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    kept = panel.sidecar_format
    assert kept is not None and not kept.two_labels
    assert win.runner.output() == kept  # no edit needed: keeping the format is enough
    assert _expected_choices(win) == list(kept.expected_choices()[0])
    prepared = win.runner.prepare()
    assert prepared is not None and prepared[0].output == kept  # a run before the first save
    win.shutdown()


def test_typing_reads_no_format_file(qtbot, tmp_path, monkeypatch):
    """Each keystroke re-parses the policy on the GUI thread: under the format the panel
    keeps (read once when the file opened), never the sidecar file again."""
    import app.core.policy.document as document

    path = tmp_path / "policy.txt"
    path.write_bytes(SAMPLE.read_bytes())  # no sidecar beside it: the panel keeps None
    win = _window(qtbot, tmp_path, monkeypatch, path)
    reads: list[Path] = []
    real = document.read_sidecar
    monkeypatch.setattr(document, "read_sidecar", lambda p: reads.append(p) or real(p))
    editor = win.policy_panel.editor
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    for char in "Extra words.":
        editor.insertPlainText(char)
    win.policy_panel.refresh_analysis()
    assert win.policy_panel.text().endswith("Extra words.")
    assert reads == []
    win.policy_panel.set_modified(False)
    win.shutdown()
