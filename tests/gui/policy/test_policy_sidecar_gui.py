"""A format correction on a published policy with no front matter (pytest-qt, offscreen):
kept in ``policy.format.json`` beside it, the publisher's file never gets the app's front
matter on save, reopening reads the kept format; an untitled policy keeps it on first save."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

from PySide6.QtWidgets import QDialogButtonBox, QFileDialog  # noqa: E402

from app.core.policy import (  # noqa: E402
    load_policy,  # noqa: E402
    read_sidecar,
    sidecar_path,
)
from app.gui.app import create_main_window  # noqa: E402
from app.gui.shared.settings_store import open_settings  # noqa: E402
from tests.support.fake_engine import FakeEngineFactory, isolate_gui_env  # noqa: E402
from tests.support.gui_window import answer_dialogs  # noqa: E402

SAMPLE = Path(__file__).parents[2] / "support" / "policies" / "listing_scams.txt"
OK = QDialogButtonBox.StandardButton.Ok


def _window(qtbot, tmp_path, monkeypatch, path=None):
    isolate_gui_env(monkeypatch, tmp_path)
    answer_dialogs(monkeypatch)
    win = create_main_window(FakeEngineFactory(), settings=open_settings(), policy_path=path)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def _correct(qtbot, panel, write_in: bool | None = None) -> None:
    panel.format_bar.correct_button.click()
    dialog = panel.format_dialog
    qtbot.addWidget(dialog)
    assert not dialog.write_in.isChecked()  # no front matter: beside the file by default
    if write_in is not None:
        dialog.write_in.setChecked(write_in)
    dialog.two_labels.setChecked(False)
    dialog.buttons.button(OK).click()


def test_a_correction_of_a_published_txt_is_kept_beside_it(qtbot, tmp_path, monkeypatch):
    path = tmp_path / "policy.txt"
    path.write_bytes(SAMPLE.read_bytes())
    original = path.read_bytes()
    win = _window(qtbot, tmp_path, monkeypatch, path)
    panel = win.policy_panel
    assert "two labels" in panel.format_bar.text()
    _correct(qtbot, panel)
    kept = read_sidecar(path)
    assert kept is not None and not kept.two_labels and kept.tiers == ("LS0", "LS2", "LS3", "LS4")
    assert panel.text().encode("utf-8") == original and not panel.is_modified()
    assert panel.format_bar.text().endswith("— from the format file beside the policy")
    assert win.document.save()
    assert path.read_bytes() == original  # no front matter written into the publisher's file
    assert not load_policy(path).output.two_labels  # the CLI reads the kept format too
    assert win.document.open(path)
    assert panel.format_bar.text().endswith("— from the format file beside the policy")
    assert "two labels" not in panel.format_bar.text()
    win.shutdown()


def test_the_writer_may_write_it_in_and_an_untitled_policy_keeps_it_on_save(
    qtbot, tmp_path, monkeypatch
):
    win = _window(qtbot, tmp_path, monkeypatch)
    panel = win.policy_panel
    text = SAMPLE.read_text(encoding="utf-8")
    win.document.new_blank()
    panel.set_text(text)
    _correct(qtbot, panel)
    assert panel.text() == text
    target = tmp_path / "mine.txt"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    assert win.document.save()
    assert target.read_text(encoding="utf-8") == text
    assert sidecar_path(target).exists() and not read_sidecar(target).two_labels
    _correct(qtbot, panel, write_in=True)  # the writer's choice: front matter in the file
    assert panel.text().startswith("---\nformat: labels\n") and panel.is_modified()
    win.shutdown()
