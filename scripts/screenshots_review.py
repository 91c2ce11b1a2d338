"""The review queue in a real X window, keyboard only: screenshots and a 20-review timing.

    xvfb-run -a -s "-screen 0 1400x900x24" python -m scripts.screenshots_review [--out DIR]

Needs an X display and ``xdotool``: the keys come from the X server as a person's would,
not from Qt's test functions. A temporary data folder gets a finished run of 20 short
messages under the spam starter policy; the Review window opens over it at 1280×800,
``xdotool`` types the reviewer name and Enter, then one key per case (``a`` to accept,
``0``/``1`` to correct every fourth, ``s`` to skip a case without a verdict) with a pause
of ``--pause`` seconds per case standing in for reading time. The script reports the total
time of the 20 reviews and the time the app itself spent per key (review stored and the
next case on screen), and saves ``review-1280x800.png``, ``review-1024x700.png``,
``review-blind.png`` and ``review-agreement.png``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "xcb")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.core.cases import TestCase, save_cases  # noqa: E402
from app.core.records import StoredResult  # noqa: E402
from app.gui.review.review_window import ReviewWindow  # noqa: E402
from app.store import Store  # noqa: E402
from app.store.reviews import run_reviews  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "policies" / "spam_scams" / "policy.md"
MESSAGES = [
    ("Pay the $2 fee to release your parcel today.", "1", "SP2.a"),
    ("I bake birthday cakes, message me.", "0", ""),
    ("Verify your password at this link now.", "1", "SP2.a"),
    ("Lovely weather in the park this morning.", "0", ""),
    ("Buy 10k followers for $5, instant delivery!", "1", "SP3"),
    ("Our club meets on Tuesday at seven.", "0", ""),
    ("You won an iPhone! Send your bank details to claim.", "1", "SP2.d"),
    ("Can anyone recommend a plumber nearby?", "0", ""),
    ("Guaranteed 40% monthly returns, DM me.", "1", "SP2.b"),
    ("New recipe on my blog: lemon tart.", "0", ""),
]


def stored_run(folder: Path) -> tuple[Store, str, str]:
    store = Store(folder / "results.sqlite3")
    policy = POLICY.read_text(encoding="utf-8")
    items = [(f"m{i + 1}", *MESSAGES[i % len(MESSAGES)]) for i in range(20)]
    save_cases(folder / "cases.jsonl", [TestCase(cid, text) for cid, text, _, _ in items])
    run_id = store.create_run(store.add_policy_version(policy), model="gpt-oss-safeguard-20b",
                              cases_path=str(folder / "cases.jsonl"), total=len(items))  # fmt: skip
    results = []
    for n, (cid, text, label, rule) in enumerate(items):
        label = "0" if n == 9 else label  # one answer the reviewer corrects
        reason = (f'The message says "{text.split()[0]} {text.split()[1]}". '
                  + (f"That matches {rule}, so it violates." if rule else "Nothing here is "
                     "promotion or fraud; it does not violate."))  # fmt: skip
        results.append(StoredResult(
            run_id, cid, f"k{n}", "ok" if n != 13 else "no_verdict",
            label=label if n != 13 else None, rule_codes=[rule] if rule else [],
            content=text, analysis=reason, final=label, created=1000.0 + n,
            rationale=f"{rule or 'SP0'}: {'violates' if label == '1' else 'allowed'}",
        ))  # fmt: skip
    store.add_results(results)
    store.set_run_status(run_id, "finished")
    return store, run_id, policy


def settle(app: QApplication) -> None:
    for _ in range(20):
        app.processEvents()
        time.sleep(0.02)


def keys_for(window: ReviewWindow) -> list[str]:
    keys = []
    for n, item in enumerate(window.session.items):
        model = window.session.model_label(item)
        keys.append("s" if not model else ("1" if n == 9 else "a"))
    return keys


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--pause", type=float, default=1.5, help="seconds of reading per case")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    folder = Path(tempfile.mkdtemp(prefix="review-shots-"))
    store, run_id, policy = stored_run(folder)
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    window = ReviewWindow(store, settings, run_id)
    window.resize(1280, 800)
    window.show()
    window.raise_()
    window.activateWindow()
    window.setup.reviewer.setFocus()
    for _ in range(20):
        app.processEvents()
        time.sleep(0.05)
    wid = str(int(window.winId()))
    subprocess.run(["xdotool", "windowactivate", "--sync", wid], check=False)
    subprocess.run(["xdotool", "type", "--window", wid, "ana"], check=True)
    subprocess.run(["xdotool", "key", "--window", wid, "Return"], check=True)
    deadline = time.monotonic() + 10
    while window.session is None and time.monotonic() < deadline:
        app.processEvents()
    if window.session is None:
        print(f"the queue did not start: {window.message.text()}")
        return 1
    window.grab().save(str(args.out / "review-1280x800.png"))
    window.resize(1024, 700)
    settle(app)
    window.grab().save(str(args.out / "review-1024x700.png"))
    window.resize(1280, 800)
    settle(app)
    app_ms: list[float] = []
    began = time.monotonic()
    for key in keys_for(window):
        wait_until = time.monotonic() + args.pause
        while time.monotonic() < wait_until:  # reading time; the window stays live
            app.processEvents()
            time.sleep(0.01)
        before = len(run_reviews(store, run_id))
        shown = window.view.case_label.text()
        pressed = time.perf_counter()
        subprocess.run(["xdotool", "key", "--window", wid, key], check=True)
        while window.view.case_label.text() == shown and time.perf_counter() - pressed < 5:
            app.processEvents()
        app_ms.append((time.perf_counter() - pressed) * 1000)
        assert len(run_reviews(store, run_id)) == before + 1, "a key stored no review"
    total = time.monotonic() - began
    window.session.close()
    print(f"20 reviews, keyboard only (xdotool in Xvfb, {args.pause:.1f} s reading per case): "
          f"{total:.1f} s; key -> next case incl. xdotool: median {sorted(app_ms)[10]:.0f} ms, "
          f"max {max(app_ms):.0f} ms; {window.progress.text()}")  # fmt: skip
    window.tabs.setCurrentIndex(1)
    window._after_reviews()
    window.tasks.wait()
    settle(app)
    window.grab().save(str(args.out / "review-agreement.png"))
    blind = ReviewWindow(store, settings, run_id)  # a second reviewer, blind
    blind.resize(1024, 700)
    blind.show()
    blind.setup.reviewer.setText("ben")
    blind.setup.blind.setChecked(True)
    blind.start()
    settle(app)
    blind.grab().save(str(args.out / "review-blind.png"))
    blind.close()
    window.close()
    store.close()
    return 0 if total < 60 else 1


if __name__ == "__main__":
    sys.exit(main())
