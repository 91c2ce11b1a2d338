"""pytest-qt tests of the backend settings page (values, keyring, test connection) and the
engine badge (placement and tokens/s)."""

from __future__ import annotations

import os
import socket
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QSettings, Qt  # noqa: E402

from app.core.run_types import ClassifyResult, LoadFacts, Timings, TokenCounts
from app.core.verdict import Verdict, VerdictStatus  # noqa: E402
from app.engine.remote import HttpError  # noqa: E402
from app.gui.running.engine_badge import EngineBadge, placement_text, speed_text  # noqa: E402
from app.gui.settings import backend_controller  # noqa: E402
from app.gui.settings.backend_controller import describe_connection  # noqa: E402
from app.gui.settings.backend_page import BackendSettingsWidget  # noqa: E402
from app.gui.shared.backend_values import load_backend_values, save_backend_values  # noqa: E402

TIMEOUT = 15000
SECRET = "sk-test-do-not-store-1234"


@pytest.fixture
def page(qtbot):
    widget = BackendSettingsWidget()
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    widget.shutdown()
    assert not widget.controller.thread_running()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends


REMOTE = {
    "backend": "remote",
    "model_path": "/models/gpt-oss-safeguard-20b-mxfp4.gguf",
    "n_gpu_layers": 12,
    "n_ctx": 16384,
    "parallel": 4,
    "base_url": "http://10.0.0.5:8000",
    "remote_model": "openai/gpt-oss-safeguard-20b",
    "remote_api": "chat",
    "api_key_env": "VLLM_KEY",
    "concurrency": 4,
    "deadline": 1800.0,
    "timeout": 120.0,
}


def test_values_round_trip(page: BackendSettingsWidget) -> None:
    page.set_values(REMOTE)
    assert page.values() == REMOTE
    assert page.stack.currentIndex() == 1
    for layers in ("auto", -1, 0, 7):
        page.set_values(dict(REMOTE, backend="local", n_gpu_layers=layers))
        assert page.values()["n_gpu_layers"] == layers
        assert page.gpu_spin.isEnabled() == (layers == 7)
    assert page.stack.currentIndex() == 0


def test_garbled_values_fall_back_to_defaults(page: BackendSettingsWidget) -> None:
    page.set_values(
        {
            "backend": "cloud",
            "n_ctx": "lots",
            "remote_api": "grpc",
            "concurrency": 0,
            "parallel": 99,
            "deadline": -5,
            "timeout": "forever",
        }
    )
    values = page.values()
    assert values["backend"] == "local" and values["n_ctx"] == 8192 and values["parallel"] == 16
    assert values["remote_api"] == "auto" and values["concurrency"] == 1
    assert values["n_gpu_layers"] == "auto" and values["deadline"] == 1.0  # clamped
    assert values["timeout"] == 300.0  # garbled: the default


def test_the_key_is_never_in_values_or_settings(
    qtbot, page: BackendSettingsWidget, tmp_path: Path, monkeypatch
) -> None:
    stored: list[tuple[str, str]] = []
    monkeypatch.setattr(
        backend_controller, "store_api_key", lambda url, key: stored.append((url, key))
    )
    page.set_values(REMOTE)
    page.key_edit.setText(SECRET)
    assert SECRET not in repr(page.values())
    with qtbot.waitSignal(page.controller.keySaved, timeout=TIMEOUT) as saved:
        page.save_key_button.click()
    assert saved.args[0] is True and "keyring" in page.result_label.text()
    assert stored == [("http://10.0.0.5:8000", SECRET)]
    assert page.key_edit.text() == ""  # not kept in the widget either
    ini = tmp_path / "settings.ini"
    settings = QSettings(str(ini), QSettings.Format.IniFormat)
    save_backend_values(settings, dict(page.values(), api_key=SECRET))
    assert SECRET not in ini.read_text(encoding="utf-8")
    assert load_backend_values(settings) == REMOTE


def test_keyring_failure_is_one_sentence(qtbot, page: BackendSettingsWidget, monkeypatch) -> None:
    def broken(_url: str, _key: str) -> None:
        raise HttpError(
            "The keyring package is not installed; set the key in an environment variable."
        )

    monkeypatch.setattr(backend_controller, "store_api_key", broken)
    page.key_edit.setText(SECRET)
    with qtbot.waitSignal(page.controller.keySaved, timeout=TIMEOUT) as saved:
        page.save_key_button.click()
    assert saved.args[0] is False
    assert page.result_label.text().startswith("The keyring package is not installed")
    assert page.key_edit.text() == SECRET  # kept so the user can copy it elsewhere


