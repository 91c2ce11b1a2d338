"""Verdicts: the label a model's final answer gives under the policy's output format.

A missing or unreadable answer is never a silent "does not violate": it has its own status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class VerdictStatus(str, Enum):
    OK = "ok"  # a label was read from the final answer
    NO_VERDICT = "no_verdict"  # budget ran out in the reasoning, or the final answer is empty
    UNPARSABLE = "unparsable"  # a final answer exists but does not match the format
    ERROR = "error"  # the run itself failed (engine crash, context overflow, ...)


@dataclass
class Verdict:
    status: VerdictStatus
    label: str | None = None  # one of OutputFormat.labels when status is OK
    violates: bool | None = None  # None unless status is OK
    rule_codes: list[str] = field(default_factory=list)  # codes cited in the final answer
    rationale: str = ""
    raw: str = ""  # the final-channel text as the model wrote it
    message: str = ""  # why there is no label, in one sentence

    @property
    def ok(self) -> bool:
        return self.status is VerdictStatus.OK
