"""The model self-check: does this GGUF speak harmony the way the app expects?

Community conversions of gpt-oss have shipped broken chat templates and tokenizers. The
probe runs two cases under a tiny built-in binary policy and checks, in order:

1. the chat template's rendering equals the built-in harmony renderer's (up to the
   ``\\n\\n`` some template versions put after the instructions), and if not, says where it
   differs (policy in the user message, no reasoning effort, ...);
2. the harmony special tokens are each one token of the vocabulary;
3. each answer has an analysis message, a final message, and ends on a stop token
   (``<|return|>``, ``<|call|>`` or ``<|endoftext|>``; not the token budget).

The first problem found becomes the one-sentence message. :func:`run_probe` is Qt-free;
:mod:`app.runs.backends.model_checks` stores its result per model fingerprint.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from app.core.policy import parse_policy
from app.core.run_types import (
    Cancelled,
    ClassifyRequest,
    Failed,
    Finished,
    LoadFacts,
    RunSettings,
)
from app.engine.harmony.events import CHANNEL, END, MESSAGE, RETURN, START, STOPS
from app.engine.harmony.prompt import PromptError, render_harmony, render_template_text
from app.engine.protocol import Engine

PROBE_POLICY = parse_policy(
    "---\nname: Self-check\nformat: binary\n---\n# Instructions\n"
    "Decide whether the content sells fake followers. Answer with one character: "
    "1 if it does (violates), 0 if it does not.\n\n## Violates (1)\n"
    "- **FF1.a** Offers to sell followers, likes or views.\n\n## Does not violate (0)\n"
    "- **FF0.a** Anything else.\n\nAnswer with exactly one character: 0 or 1.\n"
)
PROBE_CASES = (
    ("probe-violating", "Buy 10,000 real Instagram followers today, only $5! DM me."),
    ("probe-allowed", "What time does the town library open on Sundays?"),
)
PROBE_RUN = RunSettings(effort="low", temperature=1.0, seed=7, max_tokens=512)
PROBE_CTX = 2048
PASSED = "The model passed the self-check: it speaks harmony as expected."
_REQUIRED_TOKENS = (START, END, MESSAGE, CHANNEL, RETURN)
_REMEDY = "choose the built-in harmony renderer in Settings or get a corrected GGUF"


@dataclass
class ProbeReport:
    """What the self-check found: ``ok``, one sentence, and each check's outcome."""

    ok: bool
    message: str
    checks: list[tuple[str, bool, str]] = field(default_factory=list)  # name, passed, detail

    def to_dict(self) -> dict:
        return {"ok": self.ok, "message": self.message, "checks": [list(c) for c in self.checks]}

    @classmethod
    def from_dict(cls, data: dict) -> ProbeReport:
        checks = [(str(n), bool(p), str(d)) for n, p, d in data.get("checks", [])]
        return cls(bool(data.get("ok")), str(data.get("message", "")), checks)


def _messages(text: str) -> list[tuple[str, str]]:
    """(role, body) of each ``<|start|>role<|message|>body<|end|>`` in a rendered prompt."""
    pattern = re.escape(START) + r"(.*?)" + re.escape(MESSAGE) + r"(.*?)" + re.escape(END)
    return [(role.strip(), body) for role, body in re.findall(pattern, text, re.S)]


def _role_of(messages: list[tuple[str, str]], text: str) -> str | None:
    return next((role for role, body in messages if text in body), None)


