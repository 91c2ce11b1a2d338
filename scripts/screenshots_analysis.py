"""Render the analysis views to ``docs/screenshots/``: stability, heat strip, triage, compare,
suggestion.

    python -m scripts.screenshots_analysis [--out DIR]

Offscreen unless ``QT_QPA_PLATFORM`` is set. A temporary data folder gets the scripted runs
of ``tests/support/analysis_data`` (the spam starter set sampled 5 times by a seeded engine,
and one run of a second engine); the window opens that policy at 1280×800 and shows them.
Images: ``stability.png`` (case table with the stability column, unstable cases only),
``heat-strip.png`` (outline strips and the heat map in the Metrics tab), ``triage.png``
(triage panel over a case's 5 samples), ``compare-runs.png`` (the compare window) and
``suggestion.png`` (a suggested edit as a diff).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
SUGGESTION = """SECTION: Criteria
REPLACEMENT:
Violates:
- SP1 Bulk or unsolicited promotion.
- SP1.a The same promotion repeated or sent to many people.
- SP1.b Links, contacts or ads dropped into an unrelated conversation.
- SP2 Fraud and scams.
- SP2.a Requests for credentials; fake log-in, delivery, bank or support notices.
- SP2.b Investment or job offers with guaranteed returns, upfront fees or recruit-to-earn schemes.
- SP2.c Pretending to be a named company, official body or known person to get money or data; a brand merely mentioned is not impersonation.
- SP2.d Prizes, refunds or inheritances that need a payment or personal data first.
- SP3 Selling or trading followers, likes, reviews or accounts.

Does not violate:
- SP0.a One promotion that fits where it is posted, without deception.
- SP0.b Warnings, news and education that quote a scam to expose it.
- SP0.c Honest fundraising, complaints, reviews and opinions.
"""


def _check(suggestion, runs):
    """The held-out check of the suggestion, run with the scripted engine of the samples."""
    from app.core.cases import load_cases
    from app.core.policy import load_policy
    from app.core.run_types import RunSettings
    from app.runs.suggestion import check_suggestion
    from app.store import Store
    from tests.support.analysis_data import SeededEngine

    cases = load_cases(runs.cases_path)
    engine = SeededEngine({c.content: (c.expected, list(c.tags)) for c in cases})
    store = Store()
    try:
        return check_suggestion(
            engine, load_policy(runs.policy_path), suggestion, cases, RunSettings(seed=100),
            store=store, model_fingerprint=engine.name, template_hash="seeded",
            cases_path=str(runs.cases_path),
        )  # fmt: skip
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="safeguard-analysis-"))
    for name in ("CONFIG", "DATA", "CACHE", "LOG"):
        os.environ[f"SAFEGUARD_{name}_DIR"] = str(tmp / name.lower())

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    from app.core.suggest import parse_suggestion
    from app.gui.app import create_main_window
    from app.gui.shared.settings_store import open_settings
    from app.gui.shared.theme import apply_theme
    from app.store import Store
    from scripts.devtools import pump, save_png, wait_until
    from tests.support.analysis_data import build_analysis
    from tests.support.fake_engine import FakeEngineFactory, FakeScript

    apply_theme(app, "light")
    store = Store()
    runs = build_analysis(store, tmp / "spam_scams")
    store.close()
    settings = open_settings()
    settings.clear()
    window = create_main_window(
        FakeEngineFactory(FakeScript(delay=0.0)), settings=settings, policy_path=runs.policy_path
    )
    window.resize(1280, 800)
    window.show()
    analysis = window.analysis
    pump(1.0)  # the window shows the stored results of the newest run first
    window.evaluation.request_run_metrics(runs.sampled)
    wait_until(lambda: analysis.controller.analysis is not None
               and analysis.controller.analysis.run.id == runs.sampled, 10)  # fmt: skip
    pump(0.3)
    out = args.out

    panel = window.case_panel
    panel.focus_combo.setCurrentIndex(panel.focus_combo.findText("Unstable only"))
    window.right_tabs.setCurrentWidget(analysis.triage_tab)
    unstable = panel.visible_case_ids()[0]
    panel.select_case(unstable)
    wait_until(lambda: analysis.samples.list.count() > 0, 10)
    save_png(window, out / "stability.png")

    panel.focus_combo.setCurrentIndex(0)
    window.right_tabs.setCurrentWidget(window.metrics_panel)
    pump(0.2)
    window.metrics_panel.splitter.setSizes([170, 0, 400])
    window.right_splitter.setSizes([200, 600])
    save_png(window, out / "heat-strip.png")

    failures = analysis.controller.analysis.failures()
    contradiction = next((c for c in failures if c == "sp-022"), failures[0])
    panel.focus_combo.setCurrentIndex(panel.focus_combo.findText("Failures not triaged"))
    window.right_tabs.setCurrentWidget(analysis.triage_tab)
    window.right_splitter.setSizes([330, 470])
    panel.splitter.setSizes([250, 80])
    panel.select_case(contradiction)
    wait_until(lambda: contradiction in analysis.triage.title_label.text(), 10)
    pump(0.2)
    save_png(window, out / "triage.png")

    dialog = window.evaluation_actions.compare_runs()
    dialog.resize(1280, 800)
    wait_until(lambda: dialog.comparison is not None, 10)
    dialog.tabs.setCurrentIndex(1)  # the agreement tab (screenshots_testset shoots the flips)
    save_png(dialog, out / "compare-runs.png")
    dialog.close()

    text = runs.policy_path.read_text(encoding="utf-8")
    suggestion = parse_suggestion(SUGGESTION, text)
    analysis.suggestion.show_suggestion(suggestion)
    analysis.suggestion.show_check(_check(suggestion, runs))
    window.right_tabs.setCurrentWidget(analysis.suggestion)
    window.right_splitter.setSizes([250, 550])
    save_png(window, out / "suggestion.png")

    window.policy_panel.set_modified(False)
    window.case_panel.set_modified(False)
    window.close()
    window.shutdown()
    pump(0.05)
    for name in ("stability", "heat-strip", "triage", "compare-runs", "suggestion"):
        print(f"wrote {out / (name + '.png')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
