"""The review queue on 10,000 cases: how long it takes to open, and keystroke -> next case.

Run: ``python -m benchmarks.review`` (offscreen unless QT_QPA_PLATFORM is set).

In a temporary folder the script stores a finished run of 10,000 cases (test set on disk,
one answer per case with reasoning of a few sentences and a cited rule), opens the Review
window over it, and measures:

1. *open*: Start review -> the first case on screen (queue built, reviews and the test set
   read) — target <= 1 s;
2. *next case*: ``KEYS`` keystrokes on the queue page (accept with ``A``, a correction with
   a label key every fifth case), each timed from the key press until the next case's text
   is on screen with the events it posted processed — target p99 <= 50 ms. Each keystroke
   also stores its review and hands the test-set write to the background writer, as in
   real use.

Exits 1 when a target is missed.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.core.cases import TestCase, save_cases  # noqa: E402
from app.core.records import StoredResult  # noqa: E402
from app.gui.review.review_window import ReviewWindow  # noqa: E402
from app.store import Store  # noqa: E402

CASES = 10_000
KEYS = 1_000
TARGETS = {"open_s": 1.0, "p99_ms": 50.0}
POLICY = "---\nname: Spam\nformat: binary\n---\n# Spam\nSP1 Bulk promotion violates.\n"


def stored_run(folder: Path) -> tuple[Store, str]:
    store = Store(folder / "results.sqlite3")
    cases = [
        TestCase(f"c{i}", f"Message {i}: win a prize, click the link {i}.") for i in range(CASES)
    ]
    save_cases(folder / "cases.jsonl", cases)
    digest = store.add_policy_version(POLICY)
    run_id = store.create_run(
        digest, model="m", cases_path=str(folder / "cases.jsonl"), total=CASES
    )
    results = [
        StoredResult(
            run_id, c.id, f"k{i}", "ok", label=str(i % 2), rule_codes=["SP1"] if i % 2 else [],
            content=c.content, final=str(i % 2), created=1000.0 + i,
            analysis=(f'The message says "win a prize". Under SP1 bulk promotion violates. '
                      f"Case {i} reads like a mass mailing, so the answer is {i % 2}. ") * 3,
        )
        for i, c in enumerate(cases)
    ]  # fmt: skip
    store.add_results(results)
    store.set_run_status(run_id, "finished")
    return store, run_id


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        began = time.perf_counter()
        store, run_id = stored_run(folder)
        print(f"setup: {CASES} stored answers in {time.perf_counter() - began:.2f} s")
        settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
        window = ReviewWindow(store, settings, run_id)
        window.resize(1280, 800)
        window.show()
        app.processEvents()
        window.setup.reviewer.setText("bench")
        began = time.perf_counter()
        assert window.start(), window.message.text()
        app.processEvents()
        open_s = time.perf_counter() - began
        page = window.page
        latencies = []
        for n in range(KEYS):
            before = window.view.case_label.text()
            key = Qt.Key.Key_0 if n % 5 == 4 else Qt.Key.Key_A
            began = time.perf_counter()
            QTest.keyClick(page, key)
            app.processEvents()
            latencies.append((time.perf_counter() - began) * 1000)
            assert window.view.case_label.text() != before, "the next case did not show"
        window.session.close()
        reviewed = window.progress.text()
        window.close()
        store.close()
    p50, p99 = statistics.median(latencies), percentile(latencies, 0.99)
    print(f"open the queue of {CASES} cases: {open_s * 1000:.0f} ms (target <= 1000 ms)")
    print(f"keystroke -> next case over {KEYS} keys: p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
          f"max {max(latencies):.1f} ms (target p99 <= {TARGETS['p99_ms']:.0f} ms)")  # fmt: skip
    print(f"progress after the run: {reviewed}")
    missed = [
        name for name, value in (("open_s", open_s), ("p99_ms", p99)) if value > TARGETS[name]
    ]
    if missed:
        print(f"over target: {', '.join(missed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