def template_problem(template: str | None, policy: str, content: str, effort: str) -> str | None:
    """Why the template's prompt differs from harmony (one sentence), or None if it agrees."""
    if not template:
        return None
    try:
        rendered = render_template_text(template, policy, content, effort, None)
    except PromptError as exc:
        return str(exc)
    expected = "".join(s.text for s in render_harmony(policy, content, effort, None))
    if rendered.replace(f"{policy}\n\n{END}", f"{policy}{END}") == expected:
        return None
    messages = _messages(rendered)
    policy_role, content_role = _role_of(messages, policy), _role_of(messages, content)
    what = "this file's chat template"
    if policy_role is None:
        return f"{what.capitalize()} leaves the policy out of the prompt; {_REMEDY}."
    if policy_role != "developer":
        return f"{what.capitalize()} puts the policy in the {policy_role} message; {_REMEDY}."
    if content_role != "user":
        where = f"the {content_role} message" if content_role else "nowhere"
        return f"{what.capitalize()} puts the content in {where}; {_REMEDY}."
    system = next((body for role, body in messages if role == "system"), "")
    if f"Reasoning: {effort}" not in system:
        return f"{what.capitalize()} ignores the reasoning effort; {_REMEDY}."
    if not rendered.endswith(f"{START}assistant"):
        return f"{what.capitalize()} does not end the prompt with the assistant's turn; {_REMEDY}."
    at = next(
        (i for i, (a, b) in enumerate(zip(rendered, expected, strict=False)) if a != b),
        min(len(rendered), len(expected)),
    )
    near = rendered[max(0, at - 20) : at + 20].replace("\n", "\\n")
    return (
        f"{what.capitalize()} renders the prompt differently from harmony near '{near}'; {_REMEDY}."
    )


def token_problem(special_tokens: dict[str, int | None] | None) -> str | None:
    """Why the vocabulary's special tokens are wrong (one sentence), or None."""
    if special_tokens is None:
        return None  # the engine does not tell (a remote server)
    missing = [name for name in _REQUIRED_TOKENS if special_tokens.get(name) is None]
    if missing:
        return (
            f"This file's tokenizer does not know {', '.join(missing)} as single tokens, so "
            "harmony answers cannot be read; get a corrected GGUF."
        )
    return None


def answer_problem(event: Finished | Failed | None) -> str | None:
    """Why one probe answer is not well-formed harmony (one sentence), or None."""
    if event is None:
        return "The model gave no answer to the self-check; load it again."
    if isinstance(event, Failed):
        return event.message
    result = event.result
    if not result.analysis.strip():
        return "The model's answer has no analysis message, so it does not follow harmony; get a corrected GGUF."  # noqa: E501
    if not result.final.strip():
        return f"The model's answer has no final message (it stopped: {result.stop_reason}); get a corrected GGUF."  # noqa: E501
    if result.stop_reason not in STOPS.values():
        return f"The model's answer did not end on a stop token such as <|return|> (it stopped: {result.stop_reason}); get a corrected GGUF."  # noqa: E501
    return None


def run_probe(
    engine: Engine,
    facts: LoadFacts,
    run: RunSettings = PROBE_RUN,
    cancel: threading.Event | None = None,
) -> ProbeReport | None:
    """Run the two-case probe on a loaded engine whose load gave ``facts`` (see the module
    notes); None when a probe answer was cancelled (nothing is known about the file then)."""
    policy = PROBE_POLICY.body
    checks: list[tuple[str, bool, str]] = []
    problem = template_problem(facts.chat_template, policy, PROBE_CASES[0][1], run.effort)
    checks.append(("chat template", problem is None, problem or "renders harmony"))
    tokens = token_problem(dict(facts.special_tokens) if facts.backend == "local" else None)
    checks.append(("special tokens", tokens is None, tokens or "each one token"))
    for case_id, content in PROBE_CASES:
        if cancel is not None and cancel.is_set():
            return None
        request = ClassifyRequest(case_id, policy, content, run, PROBE_POLICY.output)
        last = None
        for event in engine.classify(request):
            if cancel is not None and cancel.is_set():
                engine.cancel()  # a cancel sent before this case started would be missed
            if isinstance(event, Cancelled):
                return None  # stopped by the user: no verdict on the file
            if isinstance(event, (Finished, Failed)):
                last = event
        answer = answer_problem(last)
        detail = answer or f"answered {last.result.final.strip()[:20]!r}"  # type: ignore[union-attr]
        checks.append((f"answer to {case_id}", answer is None, detail))
    failed = [detail for _, passed, detail in checks if not passed]
    if failed:
        return ProbeReport(False, failed[0], checks)
    return ProbeReport(True, PASSED, checks)
