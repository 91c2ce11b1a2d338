"""The one check of run and engine settings that the CLI and the window share."""

from __future__ import annotations

import dataclasses

import pytest

from app.core.run_types import EngineSettings, RunSettings
from app.core.settings_check import SettingsError, check_settings


def test_defaults_and_edges_pass() -> None:
    check_settings(RunSettings(), EngineSettings())
    check_settings(RunSettings(temperature=0, top_p=1, seed=0, max_tokens=1, date="2024-02-29"))
    check_settings(RunSettings(max_tokens=511), EngineSettings(n_ctx=512, n_gpu_layers=-1))


@pytest.mark.parametrize(
    ("run", "words"),
    [
        (dict(max_tokens=0), "token budget 0 is out of range"),
        (dict(temperature=float("nan")), "temperature nan"),
        (dict(top_p=1.01), "top_p 1.01"),
        (dict(seed=-1), "not a fixed seed"),
        (dict(date="2024-13-45"), "not a real date"),
        (dict(date="2023-02-29"), "not a real date"),
        (dict(effort="max"), "Reasoning effort 'max' is unknown"),
        (dict(renderer="jinja"), "Renderer 'jinja' is unknown"),
        (dict(max_tokens=True), "token budget"),
    ],
)
def test_bad_run_setting(run, words) -> None:
    with pytest.raises(SettingsError, match=words.replace("(", r"\(")) as caught:
        check_settings(dataclasses.replace(RunSettings(), **run))
    assert str(caught.value).endswith(".") and "\n" not in str(caught.value)


def test_context_beyond_the_model_says_the_memory_estimate_before_loading() -> None:
    with pytest.raises(SettingsError) as caught:
        check_settings(
            RunSettings(), EngineSettings(n_ctx=10_000_000), model_context=131_072,
            describe_memory=lambda n: f"84.7 GB at {n:,} tokens",
        )  # fmt: skip
    assert str(caught.value) == (
        "The context size 10,000,000 is more than the model's 131,072 tokens; it would need "
        "about 84.7 GB at 10,000,000 tokens; use 131,072 or less."
    )


@pytest.mark.parametrize(
    ("engine", "words"),
    [
        (dict(n_ctx=0), "context size 0 is too small"),
        (dict(n_ctx=-5), "context size -5 is too small"),
        (dict(n_gpu_layers=-3), "GPU layers -3"),
        (dict(n_gpu_layers="all"), "GPU layers 'all'"),
        (dict(n_threads=0), "Threads 0"),
        (dict(n_batch=0), "batch size 0"),
    ],
)
def test_bad_engine_setting(engine, words) -> None:
    with pytest.raises(SettingsError, match=words):
        check_settings(RunSettings(), dataclasses.replace(EngineSettings(), **engine))


def test_budget_must_leave_room_for_the_prompt() -> None:
    with pytest.raises(SettingsError, match="does not leave room for the prompt"):
        check_settings(RunSettings(max_tokens=4096), EngineSettings(n_ctx=4096))
