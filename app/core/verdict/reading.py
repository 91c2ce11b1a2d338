"""Verdicts: the label a model's final answer gives under the policy's output format.

A missing or unreadable answer is never a silent "does not violate": it has its own status.
:func:`parse_verdict` reads the final-channel text; its rules, by format:

* **binary** (strict): a line that is a label, optionally after ``Answer:``/``Label:`` and
  inside code fences, bold or quotes, optionally followed by a period, a parenthesis or rule
  codes (``1 (SP2.a)``, ``**1**``, ``Answer: 0.``). If the first line is such an answer it
  wins, unless a later line is a bare label that differs; otherwise every such line must agree.
  Prose (``The content is 1 of many``) or two labels in one answer (``0 or 1``) is UNPARSABLE.
* **labels**: the strict reading first; then whole-word matches anywhere, exact spelling
  first, then case-insensitive (mapped to the canonical spelling): exactly one distinct label
  is OK, two are UNPARSABLE. A label is a whole word only if not followed by ``.x`` or ``-``,
  so ``SP2.a`` is not label ``SP2``; only when no label matches at all does a cited rule code
  ``SP2.a`` count as ``SP2`` (and only if all such codes point to one label).
* **json**: the answer's final JSON object that has the label field (see
  :mod:`app.core.verdict.json_answer`: an object quoted from the content before the model's own
  answer never decides); the cookbook's ``rule_ids`` and ``policy_category`` give rule
  codes, ``confidence`` is kept. An answer that is the cookbook's JSON object alone
  (``{"violation": 0, "policy_category": null}``, fenced or not) is read this way under
  every format, so "no violation" is allowed on label and tiered policies too.

Then, for every format (see :mod:`app.core.verdict.tiers`): ``+ ESCALATE`` sets the escalate
flag; ``D-SP2, R-SP0`` gives the depiction and request tiers (the verdict's label is that of
the part the policy scores, ``score_on``, default the depiction); a tiered policy's answer
that is a tier code (``SP4``, ``DC2``, ``SP2.a``) gives the tier and its label; a label with
a cited tier on the other side (``VALID (SP3)``) is UNPARSABLE; a one-word answer in the
test-set spelling table (``INVALID`` for a 0/1 policy) is read through
:func:`app.core.policy.label_spelling.normalize_label`, as imported labels are.

Every verdict keeps ``raw``; rule codes cited anywhere in the answer are collected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from app.core.policy import OutputFormat, cited_rule_codes
from app.core.verdict.json_answer import cookbook_json, read_json
from app.core.verdict.text_answer import AMBIGUOUS, read_label, spelled_answer
from app.core.verdict.tiers import (
    cited_tiers,
    first_line_tier,
    read_pair,
    split_escalate,
    tier_label,
)


class VerdictStatus(str, Enum):
    OK = "ok"  # a label was read from the final answer
    NO_VERDICT = "no_verdict"  # budget ran out in the reasoning, or the final answer is empty
    UNPARSABLE = "unparsable"  # a final answer exists but does not match the format
    ERROR = "error"  # the run itself failed (engine crash, context overflow, ...)


STATUS_WORDS = {  # the one vocabulary: case table, result view, metrics and reports
    VerdictStatus.OK: "verdict",
    VerdictStatus.NO_VERDICT: "no verdict",
    VerdictStatus.UNPARSABLE: "unparsable",
    VerdictStatus.ERROR: "error",
}


def status_word(status: VerdictStatus | str) -> str:
    """How people read a verdict status ("no verdict", "unparsable", ...)."""
    return STATUS_WORDS[VerdictStatus(status)]


@dataclass
class Verdict:
    status: VerdictStatus
    label: str | None = None  # one of OutputFormat.labels when status is OK
    violates: bool | None = None  # None unless status is OK
    rule_codes: list[str] = field(default_factory=list)  # codes cited in the final answer
    rationale: str = ""
    raw: str = ""  # the final-channel text as the model wrote it
    message: str = ""  # why there is no label, in one sentence
    tier: str | None = None  # severity tier (SP2) for a tiered policy, when the answer gives it
    escalate: bool = False  # the answer asks for escalation (INVALID + ESCALATE)
    depiction: str | None = None  # two-label answers (D-SP2, R-SP0): the depiction tier
    request: str | None = None  # ... and the request tier
    confidence: str = ""  # a JSON answer's "confidence"

    @property
    def ok(self) -> bool:
        return self.status is VerdictStatus.OK

    def display_label(self) -> str:
        """The label with its tier, two labels and escalate flag: ``INVALID SP3 ESCALATE``,
        ``INVALID D-SP2 R-SP0``; '' without a label."""
        if self.label is None:
            return ""
        parts = [self.label]
        if self.depiction or self.request:
            parts += [f"D-{self.depiction or '?'}", f"R-{self.request or '?'}"]
        elif self.tier and self.tier != self.label:
            parts.append(self.tier)
        if self.escalate:
            parts.append("ESCALATE")
        return " ".join(parts)

    @classmethod
    def error(cls, message: str, raw: str = "") -> Verdict:
        """The run itself failed; ``message`` says what to do, in one sentence."""
        return cls(VerdictStatus.ERROR, raw=raw, message=message)


def _no_answer(final: str | None, stop_reason: str) -> str:
    if stop_reason == "cancelled":
        return "The run was cancelled before the model gave an answer; run it again."
    if stop_reason == "budget" and final is None:
        return (
            "The model used its whole token budget on reasoning and gave no answer; "
            "raise the token budget or lower the reasoning effort."
        )
    if stop_reason == "budget":
        return (
            "The token budget ran out just as the model began its answer; "
            "raise the token budget or lower the reasoning effort."
        )
    if final is None:
        return (
            "The model stopped without writing a final answer; run the case again, and if it "
            "keeps happening, restate the output format at the top and bottom of the policy."
        )
    return (
        "The model's final answer was empty; run the case again or state the output format "
        "more clearly in the policy."
    )


@dataclass
class _Reading:
    label: str | None = None
    tier: str | None = None
    depiction: str | None = None
    request: str | None = None
    codes: list[str] = field(default_factory=list)
    rationale: str = ""
    confidence: str = ""
    problem: str = ""
    note: str = ""


def _with_tier(reading: _Reading, text: str, output: OutputFormat) -> _Reading:
    """Add the tier the answer cites to a read label; a tier on the other side is a clash."""
    if reading.label is None or not output.tiers:
        return reading
    tiers = cited_tiers(text, output, reading.codes)
    violates = output.is_violating(reading.label)
    clash = [tier for tier in tiers if output.is_violating(tier) != violates]
    if clash:
        reading.problem = f"The answer names {reading.label} and tier {clash[0]}, which disagree"
        reading.label = None
        return reading
    if reading.tier is None:
        reading.tier = tiers[0] if len(tiers) == 1 else output.tier_of_label(reading.label)
    return reading


def _read_text(text: str, output: OutputFormat) -> _Reading:
    pair = read_pair(text, output)
    if pair is not None:
        label = tier_label(pair.tier, output) if pair.tier else None
        return _Reading(label, pair.tier, pair.depiction, pair.request, problem=pair.problem)
    found, rationale, note = read_label(text, output.labels, output.kind != "binary")
    if len(found) > 1 or AMBIGUOUS in found:
        named = ", ".join(sorted(found - {AMBIGUOUS}))
        problem = "The answer names more than one label" + (f" ({named})" if named else "")
        return _Reading(rationale=rationale, problem=problem)
    if found:
        return _Reading(next(iter(found)), rationale=rationale, note=note)
    tier = first_line_tier(text, output)
    tiers = [tier] if tier else cited_tiers(text, output)
    if len(tiers) == 1 and tier_label(tiers[0], output):
        return _Reading(tier_label(tiers[0], output), tiers[0])
    if len(tiers) > 1:
        return _Reading(problem=f"The answer names more than one tier ({', '.join(tiers)})")
    spelled = spelled_answer(text, output)
    if spelled is not None:
        return _Reading(spelled)
    labels = ", ".join(output.labels)
    return _Reading(problem=f"The answer does not give one of the labels {labels} as its answer")


def _read(text: str, output: OutputFormat) -> _Reading:
    if output.kind == "json" or cookbook_json(text):
        answer = read_json(text, output)
        reading = _Reading(answer.label, codes=answer.codes, rationale=answer.rationale)
        reading.confidence, reading.problem = answer.confidence, answer.problem
    else:
        reading = _read_text(text, output)
    if reading.depiction is None:
        reading = _with_tier(reading, text, output)
    return reading


def parse_verdict(
    final: str | None, output: OutputFormat, *, stop_reason: str = "return"
) -> Verdict:
    """Read the label from the final-channel text under the policy's output format."""
    if final is None or not final.strip():
        return Verdict(
            VerdictStatus.NO_VERDICT, raw=final or "", message=_no_answer(final, stop_reason)
        )
    cut = {"budget": "the token budget", "cancelled": "a cancel"}.get(stop_reason, "")
    text, escalate = split_escalate(final)
    reading = _read(text, output)
    rule_codes = list(dict.fromkeys(reading.codes + cited_rule_codes(final)))
    label = reading.label
    if label is None:
        advice = "state the output format more clearly in the policy"
        if stop_reason == "budget":
            advice = "raise the token budget or lower the reasoning effort"
        tail = f" (it was cut off by {cut})" if cut else ""
        return Verdict(
            VerdictStatus.UNPARSABLE,
            rule_codes=rule_codes,
            rationale=reading.rationale,
            raw=final,
            message=f"{reading.problem}{tail}; {advice}.",
            escalate=escalate,
        )
    messages = [reading.note] if reading.note else []
    if cut:
        messages.append(f"The answer was cut off by {cut} but still reads as {label}.")
    return Verdict(
        VerdictStatus.OK,
        label=label,
        violates=output.is_violating(label),
        rule_codes=rule_codes,
        rationale=reading.rationale,
        raw=final,
        message=" ".join(messages),
        tier=reading.tier,
        escalate=escalate,
        depiction=reading.depiction,
        request=reading.request,
        confidence=reading.confidence,
    )
