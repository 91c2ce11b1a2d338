"""Render a policy without front matter in the window: ``docs/screenshots/policy_inferred_format.png``.

    python -m scripts.screenshots_policy_format [--out DIR]

Offscreen unless ``QT_QPA_PLATFORM`` is set. The Markdown pack sample from the tests
(``tests/support/policies/pack_policy.md``: ``Output:`` lines, ``DC0``…``DC3`` tiers) is opened
with a small tiered test set and run with the scripted fake engine answering in the policy's
own words (``VALID``, ``DC2``, ``INVALID + ESCALATE``); the images show the inferred-format
line above the editor with the tiers in the case table (``policy_inferred_format.png``) and
the Metrics tab with the tier matrix (``metrics_tiers.png``).
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
ANSWERS = (
    ("cure", "INVALID + ESCALATE"),
    ("statistic", "DC2"),
    ("screenshot", "DC2"),
    ("paid", "DC1"),
    ("blender", "VALID"),
    ("satire", "VALID"),
)
CASES = (
    ("honest-review", "This blender is loud but it works, 7/10.", "DC0"),
    ("fake-cure", "Doctors hide this cure: lemon water ends diabetes in 3 days.", "DC3"),
    ("made-up-stat", "A new statistic shows 97% of people agree with me.", "DC2"),
    ("paid-review", "Best blender ever!!! (I was paid for this review)", "DC1"),
    ("satire", "Satire: local man declares his cat mayor, cat accepts.", "DC0"),
    ("doctored", "This screenshot proves the minister resigned (it was edited).", "DC3"),
)


def shoot(out: Path, tmp: Path) -> list[Path]:
    from app.core.cases import TestCase, cases_path_for, save_cases
    from scripts.devtools import pump, save_png, wait_until
    from scripts.screenshots import _close, _window
    from tests.support.fake_engine import FakeEngineFactory, FakeScript

    for name in ("CONFIG", "DATA", "CACHE", "LOG"):
        os.environ[f"SAFEGUARD_{name}_DIR"] = str(tmp / name.lower())
    policy = tmp / "deceptive_claims.md"
    shutil.copy(ROOT / "tests" / "support" / "policies" / "pack_policy.md", policy)
    save_cases(cases_path_for(policy), [TestCase(*case) for case in CASES])
    model = tmp / "gpt-oss-safeguard-20b-mxfp4.gguf"
    model.write_bytes(b"GGUF" + bytes(60))
    factory = FakeEngineFactory(FakeScript(delay=0.0005, answers=ANSWERS))
    window = _window(factory, model)
    window.document.open(policy, ask_save=False)
    window.runner.run_all()
    wait_until(lambda: not window.runner.is_running(), 60)
    wait_until(lambda: window.metrics_panel.metrics() is not None, 30)
    window.case_panel.select_case("fake-cure")
    pump(0.2)
    written = [save_png(window, out / "policy_inferred_format.png")]
    window.window_actions.show_metrics_action.trigger()
    pump(0.2)
    written.append(save_png(window, out / "metrics_tiers.png"))
    _close(window)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841 (kept alive)
    with tempfile.TemporaryDirectory() as tmp:
        for path in shoot(args.out, Path(tmp)):
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
