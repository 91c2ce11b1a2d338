"""Flip view over two runs recorded in a temporary store (pytest-qt, offscreen): the flip
report is the view of the one comparison the controller loads."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from app.core.records import StoredResult  # noqa: E402
from app.gui.evaluation.controller import EvaluationController  # noqa: E402
from app.gui.evaluation.flip_view import FlipColumn, FlipView  # noqa: E402
from app.gui.shared.tasks import TaskRunner  # noqa: E402
from app.scoring.flips import FlipReport  # noqa: E402
from app.store import Store  # noqa: E402
from tests.support.fake_engine import SAMPLE_POLICY  # noqa: E402

# case: (expected, before (status, label), after (status, label))
CASES = {
    "a": ("1", ("ok", "1"), ("ok", "0")),  # broken
    "b": ("1", ("ok", "0"), ("ok", "1")),  # fixed
    "c": ("0", ("ok", "1"), ("unparsable", None)),  # changed, still wrong
    "d": ("1", ("no_verdict", None), ("ok", "1")),  # fixed
    "e": ("0", ("ok", "0"), ("ok", "0")),  # unchanged
}


def _record(store: Store, policy: str, side: int) -> str:
    digest = store.add_policy_version(policy, f"side {side}", "p.md")
    run = store.create_run(digest, total=len(CASES))
    results = []
    for case_id, (expected, *sides) in CASES.items():
        status, label = sides[side]
        results.append(
            StoredResult(
                run, case_id, f"{case_id}-{side}", status, expected=expected, label=label,
                analysis=f"Reasoning of run {side} about <b>{case_id}</b>.",
                content=f"Content of case {case_id}",
            )
        )  # fmt: skip
    store.add_results(results)
    store.set_run_status(run, "finished")
    return run


@pytest.fixture
def runs(tmp_path):
    store = Store(tmp_path / "results.sqlite3")
    before = _record(store, SAMPLE_POLICY, 0)
    after = _record(store, SAMPLE_POLICY + "\nSP3 Fake engagement.\n", 1)
    yield store, before, after
    store.close()


def test_flip_view_lists_fixed_broken_changed(qtbot, runs):
    store, before, after = runs
    tasks = TaskRunner()
    controller = EvaluationController(store, tasks)
    with qtbot.waitSignal(controller.comparisonReady, timeout=5000) as blocker:
        controller.request_compare(before, after)
    report = FlipReport.of(blocker.args[0])
    tasks.shutdown()

    view = FlipView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    shown = []
    view.casesShown.connect(shown.append)
    view.set_report(report, "v1", "v2")
    assert view.tabs.tabText(0) == "Fixed (2)"
    assert view.tabs.tabText(1) == "Broken (1)"
    assert view.tabs.tabText(2) == "Changed, still wrong (1)"
    assert view.tabs.tabText(3) == "All (4)"
    assert sorted(view.shown_ids()) == ["b", "d"]
    assert sorted(shown[-1]) == ["b", "d"]

    view.show_kind("broken")
    assert view.shown_ids() == ["a"]
    model = view.model
    assert model.index(0, FlipColumn.BEFORE).data() == "1"
    assert model.index(0, FlipColumn.AFTER).data() == "0"
    # the selected row shows both reasonings side by side, as plain text
    assert "run 0 about <b>a</b>" in view.before_edit.toPlainText()
    assert "run 1 about <b>a</b>" in view.after_edit.toPlainText()

    view.show_kind("changed")
    assert view.shown_ids() == ["c"]
    assert model.index(0, FlipColumn.AFTER).data() == "<unparsable>"

    # accuracy: before b,c,d wrong -> 2/5; after a,c wrong -> 3/5
    assert view.delta_labels["accuracy"].text() == "Accuracy 0.400 → 0.600 (+0.200)"


def test_flip_view_empty(qtbot):
    view = FlipView()
    qtbot.addWidget(view)
    view.set_report(None)
    assert "No flip report" in view.summary.text()
    assert view.model.rowCount() == 0
