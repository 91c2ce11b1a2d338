"""The Review window driven with key events only (pytest-qt, offscreen): accept, pick a
label, skip, unsure, note, undo, blind mode, sampling choices and gold items, checked
against the stored reviews and the test set on disk."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QSettings, Qt  # noqa: E402

from app.core.cases import load_cases  # noqa: E402
from app.gui.review.case_view import HIDDEN  # noqa: E402
from app.gui.review.review_window import REVIEWER_KEY, ReviewWindow  # noqa: E402
from app.store.reviews import run_reviews  # noqa: E402
from tests.support.review_data import stored_run  # noqa: E402


@pytest.fixture
def review(tmp_path, qtbot):
    store, run_id, cases = stored_run(tmp_path, 10, expected=True)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = ReviewWindow(store, settings, run_id)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window, store, run_id, cases, qtbot


def keys(qtbot, widget, text: str) -> None:
    for ch in text:
        qtbot.keyClick(widget, ch)


def start(window, qtbot, name: str = "ana") -> None:
    qtbot.keyClicks(window.setup.reviewer, name)
    qtbot.keyClick(window.setup.reviewer, Qt.Key.Key_Return)  # Enter in the name starts
    assert window.session is not None, window.message.text()


def stored(store, run_id) -> dict[str, tuple[str, str, str]]:
    return {r.case_id: (r.state, r.label, r.note) for r in run_reviews(store, run_id)}


def test_accept_pick_skip_unsure_note_and_undo_with_keys(review):
    window, store, run_id, cases, qtbot = review
    start(window, qtbot)
    page = window.page
    assert "[A/Enter] accept" in window.legend.text() and "[0] 0  [1] 1" in window.legend.text()
    assert window.view.content.toPlainText() == "message 0"
    qtbot.keyClick(page, Qt.Key.Key_Return)  # c0: accept "0"
    keys(qtbot, page, "a")  # c1: accept "1"
    keys(qtbot, page, "0")  # c2: the model said "0"; "0" again is an accept
    keys(qtbot, page, "0")  # c3: correct "1" to "0"
    keys(qtbot, page, "s")  # c4: skip (no verdict)
    keys(qtbot, page, "u")  # c5: unsure
    keys(qtbot, page, "n")  # c6: a note
    qtbot.keyClicks(window.note, "looks like spam")
    qtbot.keyClick(window.note, Qt.Key.Key_Return)
    assert window.progress.text() == "5 of 10 reviewed · 1 corrected"
    assert stored(store, run_id) == {
        "c0": ("done", "0", ""), "c1": ("done", "1", ""), "c2": ("done", "0", ""),
        "c3": ("done", "0", ""), "c4": ("skip", "", ""), "c5": ("unsure", "", ""),
        "c6": ("skip", "", "looks like spam"),
    }  # fmt: skip
    qtbot.keyClick(page, Qt.Key.Key_Backspace)  # the note's skip
    qtbot.keyClick(page, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # unsure
    assert window.view.case_label.text() == "Case c5"
    assert set(stored(store, run_id)) == {"c0", "c1", "c2", "c3", "c4"}
    window.session.close()
    assert {c.id: c.expected for c in load_cases(cases)}["c3"] == "0"
    # the metrics of the run follow at once: the stored result expects the review's label
    assert {r.case_id: r.expected for r in store.results(run_id)}["c3"] == "0"
    qtbot.waitUntil(lambda: "4 reviewed, 1 corrected" in window.agreement.text())


def test_a_label_key_that_is_not_a_label_does_nothing(review):
    window, store, run_id, _, qtbot = review
    start(window, qtbot)
    keys(qtbot, window.page, "7x")
    assert stored(store, run_id) == {}
    assert window.view.case_label.text() == "Case c0"


def test_blind_mode_hides_the_answer_until_chosen(review):
    window, store, run_id, _, qtbot = review
    window.setup.blind.setFocus()
    qtbot.keyClick(window.setup.blind, Qt.Key.Key_Space)
    start(window, qtbot)
    assert window.view.answer.text() == "Model: " + HIDDEN
    assert HIDDEN in window.view.reasoning.toPlainText()
    assert "accept" not in window.legend.text()
    qtbot.keyClick(window.page, Qt.Key.Key_Return)  # no accepting blind
    assert stored(store, run_id) == {} and "Blind mode" in window.message.text()
    keys(qtbot, window.page, "1")
    assert stored(store, run_id) == {"c0": ("done", "1", "")}
    assert "the model said 0" in window.message.text()
    assert window.view.answer.text() == "Model: " + HIDDEN  # the next case is hidden too


def test_sampling_choice_and_share_with_keys(review):
    window, _, _, _, qtbot = review
    combo, share = window.setup.sampling, window.setup.share
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # "A random share"
    assert combo.currentData() == "random"
    share.setFocus()
    share.selectAll()
    qtbot.keyClicks(share, "30")
    start(window, qtbot)
    assert len(window.session.items) == 3


def test_gold_items_are_mixed_in_unmarked_and_measure_the_reviewer(review):
    window, store, run_id, _, qtbot = review
    gold = window.setup.gold
    gold.setFocus()
    gold.selectAll()
    qtbot.keyClicks(gold, "20")
    start(window, qtbot)
    items = window.session.items
    golds = [i for i in items if i.gold]
    assert len(golds) == 2
    for item in items:
        shown = window.view.case_label.text()
        assert shown == f"Case {item.case_id}"  # nothing marks a gold item
        key = item.gold if item.gold else ("s" if not window.session.model_label(item) else "a")
        keys(qtbot, window.page, key)
    reviews = {r.case_id: r for r in run_reviews(store, run_id)}
    assert all(reviews[g.case_id].gold == g.gold for g in golds)
    window._after_reviews()  # the figures are computed off the GUI thread
    qtbot.waitUntil(lambda: "gold items, ana: accuracy 1.000" in window.agreement.text())


def test_reviewer_name_with_control_characters_is_refused(review, tmp_path):
    window, store, run_id, _, qtbot = review
    window.setup.reviewer.setText("ana\tbob")
    qtbot.keyClick(window.setup.reviewer, Qt.Key.Key_Return)
    assert window.session is None
    assert "control characters" in window.message.text()
    window.setup.reviewer.setText("ana")
    qtbot.keyClick(window.setup.reviewer, Qt.Key.Key_Return)
    assert window.settings.value(REVIEWER_KEY) == "ana"


def test_save_reviewed_as_a_new_test_set(review, tmp_path):
    window, _, _, _, qtbot = review
    start(window, qtbot)
    keys(qtbot, window.page, "a0")
    out = tmp_path / "reviewed.cases.jsonl"
    assert window.save_reviewed(out)
    assert [(c.id, c.expected) for c in load_cases(out)] == [("c0", "0"), ("c1", "0")]
    with qtbot.waitSignal(window.keepReviewed) as signal:
        window.keep_reviewed()
    assert signal.args == [["c0", "c1"]]


def test_choice_keys_follow_the_policy_labels():
    from app.gui.review.keys import choice_keys

    assert choice_keys(["0", "1"]) == {"0": "0", "1": "1"}
    assert choice_keys(["SP0", "SP1", "SP2"]) == {"0": "SP0", "1": "SP1", "2": "SP2"}
    assert choice_keys(["VALID", "INVALID"]) == {"V": "VALID", "I": "INVALID"}
    assert choice_keys(["safe", "spam", "abuse"]) == {"1": "safe", "2": "spam", "3": "abuse"}


def test_answers_stored_while_reviewing_join_the_queue(review):
    from app.core.records import StoredResult

    window, store, run_id, _, qtbot = review
    start(window, qtbot)
    late = StoredResult(run_id, "late", "kl", "ok", label="1", content="arrived later",
                        analysis="Later.", created=5000.0)  # fmt: skip
    store.add_results([late])  # a run still going stores another answer
    for _ in range(10):
        keys(qtbot, window.page, "s")
    assert window.view.case_label.text() == "Case late"
    assert window.progress.text() == "0 of 11 reviewed · 0 corrected"
    keys(qtbot, window.page, "a")
    assert stored(store, run_id)["late"] == ("done", "1", "")


def test_highlights_quote_the_policy_the_run_used(review):
    """The reasoning's marks are found against the reviewed run's own policy version, not
    whatever policy the window's editor holds now."""
    window, store, run_id, _cases, qtbot = review
    start(window, qtbot)
    used = store.policy_version(store.get_run(run_id).policy_hash).text
    assert used and window.session.policy_text == used
