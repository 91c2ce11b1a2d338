"""Review mode in the real main window: Ctrl+Shift+R opens the queue over the run just
made, a correction reaches the window's test set and the Metrics tab without a rerun, and a
review file goes out and back through the Review menu."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402

from app.store.reviews import run_reviews  # noqa: E402
from tests.support.fake_engine import FakeEngineFactory, FakeScript  # noqa: E402
from tests.support.gui_window import activate, chord, open_workbench, shut  # noqa: E402

TIMEOUT = 10000


def test_review_from_the_window_updates_the_test_set_and_metrics(qtbot, tmp_path, monkeypatch):
    window = open_workbench(qtbot, tmp_path, monkeypatch, FakeEngineFactory(FakeScript()))
    try:
        with qtbot.waitSignal(window.runner.runEnded, timeout=TIMEOUT):
            assert window.runner.run_suite("all")
        run_id = window.store.list_runs()[-1].id
        activate(qtbot, window)
        chord(qtbot, window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier
              | Qt.KeyboardModifier.ShiftModifier)  # fmt: skip
        review = window.review.window
        assert review is not None and review.run_id == run_id
        review.setup.reviewer.setText("ana")
        qtbot.keyClick(review.setup.reviewer, Qt.Key.Key_Return)
        item = review.current_item()
        model = review.session.model_label(item)
        other = "0" if model == "1" else "1"
        seen: list[dict] = []
        window.evaluation.runMetricsReady.connect(
            lambda m: seen.append({r.case_id: r.expected for r in m.results})
        )
        qtbot.keyClick(review.page, other)
        assert [r.label for r in run_reviews(window.store, run_id)] == [other]
        panel = window.case_panel
        assert panel.model.case(item.case_id).expected == other
        # the Metrics tab is recomputed from the stored results, with no rerun
        qtbot.waitUntil(lambda: any(s.get(item.case_id) == other for s in seen), timeout=TIMEOUT)
        out = tmp_path / "review.jsonl"
        window.review.export(run_id, out)
        assert "1 reviews of run" in window.statusBar().currentMessage()
        assert window.review.import_file(out) == ["0 reviews added, 1 already here."]
        review.close()
    finally:
        window.case_panel.set_modified(False)
        shut(window)


def test_review_another_run_picks_from_every_run(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    from tests.support.review_data import stored_run

    window = open_workbench(qtbot, tmp_path, monkeypatch, FakeEngineFactory(FakeScript()))
    try:
        (tmp_path / "other").mkdir()
        _, run_id, _ = stored_run(tmp_path / "other", store=window.store)
        monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: (a[3][0], True))
        window.review.ask_run()
        assert window.review.window is not None and window.review.window.run_id == run_id
        window.review.window.close()
    finally:
        shut(window)