def test_test_connection_against_a_closed_port(qtbot, page: BackendSettingsWidget) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    page.set_values(dict(REMOTE, base_url=url, api_key_env="SAFEGUARD_TEST_NO_KEY"))
    with qtbot.waitSignal(page.controller.connectionTested, timeout=TIMEOUT) as tested:
        page.test_button.click()
        assert not page.test_button.isEnabled()
    assert tested.args[0] is False
    text = page.result_label.text()
    assert text.startswith(f"Cannot reach the server at {url}")
    assert text.endswith("check that it is running and the URL is right.")
    assert page.test_button.isEnabled()


def test_test_connection_with_a_bad_url(qtbot, page: BackendSettingsWidget) -> None:
    page.set_values(dict(REMOTE, base_url="ftp://example"))
    with qtbot.waitSignal(page.controller.connectionTested, timeout=TIMEOUT) as tested:
        page.test_button.click()
    assert tested.args[0] is False and "does not start with http:// or https://" in tested.args[1]


def test_describe_connection_names_model_context_and_safety() -> None:
    info = LoadFacts(
        base_url="http://127.0.0.1:8080",
        model="safeguard",
        backend="remote",
        api="llama-server",
        n_ctx=8192,
        api_key_source="none",
    )
    text = describe_connection(info)
    assert "'safeguard'" in text and "8,192 tokens" in text and "tokenized safely" in text
    assert "injection-safe" in describe_connection(replace(info, api="chat"))


def _result(tokens: TokenCounts, timings: Timings) -> ClassifyResult:
    return ClassifyResult(
        "c1", Verdict(VerdictStatus.OK, "1", True), "", "1", "return", tokens, timings
    )


def test_speed_text_formats_tokens_per_second() -> None:
    tokens = TokenCounts(prompt=600, evaluated=400, reused=200, generated=83)
    timings = Timings(prompt_ms=500.0, generate_ms=2000.0)
    assert speed_text(tokens, timings) == "prompt 800 tok/s · gen 41.5 tok/s"
    cached = TokenCounts(prompt=600, evaluated=0, reused=600, generated=10)
    assert speed_text(cached, Timings(0.0, 0.0, 250.0)) == "prompt cached · gen 40.0 tok/s"
    assert speed_text(TokenCounts(), Timings()) == ""


def test_placement_text() -> None:
    assert placement_text(LoadFacts(n_gpu_layers=-1, gpu_offload=True), "CUDA") == (
        "GPU (CUDA), all layers"
    )
    assert placement_text(LoadFacts(n_gpu_layers=12, gpu_offload=True)) == "GPU, 12 layers + CPU"
    assert placement_text(LoadFacts(n_gpu_layers=0, gpu_offload=False)) == "CPU"
    note = "Loading on the GPU failed (out of memory), so the model runs on the CPU."
    assert placement_text(LoadFacts(n_gpu_layers=0, placement=note)) == "CPU (GPU load failed)"
    remote = LoadFacts(backend="remote", base_url="http://10.0.0.5:8000", api="chat")
    assert placement_text(remote) == "server 10.0.0.5:8000"


def test_engine_badge_shows_where_and_how_fast(qtbot) -> None:
    badge = EngineBadge()
    qtbot.addWidget(badge)
    assert badge.text() == "" and badge.isHidden()
    note = "all layers on the GPU (the model fits in its memory)"
    badge.set_load_info(
        LoadFacts(model="m.gguf", n_gpu_layers=-1, gpu_offload=True, placement=note), "Metal"
    )
    assert badge.text() == "GPU (Metal), all layers"
    assert note in badge.toolTip()
    tokens = TokenCounts(prompt=1000, evaluated=1000, reused=0, generated=50)
    badge.set_result(_result(tokens, Timings(prompt_ms=1250.0, generate_ms=500.0)))
    assert badge.text() == "GPU (Metal), all layers · prompt 800 tok/s · gen 100 tok/s"
    assert "1,000 prompt tokens" in badge.toolTip()
    assert badge.textFormat() == Qt.TextFormat.PlainText
    badge.clear()
    assert badge.text() == ""
