"""Saved policy prefixes on real llama.cpp: restored across processes, exact, and refused
when anything that makes them valid has changed or the file is damaged."""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
from dataclasses import replace
from pathlib import Path

import llama_cpp
import numpy as np
import pytest

from app.core.run_types import EngineSettings, Finished, Started
from app.engine.local.engine import LocalEngine
from app.engine.local.prefix_store import PrefixStore
from app.engine.local.runner import LlamaRunner
from tests.support.requests import request

SETTINGS = dict(n_ctx=2048, n_threads=2)


def finish(events) -> Finished:
    ends = [e for e in events if isinstance(e, Finished)]
    assert len(ends) == 1
    return ends[0]


def last_logits(runner: LlamaRunner) -> np.ndarray:
    n_vocab = llama_cpp.llama_vocab_n_tokens(runner._vocab)
    pointer = llama_cpp.llama_get_logits_ith(runner.llm.ctx, -1)
    return np.ctypeslib.as_array(ctypes.cast(pointer, ctypes.POINTER(ctypes.c_float)), (n_vocab,))


@pytest.fixture
def store(tmp_path: Path) -> PrefixStore:
    return PrefixStore(tmp_path / "prefixes")


def runner_for(model: Path, store: PrefixStore | None, **settings) -> LlamaRunner:
    return LlamaRunner(EngineSettings(model_path=str(model), **{**SETTINGS, **settings}), store)


def test_restored_prefix_gives_the_logits_of_a_fresh_evaluation(tiny_model, store) -> None:
    first = runner_for(tiny_model, store)
    # longer than the sliding window (128): the saved prefix must survive a long first case
    long_case = request("a", "a long first case " * 40)
    result = finish(first.classify(long_case, lambda: False)).result
    assert result.tokens.prompt - first.prompt(long_case).prefix > 128
    assert result.tokens.reused == 0
    assert len(store.files()) == 1  # saved after the result
    first.llm.close()

    case = request("b", "another case, never seen")
    restored = runner_for(tiny_model, store)
    prompt = restored.prompt(case)
    reused, evaluated_prefix = restored._evaluate_prompt(prompt, lambda: False)
    assert (reused, evaluated_prefix) == (prompt.prefix, False)
    # the same work in one process, the prefix kept in memory: the same numbers
    kept = runner_for(tiny_model, None)
    finish(kept.classify(long_case, lambda: False))
    assert kept._evaluate_prompt(prompt, lambda: False) == (prompt.prefix, False)
    np.testing.assert_allclose(last_logits(restored), last_logits(kept), rtol=0, atol=1e-6)
    # a fresh evaluation of the whole prompt differs only by floating-point order (flash
    # attention's kernels depend on the batch's shape)
    fresh = runner_for(tiny_model, None)
    assert fresh._evaluate_prompt(prompt, lambda: False) == (0, True)
    np.testing.assert_allclose(last_logits(restored), last_logits(fresh), rtol=0, atol=2e-3)
    # and the whole answer is the one the kept prefix gives
    restored_result = finish(restored.classify(case, lambda: False)).result
    kept_result = finish(kept.classify(case, lambda: False)).result
    assert restored_result.analysis == kept_result.analysis
    for runner in (restored, kept, fresh):
        runner.llm.close()


def test_a_new_engine_process_evaluates_only_the_case(tiny_model: Path) -> None:
    settings = EngineSettings(model_path=str(tiny_model), **SETTINGS)
    with LocalEngine() as engine:
        engine.load(settings)
        first = finish(engine.classify(request("a", "the first case"))).result
        assert first.tokens.evaluated == first.tokens.prompt
    with LocalEngine() as engine:  # a restart: nothing in memory
        engine.load(settings)
        events = list(engine.classify(request("b", "a case after the restart")))
        started = next(e for e in events if isinstance(e, Started))
        result = finish(events).result
        assert started.reused_tokens == result.tokens.reused > 50
        assert result.tokens.evaluated == result.tokens.prompt - result.tokens.reused
        assert result.tokens.evaluated < 20  # the case's own tokens only
        # the batched path restores it too
        many = list(engine.classify_many([request(f"m{i}", f"case {i}") for i in range(3)], 2))
        first_started = next(e for e in many if isinstance(e, Started) and e.case_id == "m0")
        assert first_started.reused_tokens == result.tokens.reused
        engine.set_prefix_budget(0)  # a new budget reaches the running engine: all evicted
        engine.set_prefix_budget(10**9)
        list(engine.classify_many([request("n0", "saved by the batched path")], 2))
    with LocalEngine() as engine:  # what the batched path saved, the single path restores
        engine.load(settings)
        single = finish(engine.classify(request("d", "one more"))).result
        assert single.tokens.reused == result.tokens.reused
    with LocalEngine(prefix_budget=0) as engine:  # turned off: neither used nor saved
        engine.load(settings)
        off = finish(engine.classify(request("c", "a case after the restart"))).result
        assert off.tokens.reused == 0


@pytest.mark.parametrize(
    "change",
    ["model", "template", "date", "context size"],
)
def test_a_prefix_saved_under_other_conditions_is_not_used(
    tiny_model: Path, store: PrefixStore, tmp_path: Path, change: str
) -> None:
    first = runner_for(tiny_model, store)
    finish(first.classify(request("a", "case"), lambda: False))
    first.llm.close()
    model, settings, case = tiny_model, {}, request("b", "case two")
    if change == "model":  # the same weights, but another file: another fingerprint
        model = tmp_path / "copy.gguf"
        shutil.copy(tiny_model, model)
        os.utime(model, ns=(1, 1))
    elif change == "template":
        case = replace(case, run=replace(case.run, renderer="harmony"))
    elif change == "date":
        case = replace(case, run=replace(case.run, date="2026-02-02"))
    else:
        settings = {"n_ctx": 4096}
    second = runner_for(model, store, **settings)
    result = finish(second.classify(case, lambda: False)).result
    assert result.tokens.reused == 0 and result.tokens.evaluated == result.tokens.prompt
    assert len(store.files()) == 2  # its own prefix is saved beside the other
    second.llm.close()


@pytest.mark.parametrize("damage", ["corrupt", "truncated", "foreign"])
def test_a_damaged_state_file_is_rejected_logged_and_recomputed(
    tiny_model: Path, store: PrefixStore, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    first = runner_for(tiny_model, store)
    finish(first.classify(request("a", "case"), lambda: False))
    first.llm.close()
    (path,) = store.files()
    data = bytearray(path.read_bytes())
    if damage == "corrupt":
        data[-100] ^= 0xFF
    elif damage == "truncated":
        del data[len(data) // 2 :]
    else:  # a file of another key under this key's name (another model, another build)
        data = data.replace(b'"llama": "llama-cpp-python', b'"llama": "llama-cpp-pythoX', 1)
    path.write_bytes(bytes(data))
    second = runner_for(tiny_model, store)
    with caplog.at_level(logging.WARNING):
        result = finish(second.classify(request("b", "case two"), lambda: False)).result
    assert result.tokens.reused == 0  # recomputed, never loaded
    assert "rejected" in caplog.text and path.name in caplog.text
    # and saved again, whole
    third = runner_for(tiny_model, store)
    assert finish(third.classify(request("c", "case 3"), lambda: False)).result.tokens.reused
    second.llm.close()
    third.llm.close()
