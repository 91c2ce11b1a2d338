"""One table of setting defaults and ranges (app.core.setting_limits), read the same way by
the window's stored settings, the Settings dialog's spin boxes, the command line's defaults
and its refusals: a differential test over every number a user sets.

Before the table the window stored seeds up to 2**31 - 1 and budgets from 16 while the
command line took seeds up to 2**32 - 2 and budgets from 1; the unstable share was
0.5..1 in the window and 0..1 on the command line."""

from __future__ import annotations

import argparse
import os
from contextlib import nullcontext
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from app.cli import build_parser  # noqa: E402
from app.commands import CommandError  # noqa: E402
from app.commands.backend_options import check_backend_arguments  # noqa: E402
from app.core import setting_limits as limits  # noqa: E402
from app.core.run_types import EngineSettings, RunSettings  # noqa: E402
from app.core.setting_limits import Limit  # noqa: E402
from app.core.settings_check import SettingsError, check_samples, check_settings  # noqa: E402
from app.gui.settings.dialog import SettingsDialog  # noqa: E402
from app.gui.shared import options  # noqa: E402

# the window's stored setting and the dialog's spin box (a path of attributes)
WINDOW = {
    "N_CTX": (options.N_CTX, "backend_page.ctx_spin"),
    "N_THREADS": (options.N_THREADS, "threads_spin"),
    "PARALLEL": (options.PARALLEL, "backend_page.parallel_spin"),
    "PREFIX_CACHE_MB": (options.PREFIX_CACHE_MB, "prefix_row.budget_spin"),
    "CONCURRENCY": (options.CONCURRENCY, "backend_page.concurrency_spin"),
    "DEADLINE": (options.REMOTE_DEADLINE, "backend_page.deadline_spin"),
    "READ_TIMEOUT": (options.REMOTE_SILENCE, "backend_page.silence_spin"),
    "TEMPERATURE": (options.TEMPERATURE, "temperature_spin"),
    "TOP_P": (options.TOP_P, "top_p_spin"),
    "SEED": (options.SEED, "seed_spin"),
    "MAX_TOKENS": (options.MAX_TOKENS, "budget_spin"),
    "UNSTABLE_BELOW": (options.UNSTABLE_BELOW, "unstable_spin"),
    "GPU_LAYERS": (options.N_GPU_LAYERS, "backend_page.gpu_spin"),  # its words: a combo box
}
TABLE = {name: value for name, value in vars(limits).items() if isinstance(value, Limit)}


def test_every_limit_in_the_table_is_used_by_the_window() -> None:
    assert set(TABLE) == set(WINDOW)
    assert options.SAMPLES.default == limits.SAMPLES in limits.SAMPLE_COUNTS


@pytest.mark.parametrize("name", sorted(WINDOW))
def test_the_window_stores_and_shows_the_table_s_range(qtbot, tmp_path: Path, name: str) -> None:
    limit, (option, spin_path) = TABLE[name], WINDOW[name]
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    spin = dialog
    for part in spin_path.split("."):
        spin = getattr(spin, part)
    low = limit.special if isinstance(limit.special, int) else limit.low
    assert (spin.minimum(), spin.maximum()) == (low, limit.high)
    assert option.default == limit.default
    if isinstance(limit.special, str):
        return  # "auto" GPU layers: a word the combo box beside the count chooses
    for stored, kept in ((limit.high * 2 + 1, limit.high), (limit.low - 1, low)):
        settings.setValue(option.key, stored)
        assert options.get(settings, option) == kept
    spin.setValue(limit.high)  # the whole range is typed in, not clipped by a 32-bit box
    assert spin.value() == limit.high


def _run_refused(**values: float) -> bool:
    try:
        check_settings(RunSettings(**values))  # a remote run: no context to leave room in
    except SettingsError:
        return True
    return False


@pytest.mark.parametrize(
    ("name", "field"),
    [("TEMPERATURE", "temperature"), ("TOP_P", "top_p"), ("SEED", "seed"),
     ("MAX_TOKENS", "max_tokens")],
)  # fmt: skip
def test_the_command_line_takes_the_run_range_and_refuses_past_it(name: str, field: str) -> None:
    limit = TABLE[name]
    step = 0.01 if isinstance(limit.high, float) else 1
    assert getattr(RunSettings(), field) == limit.default
    assert not _run_refused(**{field: limit.low}) and not _run_refused(**{field: limit.high})
    assert _run_refused(**{field: limit.low - step}) and _run_refused(**{field: limit.high + step})


def test_the_command_line_takes_the_engine_and_share_ranges() -> None:
    for n_ctx, refused in ((511, True), (512, False), (1 << 20, False), ((1 << 20) + 1, True)):
        engine = EngineSettings(model_path="m.gguf", n_ctx=n_ctx)
        with pytest.raises(SettingsError) if refused else nullcontext():
            check_settings(RunSettings(max_tokens=16), engine)
    for threads, refused in ((0, True), (1, False), (1024, False), (1025, True)):
        engine = EngineSettings(model_path="m.gguf", n_threads=threads)
        with pytest.raises(SettingsError) if refused else nullcontext():
            check_settings(RunSettings(), engine)
    for share, refused in ((0.49, True), (0.5, False), (1.0, False), (1.01, True)):
        with pytest.raises(SettingsError) if refused else nullcontext():
            check_samples(1234, 3, share)


def _backend_args(*extra: str) -> argparse.Namespace:
    return build_parser().parse_args(["eval", "--policy", "p.md", *extra])


@pytest.mark.parametrize(
    ("backend", "flag", "limit"),
    [("local", "--concurrency", limits.PARALLEL), ("remote", "--concurrency", limits.CONCURRENCY),
     ("remote", "--timeout", limits.READ_TIMEOUT), ("remote", "--deadline", limits.DEADLINE)],
)  # fmt: skip
def test_the_command_line_backend_options_use_the_table(backend, flag, limit) -> None:
    where = ["--backend", backend, "--base-url", "http://127.0.0.1:9", "--model", "m.gguf"]
    dest = flag.lstrip("-")
    assert getattr(_backend_args(*where), dest) == limit.default
    for value, refused in ((limit.low, False), (limit.high, False), (limit.high + 1, True)):
        args = _backend_args(*where, flag, str(value))
        with pytest.raises(CommandError) if refused else nullcontext():
            check_backend_arguments(args)
    args = _backend_args(*where, flag, str(limit.low - 1))
    with pytest.raises(CommandError):
        check_backend_arguments(args)
