"""Render the published shapes in the window to ``docs/screenshots/``: the publisher-shaped
spam policy's outline and rule heat map, and a prompt/response case.

    python -m scripts.screenshots_published [--out DIR]

Offscreen unless ``QT_QPA_PLATFORM`` is set (run it under Xvfb with ``xcb`` to see the real
fonts). Our own samples stand in for the published material: the plain-text spam policy
``tests/support/policies/inbox_spam.txt`` with its golden CSV imported as the publisher's
is (no header, section and summary rows), answered by the scripted engine in tiers and
two-label pairs; and the pack-shaped ``pack_policy.md`` with prompt/response pairs.
Images: ``published-outline.png`` (outline with tiers and rule codes, heat strips after a
run), ``published-heatmap.png`` (the Metrics tab's rule heat map) and
``prompt-response.png`` (a response case shown with the prompt it answers).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
SUPPORT = ROOT / "tests" / "support"
# (word in the content, the scripted model's final answer, read by the real verdict parser)
ANSWERS = (
    ("tuesday", "VALID"),
    ("parcel", "D-SP2, R-SP0"),
    ("invoice", "SP0"),
    ("meetup", "VALID"),
    ("workshop", "VALID"),
    ("course", "SP2"),
    ("links", "D-SP3, R-SP0"),
    ("members", "SP3"),
    ("forward", "INVALID"),
    ("password", "INVALID + ESCALATE"),
    ("gift card", "SP4"),
)
RULES = (("course", "SP2.a"), ("links", "SP2.b"), ("members", "SP3.b"), ("password", "SP4.a"),
         ("gift card", "SP4.b"), ("parcel", "SP0.b"), ("tuesday", "SP0.a"))  # fmt: skip


def _import(policy: Path, source: Path, *more: str) -> None:
    import app.cli

    argv = ["import", str(source), "--policy", str(policy), "--force", *more]
    if app.cli.main(argv) != 0:
        raise SystemExit(f"import of {source} failed")


def _window(policy: Path, script):
    from app.gui.app import create_main_window
    from app.gui.shared.settings_store import open_settings
    from tests.support.fake_engine import FakeEngineFactory, configure_model

    settings = open_settings()
    settings.clear()
    model = Path(os.environ["SAFEGUARD_DATA_DIR"]) / "fake-safeguard.gguf"
    model.parent.mkdir(parents=True, exist_ok=True)
    model.write_bytes(b"GGUF" + bytes(60))  # a file to point at; the fake engine answers
    configure_model(settings, model)
    window = create_main_window(FakeEngineFactory(script), settings=settings, policy_path=policy)
    window.resize(1280, 800)
    window.show()
    return window


def _tab_of(window):
    """The right-hand tab that holds the Metrics panel (inside its scroll area)."""
    tabs = window.right_tabs
    return next(
        tabs.widget(i) for i in range(tabs.count())
        if tabs.widget(i).isAncestorOf(window.metrics_panel)
    )  # fmt: skip


def _close(window) -> None:
    from scripts.devtools import pump

    window.policy_panel.set_modified(False)
    window.case_panel.set_modified(False)
    window.close()
    window.shutdown()
    pump(0.05)


def spam_shots(tmp: Path, out: Path) -> None:
    from PySide6.QtCore import QPoint

    from scripts.devtools import pump, save_png, wait_until
    from tests.support.fake_engine import FakeScript

    policy = tmp / "inbox_spam.txt"
    shutil.copy(SUPPORT / "policies" / "inbox_spam.txt", policy)
    _import(policy, SUPPORT / "datasets" / "spam_shape_golden.csv", "--content-col", "2")
    script = FakeScript(delay=0.0, answers=ANSWERS, keyword_rules=RULES)
    window = _window(policy, script)
    wait_until(lambda: bool(window.case_panel.cases()), 10)
    window.window_actions.run_all_action.trigger()
    wait_until(lambda: not window.controller.is_busy(), 60)
    pump(0.5)
    window.policy_panel.outline.expandAll()
    # the outline wide enough that a rule's line reads on one or two lines
    window.main_splitter.setSizes([660, 620])
    window.policy_panel.top_splitter.setSizes([330, 330])
    pump(0.5)
    save_png(window, out / "published-outline.png")
    # the Metrics tab (a scroll area holds the panel) with the heat map given the room:
    # matrix and tier matrix short, the chart across versions folded, the heat map tall
    window.right_tabs.setCurrentIndex(window.right_tabs.indexOf(_tab_of(window)))
    window.main_splitter.setSizes([420, 860])
    window.right_splitter.setSizes([150, 650])
    window.metrics_panel.splitter.setSizes([150, 120, 0, 380])
    pump(0.3)
    area = _tab_of(window)  # the panel is taller than the tab: scroll to the heat map
    heat = window.metrics_panel.splitter.widget(window.metrics_panel.splitter.count() - 1)
    area.verticalScrollBar().setValue(heat.mapTo(window.metrics_panel, QPoint(0, 0)).y())
    pump(0.3)
    save_png(window, out / "published-heatmap.png")
    _close(window)


def pair_shot(tmp: Path, out: Path) -> None:
    from scripts.devtools import pump, save_png, wait_until
    from tests.support.fake_engine import FakeScript

    policy = tmp / "pack_policy.md"
    shutil.copy(SUPPORT / "policies" / "pack_policy.md", policy)
    _import(policy, SUPPORT / "datasets" / "prompt_response.csv", "--header-row", "2",
            "--content-col", "Prompt", "--label-col", "Prompt label",
            "--content-col", "Response", "--label-col", "Response label")  # fmt: skip
    window = _window(policy, FakeScript(delay=0.0))
    panel = window.case_panel
    wait_until(lambda: bool(panel.cases()), 10)
    response = next(c for c in panel.cases() if c.prompt)
    panel.select_case(response.id)
    window.window_actions.run_case_action.trigger()
    wait_until(lambda: not window.controller.is_busy(), 30)
    pump(0.5)
    save_png(window, out / "prompt-response.png")
    _close(window)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="safeguard-published-"))
    for name in ("CONFIG", "DATA", "CACHE", "LOG"):
        os.environ[f"SAFEGUARD_{name}_DIR"] = str(tmp / name.lower())
    from PySide6.QtWidgets import QApplication

    from app.gui.shared.theme import apply_theme

    app = QApplication.instance() or QApplication(sys.argv)
    apply_theme(app, "light")
    args.out.mkdir(parents=True, exist_ok=True)
    spam_shots(tmp, args.out)
    pair_shot(tmp, args.out)
    for name in ("published-outline", "published-heatmap", "prompt-response"):
        print(f"wrote {args.out / (name + '.png')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
