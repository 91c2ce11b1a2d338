"""Evidence for triaging a failed or unstable case: model error, unclear policy or wrong gold?

For one result (with its case's tags and, after *Run ×k*, its stability):

- **contradiction**: the reasoning's conclusion disagrees with the final answer. The last
  sentences of the reasoning are read, last first, with the verdict parser under the policy's
  labels ("So the answer is 1."); failing that, with plain words ("this does not violate",
  "this violates SP2.a"). ``None`` when the reasoning states no conclusion.
- **rule match**: the rule the answer cites is the rule the case is tagged with (a tag shaped
  like a rule code; ``SP2`` matches ``SP2.a`` and the other way round). ``None`` when the case
  carries no rule tag.
- **history**: the same case's newest result under each earlier policy version of the same
  test set, right or wrong under that version's output format.
- **gold fix**: the model's answer written the way the expected value is
  (:func:`app.scoring.outcome.answer_as_expected`): ``DC2`` for a case expecting a tier, both
  parts for a pair; what *gold label wrong* offers first.

Right and wrong are :func:`app.scoring.outcome.judge`'s, as everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.core.policy import RULE_CODE_RE, OutputFormat
from app.core.records import StoredResult
from app.core.verdict import parse_verdict
from app.scoring.outcome import answer_as_expected, is_right, prediction
from app.scoring.stability import CaseStability

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_NOT_VIOLATING = re.compile(
    r"\b(?:does\s*n[o']t|do\s*n[o']t|is\s*n[o']t|not|no|never|nothing)\b[^.!?]{0,30}?"
    r"\bviolat|\b(?:allowed|permitted|compliant|benign|harmless|acceptable)\b",
    re.IGNORECASE,
)
_VIOLATING = re.compile(r"\bviolat(?:es|ing|ion|e)\b|\bprohibited\b|\bdisallowed\b", re.I)
LAST_SENTENCES = 3


def last_sentences(text: str, count: int = LAST_SENTENCES) -> list[str]:
    parts = [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]
    return parts[-count:]


def reasoning_conclusion(analysis: str, output: OutputFormat) -> bool | None:
    """Whether the reasoning's last sentences conclude "violates" (True), "does not"
    (False), or say nothing either way (None)."""
    as_labels = output
    if output.kind == "json":  # a sentence is never JSON: read the labels as words
        as_labels = OutputFormat("labels", output.labels, output.violating)
    for sentence in reversed(last_sentences(analysis)):
        verdict = parse_verdict(sentence, as_labels)
        if verdict.ok and verdict.label is not None:
            return output.is_violating(verdict.label)
        if _NOT_VIOLATING.search(sentence):
            return False
        if _VIOLATING.search(sentence):
            return True
    return None


def contradicts(result: StoredResult, output: OutputFormat) -> bool | None:
    """True when the reasoning concludes the opposite of the final answer."""
    if result.status != "ok" or result.label is None:
        return None
    conclusion = reasoning_conclusion(result.analysis, output)
    return None if conclusion is None else conclusion != output.is_violating(result.label)


def rule_tags(tags: list[str]) -> list[str]:
    return [tag for tag in tags if RULE_CODE_RE.fullmatch(tag)]


def _same_rule(a: str, b: str) -> bool:
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def rule_matches(result: StoredResult) -> bool | None:
    """True when a rule the answer cites is (or contains) a rule the case is tagged with."""
    tagged = rule_tags(result.tags)
    if not tagged:
        return None
    return any(_same_rule(cited, tag) for cited in result.rule_codes for tag in tagged)


@dataclass(frozen=True)
class VersionResult:
    policy_hash: str
    run_id: str
    created: float
    prediction: str
    expected: str
    correct: bool


@dataclass
class Evidence:
    case_id: str
    expected: str
    prediction: str
    wrong: bool
    stability: CaseStability | None = None
    contradiction: bool | None = None
    rule_match: bool | None = None
    tagged_rules: list[str] = field(default_factory=list)
    cited_rules: list[str] = field(default_factory=list)
    history: list[VersionResult] = field(default_factory=list)
    gold_fix: str | None = None  # the answer as an expected value (DC2, D-SP2, R-SP0)

    def lines(self, policy_hash: str = "") -> list[str]:
        """The evidence as short lines for the triage panel and the report."""
        out = [f"Expected {self.expected or '—'}, answered {self.prediction}."]
        if self.stability is not None:
            s = self.stability
            state = "unstable" if s.unstable else "stable"
            out.append(f"Samples: {s.votes} (agreement {s.agreement:.0%}, {state}).")
        if self.contradiction:
            out.append("The reasoning concludes the opposite of the final answer.")
        elif self.contradiction is False:
            out.append("The reasoning and the final answer agree.")
        if self.rule_match is not None:
            cited = ", ".join(self.cited_rules) or "no rule"
            tagged = ", ".join(self.tagged_rules)
            verb = "matches" if self.rule_match else "does not match"
            out.append(f"The answer cites {cited}, which {verb} the tagged rule {tagged}.")
        earlier = [v for v in self.history if v.policy_hash != policy_hash]
        for version in earlier[-3:]:
            mark = "right" if version.correct else "wrong"
            out.append(f"Policy version {version.policy_hash[:8]}: {version.prediction} ({mark}).")
        return out


def gather_evidence(
    result: StoredResult,
    output: OutputFormat,
    *,
    stability: CaseStability | None = None,
    history: list[VersionResult] | None = None,
) -> Evidence:
    """Everything the triage panel shows about one case (``history``: its results under
    earlier policy versions, :func:`app.runs.stored.history.case_history`)."""
    return Evidence(
        case_id=result.case_id,
        expected=result.expected,
        prediction=prediction(result),
        wrong=not is_right(result, output),
        stability=stability,
        contradiction=contradicts(result, output),
        rule_match=rule_matches(result),
        tagged_rules=rule_tags(result.tags),
        cited_rules=list(result.rule_codes),
        history=history or [],
        gold_fix=answer_as_expected(result, output),
    )
