"""Render the harmony conversation for one case and tokenize it without injection.

Two renderers produce the same shape: the model's own chat template (from the GGUF,
rendered with jinja2 the way llama.cpp's ``--jinja`` does) and a built-in canonical
harmony renderer (what openai-harmony produces). Both return *segments*: scaffold text,
which may contain special tokens, and people's text (policy, content), which must not.

People's text is tokenized in pieces split inside every ``<|``, so no special-token string
(``<|end|>``, ``<|start|>`` ...) can survive into the tokenizer: llama.cpp matches those
strings even with special-token parsing off. Pieces are also kept short enough for
llama.cpp's pre-tokenizer, which crashes on a long run without a space
(:mod:`app.engine.harmony.long_runs`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date as Date

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

from app.engine.harmony.long_runs import split_long_runs

IDENTITY = "You are ChatGPT, a large language model trained by OpenAI."
KNOWLEDGE_CUTOFF = "2024-06"
CHANNELS_LINE = (
    "# Valid channels: analysis, commentary, final. Channel must be included for every message."
)

# Private-use sentinels stand in for the policy and content while a template renders.
_POLICY_SENTINEL = "\ue000SAFEGUARD-POLICY\ue001"
_CONTENT_SENTINEL = "\ue000SAFEGUARD-CONTENT\ue001"
_NO_DATE = "\ue000SAFEGUARD-NO-DATE\ue001"  # what strftime_now gives when no date is set

Tokenize = Callable[[bytes, bool], list[int]]  # (utf-8 text, parse specials) -> ids


class PromptError(ValueError):
    """The prompt cannot be rendered; the message says what to do."""


@dataclass(frozen=True)
class Segment:
    text: str
    trusted: bool  # True: scaffold (special tokens allowed); False: people's text


def prompt_text(segments: list[Segment]) -> str:
    return "".join(segment.text for segment in segments)


def render_harmony(policy: str, content: str, effort: str, date: str | None) -> list[Segment]:
    """The canonical harmony layout (openai-harmony / vLLM), no trailing blank line."""
    system = f"{IDENTITY}\nKnowledge cutoff: {KNOWLEDGE_CUTOFF}\n"
    if date:
        system += f"Current date: {date}\n"
    system += f"\nReasoning: {effort}\n\n{CHANNELS_LINE}"
    return [
        Segment(
            f"<|start|>system<|message|>{system}<|end|>"
            "<|start|>developer<|message|># Instructions\n\n",
            True,
        ),
        Segment(policy, False),
        Segment("<|end|><|start|>user<|message|>", True),
        Segment(content, False),
        Segment("<|end|><|start|>assistant", True),
    ]


@functools.lru_cache(maxsize=8)
def _compiled(template: str) -> jinja2.Template:
    """The template compiled once: compiling costs more than rendering (~10 ms a time)."""
    # The same settings llama-cpp-python and Hugging Face use for chat templates.
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.BaseLoader(),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=[jinja2.ext.loopcontrols],
    )
    return env.from_string(template)


def render_template_text(
    template: str,
    policy: str,
    content: str,
    effort: str,
    date: str | None,
    bos_token: str = "<|startoftext|>",
    eos_token: str = "<|return|>",
) -> str:
    """Render ``[system: policy, user: content]`` through a chat template, as a string."""

    def raise_exception(message: str) -> None:
        raise PromptError(f"The model's chat template refused the prompt: {message}")

    variables: dict[str, object] = {
        "messages": [
            {"role": "system", "content": policy},
            {"role": "user", "content": content},
        ],
        "add_generation_prompt": True,
        "bos_token": bos_token,
        "eos_token": eos_token,
        "reasoning_effort": effort,
        "raise_exception": raise_exception,
    }
    if date:
        try:
            fixed = Date.fromisoformat(date)
        except ValueError:
            raise PromptError(
                f"The prompt date '{date}' is not a date; write it as YYYY-MM-DD."
            ) from None
        variables["strftime_now"] = fixed.strftime  # the run's date, never today's
        variables["current_date"] = date
    else:
        # Templates such as gpt-oss's official one call strftime_now() unconditionally.
        # With no date set, the date line is left out, as the built-in renderer does.
        variables["strftime_now"] = lambda _format: _NO_DATE
    try:
        text = _compiled(template).render(**variables)
    except jinja2.TemplateError as exc:
        raise PromptError(
            f"The model's chat template does not render ({exc}); "
            "choose the built-in harmony renderer in Settings."
        ) from None
    if _NO_DATE in text:
        text = re.sub(rf"(?:Current date: ?)?{_NO_DATE}\n?", "", text, count=1)
        if _NO_DATE in text:
            raise PromptError(
                "The model's chat template uses the date in an unexpected place; set the "
                "prompt date in Settings (or --date) or choose the built-in harmony renderer."
            )
    return text


def render_template(
    template: str, policy: str, content: str, effort: str, date: str | None, **tokens: str
) -> list[Segment]:
    """Segments of the template rendering; people's text is located with sentinels."""
    full = render_template_text(template, policy, content, effort, date, **tokens)
    skeleton = render_template_text(
        template, _POLICY_SENTINEL, _CONTENT_SENTINEL, effort, date, **tokens
    )
    # A template may trim the messages; accept the variant that reproduces the real render.
    for policy_text in (policy, policy.strip()):
        for content_text in (content, content.strip()):
            segments = _split_skeleton(skeleton, policy_text, content_text)
            if segments is not None and prompt_text(segments) == full:
                return segments
    raise PromptError(
        "The model's chat template changes the policy or content text in a way that cannot "
        "be checked; choose the built-in harmony renderer in Settings."
    )


def _split_skeleton(skeleton: str, policy: str, content: str) -> list[Segment] | None:
    if skeleton.count(_POLICY_SENTINEL) != 1 or skeleton.count(_CONTENT_SENTINEL) != 1:
        return None
    before, rest = skeleton.split(_POLICY_SENTINEL)
    middle, after = rest.split(_CONTENT_SENTINEL)
    return [
        Segment(before, True),
        Segment(policy, False),
        Segment(middle, True),
        Segment(content, False),
        Segment(after, True),
    ]


def render(
    renderer: str,
    template: str | None,
    policy: str,
    content: str,
    effort: str,
    date: str | None,
) -> tuple[list[Segment], str]:
    """Render with the chosen renderer; returns (segments, renderer actually used)."""
    if renderer == "template" and template:
        return render_template(template, policy, content, effort, date), "template"
    return render_harmony(policy, content, effort, date), "harmony"


def split_untrusted(text: str) -> list[str]:
    """Split text inside every ``<|`` so that no piece contains a special-token opener."""
    pieces: list[str] = []
    start = 0
    index = text.find("<|")
    while index != -1:
        pieces.append(text[start : index + 1])  # ends with "<"
        start = index + 1  # the next piece starts with "|"
        index = text.find("<|", start)
    pieces.append(text[start:])
    return [piece for piece in pieces if piece]


def tokenize_segments(segments: list[Segment], tokenize: Tokenize) -> list[int]:
    """Token ids for the whole prompt: specials only from trusted scaffold segments."""
    ids: list[int] = []
    for segment in segments:
        if segment.trusted:
            ids.extend(tokenize(segment.text.encode("utf-8"), True))
        else:
            for piece in split_untrusted(segment.text):
                for part in split_long_runs(piece):  # a long run crashes the tokenizer
                    ids.extend(tokenize(part.encode("utf-8"), False))
    return ids
