"""The models dialog shows each file's stored self-check, from real probes of synthetic
models (a good template passes, a broken one fails) and "not run" for a file never checked."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402

from app.engine.local.engine import LocalEngine  # noqa: E402
from app.gui.models.controller import ModelsController  # noqa: E402
from app.gui.models.dialog import ModelsDialog  # noqa: E402
from app.gui.models.table import Column  # noqa: E402
from app.runs.backends.model_checks import check_model, probe_settings  # noqa: E402
from tests.gui.models.test_gui_models import TIMEOUT, _cell, env  # noqa: E402, F401
from tests.runs.test_probe import POLICY_IN_USER, RUN  # noqa: E402
from tests.support.synthetic_gguf import cached_model, write_synthetic_gguf  # noqa: E402


def _probe(*paths: Path) -> None:
    engine = LocalEngine(cancel_grace=3.0)
    try:
        for path in paths:
            check_model(engine, probe_settings(path), RUN)
    finally:
        engine.close()


def test_dialog_shows_passed_failed_and_not_run(qtbot, env: Path, tmp_path: Path) -> None:  # noqa: F811
    good = shutil.copy(cached_model("tiny"), env / "good.gguf")
    broken = write_synthetic_gguf(env / "broken.gguf", "tiny", chat_template=POLICY_IN_USER)
    shutil.copy(cached_model("tiny"), env / "fresh.gguf")
    os.utime(env / "fresh.gguf", ns=(1, 1))  # another fingerprint than good.gguf
    _probe(Path(good), broken)
    ctl = ModelsController()
    try:
        with qtbot.waitSignal(ctl.checksRead, timeout=TIMEOUT):
            dlg = ModelsDialog(ctl, n_ctx=4096)
            qtbot.addWidget(dlg)
        assert _cell(dlg, "good", Column.CHECK) == "passed"
        assert _cell(dlg, "broken", Column.CHECK) == "failed"
        assert _cell(dlg, "fresh", Column.CHECK) == "not run"
        assert _cell(dlg, "tiny-safeguard", Column.CHECK) == ""  # not downloaded
        tip = _cell(dlg, "broken", Column.CHECK, Qt.ItemDataRole.ToolTipRole)
        assert "Self-check failed" in tip and "puts the policy in the user message" in tip
        dlg.select_name("broken")
        assert "puts the policy in the user message" in dlg.detail_label.text()
        dlg.select_name("good")
        assert "Self-check passed" in dlg.detail_label.text()
        dlg.show()
        dlg.grab().save(os.environ.get("MODELS_SHOT", str(tmp_path / "models_checks.png")))
    finally:
        ctl.shutdown()
    assert not ctl.threads_running()
