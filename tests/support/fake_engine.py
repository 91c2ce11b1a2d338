"""A scripted stand-in for the llama.cpp engine, for fast GUI-flow tests and screenshots.

``FakeEngine`` follows the ``Engine`` protocol: ``classify`` yields ``Started``, a few
``Delta`` events on the analysis channel (citing a rule code from the policy and quoting the
first words of the content), the final answer, then ``Finished``. On demand it fails with a
``Failed(kind="crash")`` in the middle of a case (and then, like the local engine, starts a
fresh "child process" for the next request: ``restarts`` counts them), and it honours ``cancel()`` between deltas. ``FakeEngineFactory`` records
every engine it builds, so a test can see that a crash led to a fresh engine.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from app.core.cases import TestCase
from app.core.errors import EngineError
from app.core.policy import find_rule_codes
from app.core.run_types import (
    Cancelled,
    ClassifyRequest,
    ClassifyResult,
    Delta,
    EngineSettings,
    Event,
    Failed,
    Finished,
    LoadFacts,
    Started,
    Timings,
    TokenCounts,
)
from app.core.verdict import parse_verdict
from app.engine.protocol import Capabilities

VIOLATING_WORDS = ("fee", "password", "guaranteed", "buy followers", "wire", "verify")


@dataclass
class FakeScript:
    """What a fake engine does; shared by every engine a factory builds."""

    delay: float = 0.004  # seconds between deltas
    crash_on_call: int | None = None  # 1-based classify call of the FIRST engine that crashes
    fail_load: str | None = None  # EngineError message raised by load()
    load_delay: float = 0.0
    violating_words: tuple[str, ...] = VIOLATING_WORDS
    extra_words: int = 0  # extra filler words of reasoning (long streams for benchmarks)
    rule_code: str | None = None  # force the cited code; default: a violating code of the policy
    keyword_rules: tuple[tuple[str, str], ...] = ()  # (word in content, code cited) pairs
    # (word in content, final answer): the answer is written as given and read by the real
    # verdict parser under the request's output format (INVALID, DC2, D-SP2, R-SP0, ...)
    answers: tuple[tuple[str, str], ...] = ()


def _quote(content: str) -> str:
    words = re.findall(r"\S+", content)[:4]
    return " ".join(words).strip('"“”')


def pick_rule_code(policy: str, violating: bool) -> str:
    codes = [rule.code for rule in find_rule_codes(policy)]
    if not codes:
        return "SP2.a" if violating else "SP0.a"
    safe = [code for code in codes if re.match(r"[A-Z]+-?0", code)]
    unsafe = [code for code in codes if code not in safe]
    if violating:
        return (unsafe or codes)[min(1, len(unsafe or codes) - 1)]
    return (safe or codes)[0]


class FakeEngine:
    """Protocol-compatible fake; see the module docstring."""

    capabilities = Capabilities()  # one case at a time; a factory stands in for slots

    def __init__(self, script: FakeScript | None = None, index: int = 0) -> None:
        self.script = script or FakeScript()
        self.index = index  # 0 for the first engine a factory built
        self.calls = 0
        self.loaded: EngineSettings | None = None
        self.crashed = False
        self.restarts = 0
        self.closed = False
        self._cancel = threading.Event()

    def load(self, settings: EngineSettings) -> LoadFacts:
        if self.script.load_delay:
            time.sleep(self.script.load_delay)
        if self.script.fail_load:
            raise EngineError(self.script.fail_load)
        self.loaded = settings
        return LoadFacts(model="fake-safeguard.gguf", n_ctx=settings.n_ctx)

    def cancel(self) -> None:
        self._cancel.set()

    def close(self) -> None:
        self.closed = True

    def classify(self, request: ClassifyRequest) -> Iterator[Event]:
        if self.closed:
            raise EngineError("The engine process is not running; start a new run.")
        if self.crashed:  # the local engine starts a fresh child after a crash
            self.crashed = False
            self.restarts += 1
        if self.loaded is None:
            raise EngineError("No model is loaded; load one first.")
        self._cancel.clear()
        self.calls += 1
        return self._events(request)

    def _events(self, request: ClassifyRequest) -> Iterator[Event]:
        script, case_id = self.script, request.case_id
        began = time.monotonic()
        yield Started(case_id, prompt_tokens=400 + len(request.content) // 4, reused_tokens=380)
        lowered = request.content.lower()
        violating = any(word in lowered for word in script.violating_words)
        keyword_code = next((c for word, c in script.keyword_rules if word in lowered), None)
        code = script.rule_code or keyword_code or pick_rule_code(request.policy, violating)
        quote = _quote(request.content)
        filler = " ".join(["We weigh the context carefully."] * script.extra_words)
        analysis = (
            f'The user content says "{quote}". We need to check the policy. '
            f"{filler} This {'matches' if violating else 'does not match'} {code}. "
            f"So violation is {1 if violating else 0}."
        )
        crash_here = (
            self.index == 0
            and script.crash_on_call is not None
            and self.calls == script.crash_on_call
        )
        pieces = re.findall(r"\S+\s*", analysis)
        for number, piece in enumerate(pieces):
            if self._cancel.is_set():
                yield Cancelled(case_id)
                return
            if crash_here and number == len(pieces) // 2:
                self.crashed = True
                yield Failed(
                    case_id,
                    "The engine process stopped unexpectedly; run again to restart it.",
                    kind="crash",
                )
                return
            time.sleep(script.delay)
            yield Delta(case_id, "analysis", piece)
        label = "1" if violating else "0"
        final = json.dumps({"violation": int(label), "policy_category": code})
        answer = next((text for word, text in script.answers if word in lowered), None)
        for piece in re.findall(r".{1,8}", answer or final, re.DOTALL):
            time.sleep(script.delay)
            yield Delta(case_id, "final", piece)
        # the answer is read as the app reads any: by the real verdict parser under the
        # request's output format (a VALID/INVALID policy gets VALID, not "0")
        final = answer if answer is not None else final
        verdict = parse_verdict(final, request.output)
        generated = len(pieces) + 6
        elapsed_ms = (time.monotonic() - began) * 1000
        yield Finished(
            ClassifyResult(
                case_id=case_id,
                verdict=verdict,
                analysis=analysis,
                final=final,
                stop_reason="return",
                tokens=TokenCounts(prompt=420, evaluated=40, reused=380, generated=generated),
                timings=Timings(prompt_ms=12.0, generate_ms=elapsed_ms),
                model="fake-safeguard.gguf",
            )
        )


@dataclass
class FakeEngineFactory:
    """Callable engine factory that keeps every engine it built."""

    script: FakeScript = field(default_factory=FakeScript)
    engines: list[FakeEngine] = field(default_factory=list)

    def __call__(self, config: object = None) -> FakeEngine:
        engine = FakeEngine(self.script, index=len(self.engines))
        self.engines.append(engine)
        return engine


# --- helpers for the GUI tests, screenshots and benchmarks ------------------------------

SAMPLE_POLICY = """---
name: Spam test policy
format: json
labels: 0, 1
violating: 1
---
# Spam

