"""The typed settings registry: one key, default and validation per setting."""

from __future__ import annotations

import logging
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402

from app.gui.shared import options  # noqa: E402
from app.gui.shared.backend_values import backend_config  # noqa: E402
from app.gui.shared.settings_store import load_engine_settings, load_run_settings  # noqa: E402


def _settings(tmp_path, text: str) -> QSettings:
    path = tmp_path / "settings.ini"
    path.write_text(text, encoding="utf-8")
    return QSettings(str(path), QSettings.Format.IniFormat)


def test_a_garbled_gpu_layer_count_means_auto_never_all_layers(tmp_path, caplog) -> None:
    settings = _settings(tmp_path, "[engine]\nn_gpu_layers=banana\nn_ctx=lots\n")
    with caplog.at_level(logging.WARNING):
        engine = load_engine_settings(settings)
        again = backend_config(settings).engine
    assert engine.n_gpu_layers == "auto" and again.n_gpu_layers == "auto"
    assert engine.n_ctx == 8192
    logged = [r.getMessage() for r in caplog.records if "n_gpu_layers" in r.getMessage()]
    assert len(logged) <= 1  # logged once per key, not on every read


def test_every_read_falls_back_to_its_default(tmp_path) -> None:
    text = "[run]\neffort=extreme\ntemperature=nan\nseed=x\ndate=2024-13-45\n[ui]\ntheme=neon\n"
    settings = _settings(tmp_path, text)
    run = load_run_settings(settings)
    assert (run.effort, run.temperature, run.seed, run.date) == ("medium", 1.0, 1234, None)
    assert options.get(settings, options.THEME) == "system"


def test_numbers_out_of_range_are_clamped_and_valid_values_kept(tmp_path) -> None:
    settings = _settings(tmp_path, "[engine]\nn_gpu_layers=-7\nn_ctx=100\nparallel=99\n")
    assert options.get(settings, options.N_CTX) == 512
    assert options.get(settings, options.PARALLEL) == 16
    assert options.get(settings, options.N_GPU_LAYERS) == "auto"  # below -1 is garbled
    options.put(settings, options.N_GPU_LAYERS, 12)
    assert options.get(settings, options.N_GPU_LAYERS) == 12


def test_no_key_is_registered_twice() -> None:
    assert len(options.OPTIONS) == len(set(options.OPTIONS))
    assert options.splitter_state("mainSplitter") is options.splitter_state("mainSplitter")
