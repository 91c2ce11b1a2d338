"""pytest-qt tests of the models dialog and its controller: listing, add, use, download.

Every folder is redirected into tmp_path; downloads come from the loopback fake hub
(``HF_ENDPOINT``) with a one-entry catalog pointing at it. Hardware detection is replaced
by a fixed snapshot so the summary is predictable.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import threading
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QFileDialog  # noqa: E402

from app.gui.models import controller as models_controller  # noqa: E402
from app.gui.models.controller import ModelsController  # noqa: E402
from app.gui.models.dialog import ModelsDialog  # noqa: E402
from app.gui.models.download_row import format_duration, progress_text  # noqa: E402
from app.gui.models.table import Column, ModelRole  # noqa: E402
from app.library import (
    catalog,
    download,  # noqa: E402
)
from app.library.hardware import Hardware  # noqa: E402
from tests.support.fake_hub import FakeHub  # noqa: E402
from tests.support.synthetic_gguf import cached_model  # noqa: E402

TIMEOUT = 15000
REPO, FILE = "test-org/tiny-safeguard-GGUF", "tiny-safeguard.gguf"
GiB = 1024**3
FAKE_HW = Hardware("CPU", False, "CPU : AVX2 = 1", 16 * GiB, 9 * GiB, None, None)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("CONFIG", "DATA", "CACHE", "LOG"):
        monkeypatch.setenv(f"SAFEGUARD_{name}_DIR", str(tmp_path / name.lower()))
    models = tmp_path / "models"
    monkeypatch.setenv("SAFEGUARD_MODELS_DIR", str(models))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setattr(models_controller, "detect_hardware", lambda: FAKE_HW)
    cat = tmp_path / "models.json"
    entry = {
        "id": "tiny-safeguard",
        "name": "tiny safeguard (test)",
        "repo_id": REPO,
        "filename": FILE,
        "quantization": "Q8_0",
        "size_bytes": cached_model("tiny").stat().st_size,
        "size_exact": True,
        "sha256": None,
    }
    big = dict(entry, id="big-server", name="big (server)", filename="big.gguf")
    big.update(server_class=True, size_bytes=65_000_000_000)
    cat.write_text(json.dumps({"models": [entry, big]}), encoding="utf-8")
    monkeypatch.setattr(catalog, "CATALOG_PATH", cat)
    models.mkdir(parents=True)
    return models


@pytest.fixture
def controller(env: Path):
    ctl = ModelsController()
    yield ctl
    ctl.shutdown()
    assert not ctl.threads_running()


@pytest.fixture
def dialog(qtbot, controller: ModelsController):
    with qtbot.waitSignal(controller.modelsListed, timeout=TIMEOUT):
        dlg = ModelsDialog(controller, n_ctx=4096)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def _row(dlg: ModelsDialog, name: str) -> int:
    row = dlg.model.row_of(name)
    assert row >= 0, [i.name for i in dlg.model.items()]
    return row


def _cell(dlg: ModelsDialog, name: str, column: Column, role=Qt.ItemDataRole.DisplayRole):
    return dlg.model.index(_row(dlg, name), column).data(role)


def _refresh(qtbot, dlg: ModelsDialog) -> None:
    with qtbot.waitSignal(dlg.controller.modelsListed, timeout=TIMEOUT):
        dlg.controller.refresh(dlg.n_ctx)


def test_lists_a_ready_synthetic_file_and_an_invalid_one(qtbot, env: Path) -> None:
    shutil.copy(cached_model("tiny"), env / "tiny-ready.gguf")
    (env / "noise.gguf").write_bytes(random.Random(1).randbytes(4096))
    ctl = ModelsController()
    try:
        with qtbot.waitSignal(ctl.hardwareDetected, timeout=TIMEOUT) as hw:
            dlg = ModelsDialog(ctl, n_ctx=4096)
            qtbot.addWidget(dlg)
        qtbot.waitUntil(lambda: dlg.model.rowCount() == 4, timeout=TIMEOUT)
        assert "CPU only" in hw.args[0] and "RAM" in hw.args[0]
        qtbot.waitUntil(lambda: "CPU only" in dlg.hardware_label.text(), timeout=TIMEOUT)
        assert _cell(dlg, "tiny-ready", Column.STATE) == "ready"
        assert _cell(dlg, "tiny-ready", Column.QUANT)
        assert "fits in RAM" in _cell(dlg, "tiny-ready", Column.MEMORY)
        assert _cell(dlg, "noise", Column.STATE) == "invalid"
        tip = _cell(dlg, "noise", Column.STATE, Qt.ItemDataRole.ToolTipRole)
        assert "not a GGUF model file" in tip
        assert _cell(dlg, "tiny-safeguard", Column.STATE) == "not downloaded"
        assert "4,096 tokens" in dlg.context_label.text()
    finally:
        ctl.shutdown()
    assert not ctl.threads_running()


def test_server_class_entry_cannot_be_downloaded(qtbot, dialog: ModelsDialog) -> None:
    assert _cell(dialog, "big-server", Column.STATE) == "not downloaded (server)"
    dialog.select_name("big-server")
    assert not dialog.download_button.isEnabled()
    assert "remote backend" in dialog.download_button.toolTip()
    dialog.select_name("tiny-safeguard")
    assert dialog.download_button.isEnabled()


def test_offline_is_shown_and_disables_download(qtbot, controller, monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with qtbot.waitSignal(controller.modelsListed, timeout=TIMEOUT):
        dlg = ModelsDialog(controller)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.offline_label.isVisible() and "HF_HUB_OFFLINE" in dlg.offline_label.text()
    dlg.select_name("tiny-safeguard")
    assert not dialog_enabled(dlg)


def dialog_enabled(dlg: ModelsDialog) -> bool:
    return dlg.download_button.isEnabled()


def test_add_file_rejects_a_bad_file_with_one_sentence(
    qtbot, dialog: ModelsDialog, tmp_path: Path, monkeypatch
) -> None:
    bad = tmp_path / "empty.gguf"
    bad.write_bytes(b"")
    seen = {}

    def pick(_parent, _title, folder, filter_):
        seen["filter"] = filter_
        return str(bad), filter_

    monkeypatch.setattr(QFileDialog, "getOpenFileName", pick)
    with qtbot.waitSignal(dialog.controller.fileRejected, timeout=TIMEOUT) as rejected:
        dialog.add_button.click()
    assert seen["filter"] == "GGUF model files (*.gguf)"
    assert rejected.args[0] == "empty.gguf is empty (0 bytes); download it again."
    assert dialog.message_label.text() == rejected.args[0]


def test_add_file_then_use_emits_active_model_changed(
    qtbot, dialog: ModelsDialog, tmp_path: Path, monkeypatch
) -> None:
    good = tmp_path / "elsewhere" / "my-safeguard.gguf"
    good.parent.mkdir()
    shutil.copy(cached_model("tiny"), good)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a: (str(good), ""))
    with qtbot.waitSignal(dialog.controller.modelsListed, timeout=TIMEOUT):
        dialog.add_button.click()
    assert _cell(dialog, "my-safeguard", Column.STATE) == "ready"
    assert dialog.selected_item().name == "my-safeguard"
    assert dialog.use_button.isEnabled()
    with qtbot.waitSignal(dialog.controller.activeModelChanged, timeout=TIMEOUT) as used:
        dialog.use_button.click()
    assert used.args[0] == str(good.resolve())
    assert catalog.active_model() == good.resolve()
    qtbot.waitUntil(lambda: _cell(dialog, "my-safeguard", Column.NAME).startswith("●"))
    assert not dialog.use_button.isEnabled()  # already the active one


@pytest.fixture
def hub(env: Path, monkeypatch: pytest.MonkeyPatch):
    import huggingface_hub.constants as hf_constants

    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False, raising=False)
    monkeypatch.setattr(hf_constants, "DOWNLOAD_CHUNK_SIZE", 64 * 1024)  # cancel mid-way
    monkeypatch.setattr(download, "_EMIT_EVERY", 0.0)
    try:  # huggingface_hub 1.x+ fetches an "agent harness" list once a day: keep it local
        from huggingface_hub.utils import _detect_agent

        monkeypatch.setattr(_detect_agent, "_registry", {"standardEnvVars": [], "harnesses": {}})
    except ImportError:
        pass
    with FakeHub() as fake:
        fake.add_file(REPO, FILE, cached_model("tiny").read_bytes())
        monkeypatch.setenv("HF_ENDPOINT", fake.endpoint)
        yield fake
    assert not [t for t in threading.enumerate() if t.name == "fake-hub"]


def test_download_shows_progress_and_finishes(qtbot, dialog: ModelsDialog, hub: FakeHub) -> None:
    ctl = dialog.controller
    progress: list[tuple] = []
    ctl.downloadProgress.connect(lambda *args: progress.append(args))
    dialog.select_name("tiny-safeguard")
    with qtbot.waitSignal(ctl.downloadFinished, timeout=TIMEOUT) as done:
        dialog.download_button.click()
        assert dialog.download_row.isVisible() and not dialog.download_button.isEnabled()
    assert done.args == ["tiny-safeguard", str(env_path(dialog) / FILE)]
    size = cached_model("tiny").stat().st_size
    assert progress and progress[-1][1] == size and progress[-1][2] == size
    assert "ETA" in dialog.download_row.label.text()
    assert not dialog.download_row.isVisible()
    qtbot.waitUntil(
        lambda: _cell(dialog, "tiny-safeguard", Column.STATE) == "ready", timeout=TIMEOUT
    )


def env_path(dialog: ModelsDialog) -> Path:
    return dialog.controller.models_dir()


def test_cancelled_download_ends_once_and_resumes(
    qtbot, dialog: ModelsDialog, hub: FakeHub
) -> None:
    ctl = dialog.controller
    hub.chunk_delay = 0.02
    ends: list[str] = []
    for signal in (ctl.downloadFinished, ctl.downloadFailed, ctl.downloadCancelled):
        signal.connect(lambda *args, s=signal: ends.append(args[0]))
    cancel_once = [True]

    def cancel_on_first_bytes(_name, downloaded, _total, _speed, _eta) -> None:
        if downloaded > 0 and cancel_once[0]:
            cancel_once[0] = False
            dialog.download_row.cancel_button.click()

    ctl.downloadProgress.connect(cancel_on_first_bytes)
    dialog.select_name("tiny-safeguard")
    with qtbot.waitSignal(ctl.downloadCancelled, timeout=TIMEOUT) as cancelled:
        dialog.download_button.click()
    assert cancelled.args == ["tiny-safeguard"]
    qtbot.wait(200)
    assert ends == ["tiny-safeguard"]  # exactly one terminal signal
    assert "paused" in dialog.message_label.text()
    (partial,) = catalog.partial_files(env_path(dialog), FILE)
    kept = partial.stat().st_size
    assert 0 < kept < cached_model("tiny").stat().st_size
    qtbot.waitUntil(
        lambda: _cell(dialog, "tiny-safeguard", Column.STATE).startswith("partial"),
        timeout=TIMEOUT,
    )
    dialog.select_name("tiny-safeguard")
    assert dialog.download_button.text() == "Resume" and dialog.download_button.isEnabled()

    hub.chunk_delay = 0.0
    with qtbot.waitSignal(ctl.downloadFinished, timeout=TIMEOUT):
        dialog.download_button.click()
    gets = [r for r in hub.requests if r[0] == "GET" and "/resolve/" in r[1]]
    assert gets[-1][2] == f"bytes={kept}-"  # resumed, not restarted
    assert (env_path(dialog) / FILE).read_bytes() == cached_model("tiny").read_bytes()
    assert ends == ["tiny-safeguard", "tiny-safeguard"]


def test_unknown_name_fails_once(qtbot, controller: ModelsController) -> None:
    with qtbot.waitSignal(controller.downloadFailed, timeout=TIMEOUT) as failed:
        controller.download("no-such-model")
    assert "not in the model catalog" in failed.args[1]
    assert controller.downloading() is None


def test_format_duration() -> None:
    assert format_duration(-1) == "--"
    assert format_duration(5.4) == "5s"
    assert format_duration(245) == "4m 05s"
    assert format_duration(3720) == "1h 02m"


def test_model_role_gives_the_item(qtbot, dialog: ModelsDialog) -> None:
    index = dialog.model.index(_row(dialog, "tiny-safeguard"), Column.SIZE)
    assert index.data(ModelRole.NAME) == "tiny-safeguard"
    assert index.data(ModelRole.ITEM).entry.repo_id == REPO


def test_progress_text() -> None:
    assert progress_text(6_254_000_000, 15_805_136_672, 38_400_000.0, 249.0, False) == (
        "6.3 GB of 15.8 GB · 38.4 MB/s · ETA 4m 09s"
    )
    assert progress_text(1000, None, 0.0, -1.0, True) == "checking 1.0 kB · 0 B/s · ETA --"


def test_offline_laptop_gets_the_facts_to_fetch_a_model_elsewhere(
    qtbot, controller, monkeypatch, tmp_path: Path
) -> None:
    """Offline, a catalog model not here shows its repository, file name, size and SHA-256
    (copyable) to fetch it on another computer, and the dialog names its Add file… button,
    never a CLI command."""
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QLabel

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    digest = "0123456789abcdef" * 4
    entries = json.loads(catalog.CATALOG_PATH.read_text(encoding="utf-8"))
    entries["models"][0]["sha256"] = digest
    cat = tmp_path / "models-with-sha.json"
    cat.write_text(json.dumps(entries), encoding="utf-8")
    monkeypatch.setattr(catalog, "CATALOG_PATH", cat)
    with qtbot.waitSignal(controller.modelsListed, timeout=TIMEOUT):
        dlg = ModelsDialog(controller)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    rect = dlg.table.visualRect(dlg.model.index(_row(dlg, "tiny-safeguard"), 0))
    QTest.mouseClick(dlg.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    facts = dlg.fetch_facts
    assert facts.isVisible()
    text = facts.label.text()
    size = cached_model("tiny").stat().st_size
    for words in (
        f"Repository: https://huggingface.co/{REPO}",
        f"File: {FILE}",
        f"({size:,} bytes)",
        f"SHA-256: {digest}",
        f"https://huggingface.co/{REPO}/resolve/main/{FILE}",
    ):
        assert words in text
    QTest.mouseClick(facts.copy_button, Qt.MouseButton.LeftButton)
    assert digest in QGuiApplication.clipboard().text()
    assert "Add file…" in dlg.offline_label.text() and dlg.add_button.text() == "Add file…"
    said = [w.text() + w.toolTip() for w in dlg.findChildren(QLabel)]
    assert not any("safeguard-studio " in line or "models add" in line for line in said)
    # a ready file needs no fetching: the facts go away
    shutil.copy(cached_model("tiny"), Path(os.environ["SAFEGUARD_MODELS_DIR"]) / FILE)
    _refresh(qtbot, dlg)
    rect = dlg.table.visualRect(dlg.model.index(_row(dlg, "tiny-safeguard"), 0))
    QTest.mouseClick(dlg.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert not facts.isVisible()
