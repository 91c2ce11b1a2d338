"""The policy panel's output-format line (pytest-qt, offscreen): inferred with its lines,
corrected through the dialog as front matter (saved only on save), front-matter problems."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from app.core.policy import load_policy, parse_policy
from app.gui.policy.panel import PolicyPanel

SAMPLES = Path(__file__).parents[2] / "support" / "policies"


@pytest.fixture
def panel(qtbot) -> PolicyPanel:
    widget = PolicyPanel()
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget, timeout=3000)
    return widget


def test_opening_a_pack_policy_shows_the_inferred_format_line(panel: PolicyPanel) -> None:
    path = SAMPLES / "pack_policy.md"
    panel.set_text(path.read_text(encoding="utf-8"))
    bar = panel.format_bar
    assert bar.text() == (
        "Output: VALID / INVALID, tiers DC0 (allowed) DC1 DC2 DC3 — inferred from lines 5, 13, 31"
    )
    assert bar.lines_button.isVisible() and bar.correct_button.isEnabled()
    actions = bar.lines_button.menu().actions()
    assert [a.text() for a in actions] == [
        "Line 5: label VALID (allowed); label INVALID (violates)",
        "Line 13: tier DC0 (allowed)",
        "Line 31: tier DC3",
    ]
    actions[1].trigger()
    assert panel.editor.textCursor().blockNumber() + 1 == 13


def test_correcting_the_format_writes_front_matter_only_into_the_editor(
    panel: PolicyPanel, qtbot, tmp_path: Path
) -> None:
    path = tmp_path / "spam.txt"
    original = (SAMPLES / "spam_tiers.txt").read_text(encoding="utf-8")
    path.write_text(original, encoding="utf-8")
    panel.set_text(original)
    assert "two labels" in panel.format_bar.text()
    panel.format_bar.correct_button.click()
    dialog = panel.format_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.addWidget(dialog)
    assert dialog.tiers.text() == "SP0, SP2, SP3, SP4"
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.allowed.setText("SP9")  # not a tier: one sentence, OK disabled
    assert not ok.isEnabled() and "not in 'tiers'" in dialog.problem.text()
    dialog.allowed.setText("SP0")
    dialog.two_labels.setChecked(False)
    assert ok.isEnabled()
    assert not dialog.write_in.isChecked()  # no front matter: kept beside the file by default
    dialog.write_in.setChecked(True)  # the writer chooses to write it in
    ok.click()
    text = panel.text()
    assert text.startswith("---\nformat: labels\nlabels: VALID, INVALID\n")
    policy = parse_policy(text)
    assert policy.format.source == "front matter" and not policy.output.two_labels
    assert policy.output.tiers == load_policy(path).output.tiers
    assert panel.format_bar.text().endswith("— from the front matter")
    assert panel.is_modified()
    assert path.read_text(encoding="utf-8") == original  # written only when the user saves
    panel.editor.undo()
    assert panel.text() == original


def test_no_format_and_broken_front_matter_say_what_to_do(panel: PolicyPanel, qtbot) -> None:
    panel.set_text("# Rules\nBe kind.\n")
    assert panel.format_bar.text().startswith("The output format could not be read")
    assert panel.format_bar.icon.isVisibleTo(panel)
    panel.set_text("---\nname: Spam\nformat: binary\n\n# Rules\nReturn 0 or 1.\n")
    assert "front-matter block is not closed" in panel.format_bar.text()
    assert not panel.format_bar.correct_button.isEnabled()


def test_misspelt_front_matter_key_is_shown_as_a_hint_on_its_line(panel: PolicyPanel) -> None:
    panel.set_text("---\nname: Spam\nfromat: labels\n---\nReturn exactly one character: 0 or 1.\n")
    first = panel.hint_list()[0]
    assert first.line == 3 and "did you mean 'format'?" in first.message
    assert "'fromat'" in panel.hints.item(0).text()
