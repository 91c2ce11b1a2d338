"""The synthetic gpt-oss model loads in the real llama.cpp and behaves like a harmony model."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import gguf
import jinja2
import jinja2.sandbox
import llama_cpp
import pytest

from tests.support.synthetic_gguf import (
    GENERATOR_VERSION,
    HARMONY_CHAT_TEMPLATE,
    SPECIAL_TOKENS,
    cached_model,
    parameter_count,
    planned_tensor_bytes,
    write_synthetic_gguf,
)
from tests.support.vocab import SINGLE_TOKEN_WORDS

SYSTEM_HEAD = (
    "<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\n"
    "Knowledge cutoff: 2024-06\n"
)
SYSTEM_TAIL = (
    "# Valid channels: analysis, commentary, final. "
    "Channel must be included for every message.<|end|>"
)
CHAT = [{"role": "system", "content": "P"}, {"role": "user", "content": "C"}]


@pytest.fixture(scope="module")
def llm(tiny_model: Path) -> Iterator[llama_cpp.Llama]:
    model = llama_cpp.Llama(model_path=str(tiny_model), n_ctx=512, verbose=False, swa_full=True)
    yield model
    model.close()


def _metadata(path: Path) -> dict[str, object]:
    reader = gguf.GGUFReader(path)
    return {name: field.contents() for name, field in reader.fields.items()}


def test_tiny_model_loads_as_gpt_oss(llm: llama_cpp.Llama, tiny_model: Path) -> None:
    assert llm.metadata["general.architecture"] == "gpt-oss"
    assert llm.metadata["gpt-oss.attention.sliding_window"] == "128"
    assert llm.n_vocab() > 600
    assert tiny_model.stat().st_size < 2_000_000


def test_embedded_chat_template(llm: llama_cpp.Llama) -> None:
    assert llm.metadata["tokenizer.chat_template"] == HARMONY_CHAT_TEMPLATE


@pytest.mark.parametrize("special", SPECIAL_TOKENS)
def test_special_token_is_one_id(llm: llama_cpp.Llama, special: str) -> None:
    ids = llm.tokenize(special.encode(), add_bos=False, special=True)
    assert len(ids) == 1
    assert llm.detokenize(ids, special=True) == special.encode()


def test_stop_and_begin_tokens(llm: llama_cpp.Llama) -> None:
    def text_of(token: int) -> bytes:
        return llm.detokenize([token], special=True)

    assert text_of(llm.token_eos()) == b"<|return|>"
    assert text_of(llm.token_bos()) == b"<|startoftext|>"
    assert llm.tokenize(b"hi", add_bos=True, special=False)[0] != llm.token_bos()  # add_bos false


@pytest.mark.parametrize(
    "text",
    [
        "The content violates the policy when a link is disguised as something else.",
        'Return exactly one JSON object: {"violation": 1, "policy_category": "SP2.a"}',
        "café — naïve 日本 🙂\n\n  tabs\tand  spaces ",
        "Unseen words like zygomorphic quasars tokenize too.",
    ],
)
def test_text_round_trips(llm: llama_cpp.Llama, text: str) -> None:
    ids = llm.tokenize(text.encode(), add_bos=False, special=False)
    assert llm.detokenize(ids).decode() == text


def test_english_uses_multi_character_tokens(llm: llama_cpp.Llama) -> None:
    text = "The content violates the policy when the message promises a prize."
    ids = llm.tokenize(text.encode(), add_bos=False, special=False)
    assert len(ids) < len(text) / 2.5


@pytest.mark.parametrize("word", SINGLE_TOKEN_WORDS)
def test_channel_words_are_single_tokens(llm: llama_cpp.Llama, word: str) -> None:
    assert len(llm.tokenize(word.encode(), add_bos=False, special=False)) == 1


def _sample(llm: llama_cpp.Llama, prompt: list[int], seed: int) -> list[int]:
    llm.set_seed(seed)
    tokens = llm.generate(prompt, top_k=0, top_p=1.0, min_p=0.0, temp=1.0, reset=True)
    return list(itertools.islice(tokens, 8))


def test_generation_is_deterministic(llm: llama_cpp.Llama) -> None:
    prompt_text = (
        jinja2.Environment()
        .from_string(HARMONY_CHAT_TEMPLATE)
        .render(messages=CHAT, add_generation_prompt=True)
    )
    prompt = llm.tokenize(prompt_text.encode(), add_bos=False, special=True)
    first = _sample(llm, prompt, seed=1234)
    second = _sample(llm, prompt, seed=1234)
    assert len(first) == 8
    assert first == second


def _expected(effort: str, date: str | None) -> str:
    date_line = f"Current date: {date}\n" if date else ""
    return (
        f"{SYSTEM_HEAD}{date_line}\nReasoning: {effort}\n\n{SYSTEM_TAIL}"
        "<|start|>developer<|message|># Instructions\n\nP\n\n<|end|>"
        "<|start|>user<|message|>C<|end|>"
        "<|start|>assistant"
    )


ENVIRONMENTS = [
    jinja2.Environment(),
    jinja2.sandbox.ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True),
]


@pytest.mark.parametrize("env", ENVIRONMENTS, ids=["plain", "sandbox"])
@pytest.mark.parametrize("effort", ["low", "medium", "high"])
def test_template_renders_harmony(env: jinja2.Environment, effort: str) -> None:
    rendered = env.from_string(HARMONY_CHAT_TEMPLATE).render(
        messages=CHAT,
        add_generation_prompt=True,
        reasoning_effort=effort,
        current_date="2025-03-04",
    )
    assert rendered == _expected(effort, "2025-03-04")


@pytest.mark.parametrize("env", ENVIRONMENTS, ids=["plain", "sandbox"])
def test_template_date_and_defaults(env: jinja2.Environment) -> None:
    template = env.from_string(HARMONY_CHAT_TEMPLATE)
    assert template.render(messages=CHAT, add_generation_prompt=True) == _expected("medium", None)
    with_clock = template.render(
        messages=CHAT, add_generation_prompt=True, strftime_now=lambda fmt: "1999-12-31"
    )
    assert with_clock == _expected("medium", "1999-12-31")


def test_llama_cpp_chat_formatter_uses_template(llm: llama_cpp.Llama) -> None:
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    formatter = Jinja2ChatFormatter(
        template=llm.metadata["tokenizer.chat_template"],
        eos_token="<|return|>",
        bos_token="<|startoftext|>",
    )
    response = formatter(messages=CHAT, reasoning_effort="high", current_date="2025-03-04")
    assert response.prompt == _expected("high", "2025-03-04")
    completion = llm.create_chat_completion(messages=CHAT, max_tokens=2, seed=1)
    assert completion["usage"]["completion_tokens"] >= 1


def test_template_renders_history() -> None:
    messages = [*CHAT, {"role": "assistant", "content": "0"}, {"role": "user", "content": "D"}]
    rendered = jinja2.Environment().from_string(HARMONY_CHAT_TEMPLATE).render(messages=messages)
    assert rendered.endswith(
        "<|start|>user<|message|>C<|end|>"
        "<|start|>assistant<|channel|>final<|message|>0<|end|>"
        "<|start|>user<|message|>D<|end|>"
    )


def test_writer_is_deterministic(tmp_path: Path) -> None:
    first = write_synthetic_gguf(tmp_path / "a.gguf", "tiny", seed=7)
    second = write_synthetic_gguf(tmp_path / "b.gguf", "tiny", seed=7)
    other_seed = write_synthetic_gguf(tmp_path / "c.gguf", "tiny", seed=8)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other_seed.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.gguf", "b.gguf", "c.gguf"]


def test_validation_fixtures(tiny_model_no_template: Path, wrong_arch_model: Path) -> None:
    no_template = _metadata(tiny_model_no_template)
    assert no_template["general.architecture"] == "gpt-oss"
    assert "tokenizer.chat_template" not in no_template
    wrong = _metadata(wrong_arch_model)
    assert wrong["general.architecture"] == "llama"
    assert "llama.block_count" in wrong
    with pytest.raises(ValueError):
        llama_cpp.Llama(model_path=str(wrong_arch_model), n_ctx=512, verbose=False)


def test_cached_model_reuses_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFEGUARD_TEST_MODEL_DIR", str(tmp_path))
    path = cached_model("tiny")
    assert path.parent == tmp_path
    assert f"v{GENERATOR_VERSION}" in path.name
    mtime = path.stat().st_mtime_ns
    assert cached_model("tiny").stat().st_mtime_ns == mtime


def test_medium_model_size_without_writing() -> None:
    assert 100_000_000 <= parameter_count("medium") <= 300_000_000
    assert 160_000_000 <= planned_tensor_bytes("medium") <= 250_000_000
    assert parameter_count("tiny") < 1_000_000
