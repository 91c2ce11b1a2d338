"""Scripted runs for the analysis views' tests and screenshots: the spam starter policy and
its test set, sampled k times by an engine whose answers depend on the seed for a few
ambiguous cases, flag some harmless cases under SP2.c, and contradict themselves once.

:class:`SeededEngine` follows the Engine protocol; :func:`build_analysis` runs it through the
real run service (``run_samples``, ``run_suite``) into a store and returns the run ids.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app.core.cases import load_cases
from app.core.policy import load_policy
from app.core.run_types import (
    ClassifyRequest,
    ClassifyResult,
    EngineSettings,
    Event,
    Finished,
    RunSettings,
    Started,
    Timings,
    TokenCounts,
)
from app.core.verdict import parse_verdict
from app.engine.protocol import Capabilities
from app.runs.pipeline.inputs import SuiteInputs
from app.runs.pipeline.samples import run_samples
from app.runs.pipeline.suite import run_suite
from app.store import Store

ROOT = Path(__file__).resolve().parents[2]
SPAM = ROOT / "policies" / "spam_scams"


def _h(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


class SeededEngine:
    """Answers the spam policy from the case's expected label, with scripted mistakes."""

    capabilities = Capabilities()

    def __init__(self, expected: dict[str, tuple[str, list[str]]], *, sloppy: bool = True):
        self.expected = expected  # content -> (expected label, tags)
        self.sloppy = sloppy  # the "weaker model": more mistakes
        self.name = "seeded-a.gguf" if sloppy else "seeded-b.gguf"

    def load(self, settings: EngineSettings) -> dict:
        return {"model": self.name, "chat_template": "{{ seeded }}"}

    def _answer(self, content: str, seed: int) -> tuple[str, str | None, str]:
        label, tags = self.expected.get(content, ("0", []))
        codes = [t for t in tags if t.startswith("SP") and "." in t]
        code = codes[0] if codes else None
        h = _h(content)
        conclusion = "This violates the policy." if label == "1" else "It does not violate."
        if self.sloppy and label == "0" and h % 4 == 0:
            label, code, conclusion = "1", "SP2.c", "Looks like impersonation: SP2.c applies."
        if h % 5 == 1 and (seed + h) % 3 == 0:  # ambiguous: the seed decides
            label = "0" if label == "1" else "1"
        if self.sloppy and h % 11 == 3:
            conclusion = "On balance it does not violate."  # contradicted by the answer below
            label, code = "1", code or "SP1.b"
        cited = f"{code} " if code else "no rule "
        analysis = f"Checking the content against the rules: {cited}fits best. {conclusion}"
        return label, code, analysis

    def classify(self, request: ClassifyRequest) -> Iterator[Event]:
        label, code, analysis = self._answer(request.content, request.run.seed)
        final = json.dumps({"violation": int(label), "policy_category": code, "rationale": "x"})
        verdict = parse_verdict(final, request.output)
        yield Started(request.case_id, prompt_tokens=600, reused_tokens=500)
        tokens = TokenCounts(600, 100, 500, 40 if self.sloppy else 70)
        timings = Timings(0.0, 120.0 if self.sloppy else 90.0, 800.0 if self.sloppy else 1300.0)
        result = ClassifyResult(request.case_id, verdict, analysis, final, "return", tokens,
                                timings, model=self.name)  # fmt: skip
        yield Finished(result)

    def cancel(self) -> None:
        pass

    def close(self) -> None:
        pass


@dataclass
class AnalysisRuns:
    policy_path: Path
    cases_path: Path
    sampled: str  # majority run of Run ×k (model A), the newest run
    plain: str  # one run of model B, before it
    k: int


def build_analysis(store: Store, folder: Path, k: int = 5) -> AnalysisRuns:
    """Copy the spam starter set into ``folder`` and record the two runs into ``store``."""
    folder.mkdir(parents=True, exist_ok=True)
    policy_path, cases_path = folder / "policy.md", folder / "cases.jsonl"
    shutil.copy(SPAM / "policy.md", policy_path)
    shutil.copy(SPAM / "cases.jsonl", cases_path)
    policy, cases = load_policy(policy_path), load_cases(cases_path)
    expected = {c.content: (c.expected, list(c.tags)) for c in cases}
    common = dict(store=store, template_hash="seeded", cases_path=str(cases_path))
    run = RunSettings(seed=100)
    b = SeededEngine(expected, sloppy=False)
    plain = run_suite(
        SuiteInputs(b, policy, cases, run, model_fingerprint=b.name, **common), order="file"
    )
    a = SeededEngine(expected)
    sampled = run_samples(SuiteInputs(a, policy, cases, run, model_fingerprint=a.name, **common), k)
    return AnalysisRuns(policy_path, cases_path, sampled.run_id, plain.run_id, k)
