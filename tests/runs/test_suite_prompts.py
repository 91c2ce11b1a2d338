"""A response case is judged with its prompt: the suite sends the documented layout (the
user's prompt, then the response) and keys its cache on it, so a changed prompt is a miss."""

from __future__ import annotations

from app.core.cases import TestCase, model_content
from app.core.policy import parse_policy
from app.core.run_types import RunSettings
from app.runs.pipeline.inputs import SuiteInputs
from app.runs.pipeline.suite import run_suite
from app.store import Store
from tests.support.scripted_engine import ScriptedEngine

POLICY = parse_policy("---\nname: Spam\nformat: binary\n---\n# Spam\nSP1 Bulk promotion.\n")
LAYOUT = "The user's prompt:\nHow do I reset my router?\n\nThe response to judge:\nUnplug it."


def _run(engine, store, cases):
    inputs = SuiteInputs(
        engine, POLICY, cases, RunSettings(), store=store, model_fingerprint="fake-model",
        template_hash="tmpl",
    )  # fmt: skip
    return run_suite(inputs, order="file")


def test_model_content_layout():
    response = TestCase("r", "Unplug it.", "0", prompt="How do I reset my router?")
    assert model_content(response) == LAYOUT
    assert model_content(TestCase("p", "How do I reset my router?")) == "How do I reset my router?"


def test_the_engine_sees_prompt_then_response_and_the_cache_keys_the_prompt(tmp_path):
    store = Store(tmp_path / "results.db")
    try:
        response = TestCase("r", "Unplug it.", "0", prompt="How do I reset my router?")
        engine = ScriptedEngine({})
        _run(engine, store, [response])
        assert [request.content for request in engine.requests] == [LAYOUT]
        again = ScriptedEngine({})
        _run(again, store, [response])
        assert again.requests == []  # same prompt and response: cached
        other = TestCase("r", "Unplug it.", "0", prompt="How do I hack my neighbour's router?")
        third = ScriptedEngine({})
        _run(third, store, [other])
        assert len(third.requests) == 1  # another prompt: asked again
        assert third.requests[0].content.startswith("The user's prompt:\nHow do I hack")
    finally:
        store.close()
