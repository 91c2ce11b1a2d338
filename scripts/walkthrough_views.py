"""Walk the workbench's views after a finished run, in a real X window, and save screenshots.

    python -m scripts.walkthrough_views [--out DIR] [--sizes 1024x700,1280x800]

For each screen size it starts a window-manager-free X server (:mod:`scripts.xscreen`) and
opens the spam starter policy over the scripted runs of ``tests/support/analysis_data`` (the
test set sampled 5 times by a seeded engine), then shows each view as a user reaches it:
the policy with its outline and a case's Result, Metrics, Robustness (View ▸ Robustness,
two families run), Triage on a failed case, a suggested edit, the Settings and Models
dialogs, and Review mode over the sampled run (its setup, then its first case). Every view must keep the window (and each
dialog or Review window) within the screen, and no button of the view may show less than
its label (:func:`scripts.walkthrough_journeys.check_labels`) and no page may scroll
sideways (``check_no_sideways``). Each step is a screenshot of
the whole X screen, ``views-<step>-<W>x<H>.png`` in ``--out`` (default
``docs/screenshots``); the script exits 1 with one sentence when a check fails. Settings
and data go to a temporary folder. Needs ``xvfb`` and ``imagemagick``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from scripts.xscreen import shoot, sized_main

SUGGESTION = """SECTION: Criteria
REPLACEMENT:
Violates:
- SP1 Bulk or unsolicited promotion.
- SP2 Fraud and scams.
- SP2.c Pretending to be a named company, official body or known person to get money or data; a brand merely mentioned is not impersonation.
"""


def _inner(size: str, out: Path) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="walk-views-"))
    for name in ("CONFIG", "DATA", "CACHE", "LOG"):
        os.environ[f"SAFEGUARD_{name}_DIR"] = str(tmp / name.lower())
    from scripts.walkthrough_journeys import WalkthroughError

    try:
        return _views(size, out, tmp)
    except WalkthroughError as exc:
        print(f"Views walkthrough at {size} failed: {exc}")
        return 1


def _open(tmp: Path):
    """The window over the scripted runs, shown and active, with the sampled run's metrics."""
    from app.gui.app import create_main_window, ensure_application
    from app.gui.shared.settings_store import open_settings
    from app.gui.shared.theme import apply_theme
    from app.store import Store
    from scripts.devtools import wait_until
    from tests.support.analysis_data import build_analysis
    from tests.support.fake_engine import FakeEngineFactory, FakeScript, configure_model

    app = ensure_application()
    apply_theme(app, "light")
    store = Store()
    runs = build_analysis(store, tmp / "spam_scams")
    store.close()
    settings = open_settings()
    model = tmp / "fake-safeguard.gguf"
    model.write_bytes(b"GGUF" + bytes(60))
    configure_model(settings, model)
    window = create_main_window(
        FakeEngineFactory(FakeScript(delay=0.0)), settings=settings, policy_path=runs.policy_path
    )
    window.show()
    window.activateWindow()
    wait_until(window.isActiveWindow, 5)
    wait_until(lambda: bool(window.case_panel.cases()), 10)
    controller = window.analysis.controller
    window.evaluation.request_run_metrics(runs.sampled)
    wait_until(lambda: controller.analysis is not None
               and controller.analysis.run.id == runs.sampled, 15)  # fmt: skip
    return window, runs


def _views(size: str, out: Path, tmp: Path) -> int:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from scripts.devtools import pump, wait_until
    from scripts.walkthrough_journeys import (
        WalkthroughError,
        check_fits,
        check_labels,
        check_no_sideways,
    )

    window, runs = _open(tmp)
    shots: list[Path] = []
    problems: list[str] = []

    def shot(step: str, *widgets) -> None:
        """The screenshot, then the checks (each failure kept: every view is walked)."""
        shots.append(shoot(out / f"views-{step}-{size}.png"))
        for widget in (window, *widgets):
            for check in (check_fits, check_labels, check_no_sideways):
                try:
                    check(widget, step)
                except WalkthroughError as exc:
                    problems.append(str(exc))

    panel, analysis, tabs = window.case_panel, window.analysis, window.right_tabs
    panel.select_case(panel.visible_case_ids()[0])
    tabs.setCurrentIndex(0)
    shot("result")
    tabs.setCurrentIndex(1)  # Metrics, in its scroll area
    wait_until(lambda: window.metrics_panel.metrics() is not None, 10)
    shot("metrics")

    QTest.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)  # Robustness
    view = window.robustness_view
    for row in range(view.family_list.count()):
        item = view.family_list.item(row)
        wanted = item.data(Qt.ItemDataRole.UserRole) in ("plain", "leet_heavy")
        item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)
    view.variants.setValue(1)
    QTest.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    wait_until(lambda: view.report is not None and not view.runner.is_running(), 60)
    shot("robustness")

    failures = analysis.controller.analysis.failures()
    panel.focus_combo.setCurrentIndex(panel.focus_combo.findText("Failures not triaged"))
    tabs.setCurrentWidget(analysis.triage_tab)
    panel.select_case(failures[0])
    wait_until(lambda: failures[0] in analysis.triage.title_label.text(), 10)
    wait_until(analysis.triage.gold_button.isEnabled, 10)
    shot("triage")
    panel.focus_combo.setCurrentIndex(0)

    from app.core.suggest import parse_suggestion

    text = runs.policy_path.read_text(encoding="utf-8")
    analysis.suggestion.show_suggestion(parse_suggestion(SUGGESTION, text))
    tabs.setCurrentWidget(analysis.suggestion)
    shot("suggestion")

    models = window.open_models_dialog()
    wait_until(models.isVisible, 3)
    shot("models", models)
    models.close()
    review = window.review.open_review(runs.sampled)
    if review is None:
        raise_error("Review ▸ Review answers opened no window.")
    wait_until(review.isVisible, 3)
    pump(0.3)
    shot("review", review)
    review.setup.reviewer.setText("walkthrough")
    if not review.start():
        raise_error(f"Start review did not start: {review.message.text()}")
    pump(0.3)
    shot("review-case", review)
    review.close()
    pump(0.1)
    print("\n".join(str(path) for path in shots))
    window.policy_panel.set_modified(False)
    panel.set_modified(False)
    window.close()
    window.shutdown()
    pump(0.1)
    if problems:
        raise WalkthroughError(" ".join(problems))
    return 0


def raise_error(sentence: str) -> None:
    from scripts.walkthrough_journeys import WalkthroughError

    raise WalkthroughError(sentence)


def main(argv: list[str] | None = None) -> int:
    return sized_main("scripts.walkthrough_views", argv, _inner, "1024x700,1280x800", 80)


if __name__ == "__main__":
    sys.exit(main())
