"""Render the test-set views to ``docs/screenshots/``: metrics, version diff, flip report.

    python -m scripts.screenshots_testset [--out DIR] [--theme light|dark]

Offscreen unless ``QT_QPA_PLATFORM`` is set. A temporary store (``SAFEGUARD_DATA_DIR``)
gets three versions of the spam starter policy, each run over its test set with the
scripted fake engine (a wider list of "violating" words per version, so the labels change
the way an edit of the policy would). The images: ``metrics.png`` (metrics panel of the last
run with its confusion matrix, tag agreement and the chart across the versions),
``version-diff.png`` (history dialog, v2 against v3) and ``flip-report.png`` (v2 -> v3).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
POLICY_DIR = ROOT / "policies" / "spam_scams"
# (note, edit of the policy text, words the fake engine treats as violating)
VERSIONS = (
    ("starter policy", None, ("password", "fee", "guaranteed")),
    (
        "SP2.a covers one-time codes",
        ("- SP2.a Requests for credentials;", "- SP2.a Requests for credentials or one-time codes;"),
        ("password", "fee", "guaranteed", "verify", "code", "gift card", "followers"),
    ),
    (
        "SP2.d covers tax rebates",
        ("- SP2.d Prizes, refunds or inheritances", "- SP2.d Prizes, refunds, tax rebates or inheritances"),
        ("password", "fee", "guaranteed", "verify", "code", "gift card", "refund", "reviews",
         "likes", "crypto", "wire", "dm me"),
    ),
)  # fmt: skip


def record_runs(store, policy_path: Path) -> tuple[list[str], list[str]]:
    """Record one run per version; return (policy texts, run ids)."""
    from app.core.cases import load_cases
    from app.core.policy import parse_policy
    from app.core.run_types import EngineSettings, RunSettings
    from app.runs.pipeline.inputs import SuiteInputs
    from app.runs.pipeline.suite import run_suite
    from tests.support.fake_engine import FakeEngine, FakeScript

    text = policy_path.read_text(encoding="utf-8")
    cases = load_cases(POLICY_DIR / "cases.jsonl")
    texts, runs = [], []
    for note, edit, words in VERSIONS:
        if edit is not None:
            text = text.replace(*edit)
        engine = FakeEngine(FakeScript(delay=0.0, violating_words=words))
        engine.load(EngineSettings())
        inputs = SuiteInputs(
            engine, parse_policy(text, policy_path), cases, RunSettings(), store=store,
            model_fingerprint="fake-safeguard.gguf", template_hash="harmony",
            cases_path=str(POLICY_DIR / "cases.jsonl"), note=note,
        )  # fmt: skip
        summary = run_suite(inputs, order="file")
        texts.append(text)
        runs.append(summary.run_id)
    return texts, runs


def save(widget, path: Path) -> None:
    from PySide6.QtWidgets import QApplication

    widget.show()
    for _ in range(5):
        QApplication.processEvents()
    widget.grab().save(str(path))
    print(f"wrote {path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--theme", choices=("light", "dark"), default="light")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="safeguard-shots-"))
    os.environ["SAFEGUARD_DATA_DIR"] = str(tmp / "data")

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    from app.gui.evaluation.data import load_run_metrics, version_history
    from app.gui.evaluation.flip_view import FlipView
    from app.gui.evaluation.history_dialog import HistoryDialog
    from app.gui.evaluation.metrics_panel import MetricsPanel
    from app.gui.shared.theme import apply_theme
    from app.runs.stored.history import flip_report
    from app.store import Store

    apply_theme(app, args.theme)
    suffix = "" if args.theme == "light" else "-dark"
    store = Store()
    policy_path = POLICY_DIR / "policy.md"
    _texts, runs = record_runs(store, policy_path)
    history = version_history(store, str(policy_path))

    panel = MetricsPanel()
    panel.resize(1280, 800)
    last = load_run_metrics(store, runs[-1])
    panel.set_metrics(last.metrics, last.output, f"Spam and scams · v3 · run {runs[-1]}")
    panel.set_history(history)
    save(panel, args.out / f"metrics{suffix}.png")

    dialog = HistoryDialog(history, current_text=None)
    dialog.resize(1280, 800)
    dialog.table.selectRow(0)  # newest: compared with the version before it
    save(dialog, args.out / f"version-diff{suffix}.png")

    flips = FlipView()
    flips.resize(1280, 800)
    flips.set_report(flip_report(store, runs[-2], runs[-1]), "v2 run", "v3 run")
    save(flips, args.out / f"flip-report{suffix}.png")
    store.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