## Instructions
Output format: {"violation": 0 or 1, "policy_category": "<code>"}.

## Criteria
Violates:
- SP1 Bulk or unsolicited promotion.
- SP2 Fraud and scams.
- SP2.a Requests for credentials or an upfront fee.

Does not violate:
- SP0.a One honest promotion where it fits.

## Examples
- "Pay the $2 fee to release your parcel" → 1, SP2.a

Output format, again: only the JSON object.
"""


SAMPLE_CASES = [
    TestCase("c1", "Pay the $2 fee to release your parcel today.", "1"),
    TestCase("c2", "I bake birthday cakes, message me.", "0"),
    TestCase("c3", "Verify your password at this link now.", "1"),
    TestCase("c4", "Lovely weather in the park this morning.", "1"),
]


def isolate_gui_env(monkeypatch, tmp_path: Path) -> Path:
    """Point config, data, cache and log folders into tmp_path; returns a fake .gguf path."""
    for name in ("CONFIG", "DATA", "CACHE", "LOG"):
        monkeypatch.setenv(f"SAFEGUARD_{name}_DIR", str(tmp_path / name.lower()))
    model = tmp_path / "fake-safeguard.gguf"
    model.write_bytes(b"GGUF" + bytes(60))
    return model


def configure_model(settings, model: Path) -> None:
    """Store a model path in the window's settings so runs do not ask for one."""
    settings.setValue("engine/model_path", str(model))
    settings.sync()
