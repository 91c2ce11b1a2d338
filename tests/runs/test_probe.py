"""The model self-check on the real llama.cpp engine with synthetic gpt-oss models: the
good template passes; a template broken on purpose fails with a clear sentence; results are
stored per model fingerprint."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.core.run_types import Delta
from app.engine.local.engine import LocalEngine
from app.engine.protocol import Capabilities
from app.runs.backends import model_checks
from app.runs.backends.model_checks import check_model, probe_settings, stored_check
from app.runs.backends.probe import (
    PROBE_CASES,
    PROBE_POLICY,
    PROBE_RUN,
    template_problem,
    token_problem,
)
from tests.support.requests import ENDLESS, GRAMMAR
from tests.support.synthetic_gguf import HARMONY_CHAT_TEMPLATE, write_synthetic_gguf

# The random-weight model answers gibberish; the grammar makes it answer in harmony's shape,
# so what is checked is the file: its template, its special tokens and its stop tokens.
RUN = replace(PROBE_RUN, grammar=GRAMMAR, max_tokens=64)
POLICY_IN_USER = HARMONY_CHAT_TEMPLATE.replace(
    '"<|start|>developer<|message|># Instructions\\n\\n" ~ content ~ "\\n\\n<|end|>"',
    '"<|start|>user<|message|>" ~ content ~ "<|end|>"',
)
NO_EFFORT = HARMONY_CHAT_TEMPLATE.replace('"\\nReasoning: " ~ effort ~ "\\n\\n"', '"\\n"')


@pytest.fixture()
def data(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def _probe(path: Path):
    engine = LocalEngine(cancel_grace=3.0)
    try:
        return check_model(engine, probe_settings(path), RUN)
    finally:
        engine.close()


def test_the_good_template_passes_and_is_stored(tiny_model, data):
    assert stored_check(tiny_model) is None
    checked = _probe(tiny_model)
    assert checked.report.ok, checked.report.checks
    assert checked.report.message.startswith("The model passed the self-check")
    names = [name for name, _, _ in checked.report.checks]
    assert names == ["chat template", "special tokens"] + [f"answer to {c}" for c, _ in PROBE_CASES]
    again = stored_check(tiny_model)
    assert again is not None and again.report == checked.report and again.model == tiny_model.name
    assert model_checks.checks_path().is_file()


def test_a_template_that_puts_the_policy_in_the_user_message_fails(data):
    broken = write_synthetic_gguf(data / "broken.gguf", "tiny", chat_template=POLICY_IN_USER)
    checked = _probe(broken)
    assert not checked.report.ok
    assert checked.report.message == (
        "This file's chat template puts the policy in the user message; choose the built-in "
        "harmony renderer in Settings or get a corrected GGUF."
    )
    assert stored_check(broken).report.message == checked.report.message


@pytest.mark.parametrize(
    ("template", "says"),
    [
        (NO_EFFORT, "ignores the reasoning effort"),
        (
            HARMONY_CHAT_TEMPLATE.replace('{{- "<|start|>assistant" -}}', ""),
            "does not end the prompt with the assistant's turn",
        ),  # noqa: E501
        ("{{ messages[1].content }}", "leaves the policy out of the prompt"),
        (
            "{% for m in messages %}{{ raise_exception('no system role') }}{% endfor %}",
            "refused the prompt: no system role",
        ),  # noqa: E501
        (HARMONY_CHAT_TEMPLATE, None),
        (HARMONY_CHAT_TEMPLATE.replace('~ "\\n\\n<|end|>"', '~ "<|end|>"'), None),  # no \n\n: fine
        (None, None),  # no template: the built-in renderer is used
    ],
)
def test_template_problems_each_get_one_sentence(template, says):
    problem = template_problem(template, PROBE_POLICY.body, PROBE_CASES[0][1], "low")
    if says is None:
        assert problem is None
    else:
        assert problem is not None and says in problem and problem.count(". ") == 0


def test_special_tokens_that_are_not_single_tokens_are_named():
    ids = {"<|start|>": 1, "<|end|>": 2, "<|message|>": 3, "<|channel|>": None, "<|return|>": None}
    assert token_problem(ids) == (
        "This file's tokenizer does not know <|channel|>, <|return|> as single tokens, so "
        "harmony answers cannot be read; get a corrected GGUF."
    )
    assert token_problem(dict.fromkeys(ids, 5)) is None


def test_answers_that_are_not_harmony_fail(tiny_model, data):
    """Unconstrained, the random-weight model writes gibberish, not harmony: the probe says so."""
    engine = LocalEngine(cancel_grace=3.0)
    try:
        checked = check_model(engine, probe_settings(tiny_model), replace(PROBE_RUN, max_tokens=16))
    finally:
        engine.close()
    report = checked.report
    assert not report.ok
    assert [passed for _, passed, _ in report.checks[:2]] == [True, True]  # the file is fine
    assert report.message in (
        "The model's answer has no analysis message, so it does not follow harmony; get a corrected GGUF.",
        "The model's answer has no final message (it stopped: budget); get a corrected GGUF.",
    )  # fmt: skip


class _CancelOnFirstDelta:
    """The real engine, cancelled by its user as soon as the first answer starts streaming."""

    capabilities = Capabilities()

    def __init__(self, engine: LocalEngine) -> None:
        self.engine = engine

    def load(self, settings):
        return self.engine.load(settings)

    def classify(self, request):
        for event in self.engine.classify(request):
            if isinstance(event, Delta):
                self.engine.cancel()
            yield event


def test_a_cancelled_probe_stores_nothing(tiny_model, data):
    engine = LocalEngine(cancel_grace=3.0)
    try:
        run = replace(PROBE_RUN, grammar=ENDLESS, max_tokens=1500)
        assert check_model(_CancelOnFirstDelta(engine), probe_settings(tiny_model), run) is None
    finally:
        engine.close()
    assert stored_check(tiny_model) is None
