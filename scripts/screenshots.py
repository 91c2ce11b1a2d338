"""Render the workbench window in its key states to ``docs/screenshots/*.png``.

    python -m scripts.screenshots [--themes light,dark] [--scale 2] [--out DIR]

(``make screenshots`` runs it with ``QT_QPA_PLATFORM=offscreen``.) States: ``empty`` (first
start, no policy), ``policy-cases`` (the spam starter policy with its test set),
``streaming`` (a case running, reasoning arriving with its rule code and quote
highlighted), ``suite`` (Run all finished: labels, agreement marks), ``window-metrics`` (the
Metrics tab after that suite) and ``stale`` (the policy edited after the run). Each in the light and the dark palette, ``-dark`` suffixed.
The scripted fake engine from ``tests/support`` stands in for the model, and all settings
and data go to a temporary folder, so the images do not depend on the machine.
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
SIZE = (1280, 800)
RULES = (
    ("password", "SP2.a"),
    ("code we just", "SP2.a"),
    ("guaranteed", "SP2.b"),
    ("fee", "SP2.b"),
    ("gift card", "SP2.d"),
    ("refund", "SP2.d"),
    ("reviews", "SP3"),
    ("followers", "SP3"),
    ("likes", "SP3"),
)


def _stage(tmp: Path) -> Path:
    """Isolated folders, a fake model file and a copy of the spam starter policy."""
    for name in ("CONFIG", "DATA", "CACHE", "LOG"):
        os.environ[f"SAFEGUARD_{name}_DIR"] = str(tmp / name.lower())
    folder = tmp / "spam_scams"
    shutil.copytree(ROOT / "policies" / "spam_scams", folder)
    return folder / "policy.md"


def _window(factory, model: Path):
    from app.gui.app import create_main_window
    from app.gui.shared.settings_store import open_settings

    settings = open_settings()
    settings.clear()
    settings.setValue("engine/model_path", str(model))
    window = create_main_window(factory, settings=settings)
    window.resize(*SIZE)
    window.show()
    return window


def _close(window) -> None:
    from scripts.devtools import pump

    window.policy_panel.set_modified(False)
    window.case_panel.set_modified(False)
    window.close()
    window.shutdown()
    window.deleteLater()
    pump(0.05)


def shoot(theme: str, out: Path, tmp: Path, suffix: str) -> list[Path]:
    from scripts.devtools import pump, save_png, set_theme, wait_until
    from tests.support.fake_engine import FakeEngineFactory, FakeScript

    set_theme(theme)
    tag = "" if theme == "light" else f"-{theme}"
    tag += suffix
    policy = _stage(tmp / theme)
    model = tmp / "gpt-oss-safeguard-20b-mxfp4.gguf"
    model.write_bytes(b"GGUF" + bytes(60))
    words = tuple(word for word, _code in RULES) + ("verify", "wire")
    factory = FakeEngineFactory(FakeScript(delay=0.002, keyword_rules=RULES, violating_words=words))
    written = []

    window = _window(factory, model)
    written.append(save_png(window, out / f"empty{tag}.png"))
    _close(window)

    window = _window(factory, model)
    window.document.open(policy, ask_save=False)
    window.case_panel.select_case("sp-002")
    written.append(save_png(window, out / f"policy-cases{tag}.png"))

    factory.script.delay, factory.script.extra_words = 0.05, 4
    window.runner.run_current()
    view = window.result_view

    def mid_stream() -> bool:
        entry = window.case_panel.model.entry("sp-002")
        return "SP2.a" in view.reasoning.toPlainText() and entry is not None and not entry.final

    wait_until(mid_stream, 30)
    pump(0.12)  # highlight refresh
    written.append(save_png(window, out / f"streaming{tag}.png"))
    wait_until(lambda: not window.runner.is_running(), 30)

    factory.script.delay, factory.script.extra_words = 0.0005, 2
    window.runner.run_all()
    wait_until(lambda: not window.runner.is_running(), 120)
    wait_until(lambda: window.metrics_panel.metrics() is not None, 30)
    window.case_panel.select_case("sp-003")
    pump(0.2)
    written.append(save_png(window, out / f"suite{tag}.png"))

    window.window_actions.show_metrics_action.trigger()
    pump(0.2)
    written.append(save_png(window, out / f"window-metrics{tag}.png"))
    window.window_actions.show_result_action.trigger()

    editor = window.policy_panel.editor
    cursor = editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    cursor.insertText("\n- SP4 Giveaways that require sharing the post.\n")
    editor.setTextCursor(cursor)
    pump(0.2)
    written.append(save_png(window, out / f"stale{tag}.png"))
    _close(window)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--themes", default="light,dark")
    parser.add_argument("--scale", type=float, default=1.0, help="device pixel ratio (2: HiDPI)")
    args = parser.parse_args(argv)
    suffix = ""
    if args.scale != 1.0:
        os.environ["QT_SCALE_FACTOR"] = f"{args.scale:g}"
        suffix = f"@{args.scale:g}x"
    sys.path.insert(0, str(ROOT))
    from app.gui.app import ensure_application

    app = ensure_application()
    written = []
    with tempfile.TemporaryDirectory(prefix="safeguard-shots-") as tmp:
        for theme in [t.strip() for t in args.themes.split(",") if t.strip()]:
            written += shoot(theme, args.out, Path(tmp), suffix)
    for path in written:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
