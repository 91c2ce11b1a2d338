"""``safeguard-studio models check --probe FILE`` on synthetic models through app.cli.main."""

from __future__ import annotations

import json

import pytest

import app.cli
from app.runs.backends.model_checks import checks_path
from tests.runs.test_probe import POLICY_IN_USER
from tests.support.requests import GRAMMAR
from tests.support.synthetic_gguf import write_synthetic_gguf


@pytest.fixture()
def grammar(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path / "data"))
    path = tmp_path / "harmony.gbnf"
    path.write_text(GRAMMAR, encoding="utf-8")
    return path


def test_probe_passes_on_the_good_model(tiny_model, grammar, capsys):
    assert (
        app.cli.main(["models", "check", "--probe", "--grammar", str(grammar), str(tiny_model)])
        == 0
    )  # noqa: E501
    out = capsys.readouterr().out
    assert "probe           ok   chat template: renders harmony" in out
    assert "probe           ok   special tokens: each one token" in out
    assert "self-check      passed: The model passed the self-check" in out
    stored = json.loads(checks_path().read_text(encoding="utf-8"))
    assert [entry["ok"] for entry in stored.values()] == [True]


def test_probe_fails_with_one_sentence_on_a_broken_template(tmp_path, grammar, capsys):
    broken = write_synthetic_gguf(tmp_path / "broken.gguf", "tiny", chat_template=POLICY_IN_USER)
    assert app.cli.main(["models", "check", "--probe", "--grammar", str(grammar), str(broken)]) == 1
    out = capsys.readouterr().out
    assert (
        "self-check      FAILED: This file's chat template puts the policy in the user message; "
        "choose the built-in harmony renderer in Settings or get a corrected GGUF."
    ) in out
