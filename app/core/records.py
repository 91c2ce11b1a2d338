"""The plain records of stored work: a policy version, a run, one case's result.

What a row of the results database becomes (:mod:`app.store.rows` converts), and what the
suite runner stores, the scoring reads and the reports render. Pure data: no database here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.run_types import ClassifyResult, Timings, TokenCounts
from app.core.verdict import Verdict, VerdictStatus

CACHEABLE = ("ok", "no_verdict", "unparsable")  # result statuses the cache reuses


@dataclass
class PolicyVersion:
    hash: str
    text: str
    created: float
    note: str = ""
    path: str = ""


RUN_KINDS = {
    "suite": "a test-set run (the history, Metrics, compare pickers, `runs`)",
    "case": "a single *Run case* or classify (kept for the cache)",
    "sample": "one of the k runs behind a majority run of *Run ×k*",
    "suggestion": "a held-out check of a suggested edit (app.runs.suggestion)",
}


@dataclass
class RunRecord:
    id: str
    policy_hash: str
    model: str = ""
    settings: dict = field(default_factory=dict)
    cases_path: str = ""
    total: int = 0
    started: float = 0.0
    finished: float | None = None
    status: str = "running"  # running, finished, cancelled, failed, interrupted
    kind: str = "suite"  # one of RUN_KINDS
    owner: str = ""  # pid@host of the process that runs or ran it
    output_format: str = ""  # the format it ran with (app.runs.stored.policy); "" for old runs


@dataclass
class StoredResult:
    """One row of ``results``; also what the suite runner stores and the reports read.
    Whether it is right is :func:`app.scoring.outcome.judge`'s to say (it needs the format)."""

    run_id: str
    case_id: str
    cache_key: str
    status: str
    expected: str = ""
    label: str | None = None
    violates: bool | None = None
    rule_codes: list[str] = field(default_factory=list)
    rationale: str = ""
    analysis: str = ""
    final: str = ""
    message: str = ""
    stop_reason: str = ""
    content: str = ""
    tags: list[str] = field(default_factory=list)
    cached: bool = False
    prompt_tokens: int = 0
    evaluated_tokens: int = 0
    reused_tokens: int = 0
    generated_tokens: int = 0
    load_ms: float = 0.0
    prompt_ms: float = 0.0
    generate_ms: float = 0.0
    created: float = 0.0
    tier: str | None = None  # severity tier of a tiered policy's answer
    escalate: bool = False  # the answer asked for escalation
    depiction: str | None = None  # two-label answers: depiction tier
    request: str | None = None  # ... and request tier

    @property
    def verdict(self) -> Verdict:
        return Verdict(
            status=VerdictStatus(self.status),
            label=self.label,
            violates=self.violates,
            rule_codes=list(self.rule_codes),
            rationale=self.rationale,
            raw=self.final,
            message=self.message,
            tier=self.tier,
            escalate=self.escalate,
            depiction=self.depiction,
            request=self.request,
        )

    def as_classify_result(self) -> ClassifyResult:
        """The classification this row records, in the engine's own terms."""
        return ClassifyResult(
            case_id=self.case_id, verdict=self.verdict, analysis=self.analysis,
            final=self.final, stop_reason=self.stop_reason,
            tokens=TokenCounts(self.prompt_tokens, self.evaluated_tokens, self.reused_tokens,
                               self.generated_tokens),
            timings=Timings(self.load_ms, self.prompt_ms, self.generate_ms),
        )  # fmt: skip
