"""A scripted fake engine for the suite, service and CLI tests: each content's answer is
set in advance (a label, a failure, no verdict, an exception, a dead process, a hang)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

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
from app.core.verdict import Verdict, VerdictStatus
from app.engine.protocol import Capabilities


class ScriptedEngine:
    """A fake engine: the answer for each content comes from ``script``.

    Values: a label (answered with status ok), ``"!fail"`` (a Failed event), ``"!none"``
    (no verdict: budget ran out), ``"!raise"`` (an exception mid-stream), ``"!exit"``
    (the process dies at once, like a kill), ``"!hang"`` (deltas until cancelled).
    """

    capabilities = Capabilities()

    def __init__(self, script: dict[str, str], default: str = "0") -> None:
        self.script = script
        self.default = default
        self.requests: list[ClassifyRequest] = []
        self.cancelled = threading.Event()
        self.cancel_calls = 0
        self.closed = False

    def load(self, settings: EngineSettings) -> LoadFacts:
        return LoadFacts(model=Path(settings.model_path).name, chat_template="{{ fake }}")

    def classify(self, request: ClassifyRequest) -> Iterator[Event]:
        self.requests.append(request)
        self.cancelled.clear()
        action = self.script.get(request.content, self.default)
        yield Started(request.case_id, prompt_tokens=40, reused_tokens=30)
        yield Delta(request.case_id, "analysis", f"Thinking about {request.content[:20]}")
        if action == "!raise":
            raise RuntimeError("engine blew up")
        if action == "!exit":
            os._exit(9)
        if action == "!hang":
            while not self.cancelled.wait(0.01):
                yield Delta(request.case_id, "analysis", ".")
            yield Cancelled(request.case_id)
            return
        if action == "!fail":
            yield Failed(request.case_id, "The engine process crashed; retry.", kind="crash")
            return
        if action == "!none":
            verdict = Verdict(VerdictStatus.NO_VERDICT, message="The budget ran out.")
            final, stop = "", "budget"
        else:
            verdict = Verdict(VerdictStatus.OK, label=action, rationale=f"said {action}")
            final, stop = action, "return"
        yield Finished(
            ClassifyResult(
                request.case_id,
                verdict,
                f"analysis of {request.content}",
                final,
                stop,
                TokenCounts(40, 10, 30, 5),
                Timings(0.0, 1.0, 2.0),
                model="fake.gguf",
            )  # fmt: skip
        )

    def cancel(self) -> None:
        self.cancel_calls += 1
        self.cancelled.set()

    def close(self) -> None:
        self.closed = True
