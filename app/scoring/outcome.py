"""The one definition of a right answer: RIGHT, WRONG or UNSCORED for a result and the value
a test case expects, under the policy's output format.

Every view that says "right" or "wrong" asks :func:`judge` (metrics and tier metrics, the
flip report, run comparison and McNemar, the rule heat map, stability, triage, held-out
checks, reports, JUnit, CSV, the case table's ✓/✗ and *Run failed*). The rules:

- **Unscored**: the expected value is empty, or neither a label nor a tier of the policy
  (after the parts below are taken off). Unscored cases are in no metric.
- **No verdict**: a scored case whose status is not ``ok`` (``no_verdict``, ``unparsable``,
  ``error``) or that has no label is WRONG: a missing answer never counts as right.
- **Plain label** (``INVALID``, ``1``, ``HS2`` when the labels are the classes): right when
  the verdict's label is that label. A verdict's tier does not matter here.
- **Tier** (``DC2``: a tier that is not itself a label): right when the verdict's tier is
  that tier; the label alone (``INVALID``) is not enough, since it does not say which tier.
- **Two labels** (``D-SP2, R-SP0``): only the *scored part* is compared, the policy's
  ``score_on`` (depiction unless the front matter says request) or the part a view asks
  for: the expected tier of that part against the verdict's tier of that part (a verdict
  without two labels is read through its one tier, ``INVALID (SP2)``). The other part is
  neither right nor wrong; switch ``part`` to score it. This is the convention metrics had
  before, so one number means the same in every view.
- **Escalation** (``INVALID + ESCALATE``, ``DC3 + ESCALATE``): the rest is compared as above,
  and the verdict must also ask for escalation. An escalation the case did not ask for does
  not make an answer wrong (it sends the case to a person; it is not another label).

:class:`Outcome` is the record the scoring modules read (from a stored result, a verdict or
a CSV row); :func:`judge` takes anything with the same attributes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from app.core.policy import PARTS, OutputFormat, split_pair
from app.core.verdict import split_escalate, tier_label

OK = "ok"
NO_VERDICT_COLUMNS = ("<no verdict>", "<unparsable>", "<error>")
_STATUS_COLUMN = dict(zip(("no_verdict", "unparsable", "error"), NO_VERDICT_COLUMNS, strict=True))


class Judgement(str, Enum):
    RIGHT = "right"
    WRONG = "wrong"
    UNSCORED = "unscored"


@dataclass(frozen=True)
class Outcome:
    """One case's expected value next to what the run said about it."""

    case_id: str
    expected: str
    status: str  # a VerdictStatus value
    label: str | None = None
    tags: tuple[str, ...] = ()
    tier: str | None = None  # the verdict's severity tier, if the answer gave one
    depiction: str | None = None  # two-label answers
    request: str | None = None
    escalate: bool = False  # the answer asked for escalation

    @property
    def prediction(self) -> str:
        """The predicted label, or the confusion-matrix column of a no-verdict status."""
        if self.status == OK and self.label is not None:
            return self.label
        return _STATUS_COLUMN.get(self.status, NO_VERDICT_COLUMNS[2])


@dataclass(frozen=True)
class Expectation:
    """What a stored expected value asks for, as :func:`judge` compares it."""

    target: str  # the label or tier compared (a pair's scored part, no escalate flag)
    label: str | None  # the answer label it stands for; None: unscored
    on_tier: bool  # compared on the verdict's tier (a tier that is not a label)
    escalate: bool  # the verdict must ask for escalation


def _status(result: Any) -> str:
    status = result.status
    return str(getattr(status, "value", status))


def outcome_of(result: Any, expected: str | None = None) -> Outcome:
    """The outcome of a stored result, a CSV row or a verdict-like record (``expected``
    overrides its own expected value)."""
    return Outcome(
        case_id=getattr(result, "case_id", ""),
        expected=(getattr(result, "expected", "") if expected is None else expected) or "",
        status=_status(result),
        label=result.label,
        tags=tuple(getattr(result, "tags", ()) or ()),
        tier=result.tier,
        depiction=result.depiction,
        request=result.request,
        escalate=bool(getattr(result, "escalate", False)),
    )


def prediction(result: Any) -> str:
    """The label of a result, or the no-verdict column of its status (as in the confusion
    matrix)."""
    return outcome_of(result).prediction


def _part(output: OutputFormat, part: str | None) -> str:
    part = part or output.score_on
    if part not in PARTS:
        raise ValueError(f"'{part}' is not one of {', '.join(PARTS)}")
    return part


def expectation(expected: str, output: OutputFormat, part: str | None = None) -> Expectation:
    """How an expected value is compared (see the module notes)."""
    text, escalate = split_escalate((expected or "").strip())
    text = text.strip()
    pair = split_pair(text)
    if pair is not None:
        text = pair[PARTS.index(_part(output, part))]
    label = output.label_of(text) if text else None
    on_tier = text in output.tiers and text not in output.labels
    return Expectation(text, label, on_tier, escalate)


def scored_part(outcome: Outcome, output: OutputFormat, part: str | None = None) -> Outcome:
    """An outcome as its scored part: an expected pair (``D-SP2, R-SP0``) as the tier of that
    part, an escalation without its flag, and a two-label answer as that part's tier and
    label. The views that count labels (confusion, per class, tiers) read these."""
    want = expectation(outcome.expected, output, part)
    if want.target != outcome.expected:
        outcome = replace(outcome, expected=want.target)
    side = _part(output, part)
    tier = outcome.depiction if side == "depiction" else outcome.request
    if tier is None or outcome.status != OK:
        return outcome
    return replace(outcome, tier=tier, label=tier_label(tier, output) or outcome.label)


def judge(
    result: Any, output: OutputFormat, part: str | None = None, *, expected: str | None = None
) -> Judgement:
    """RIGHT, WRONG or UNSCORED for a result against its expected value (or ``expected``)."""
    o = outcome_of(result, expected)
    want = expectation(o.expected, output, part)
    if want.label is None:
        return Judgement.UNSCORED
    if o.status != OK or o.label is None:
        return Judgement.WRONG
    o = scored_part(o, output, part)
    hit = o.tier == want.target if want.on_tier else o.label == want.target
    if want.escalate and not o.escalate:
        hit = False
    return Judgement.RIGHT if hit else Judgement.WRONG


def is_right(
    result: Any, output: OutputFormat, part: str | None = None, *, expected: str | None = None
) -> bool:
    return judge(result, output, part, expected=expected) is Judgement.RIGHT


def is_wrong(
    result: Any, output: OutputFormat, part: str | None = None, *, expected: str | None = None
) -> bool:
    """Scored and not right (a no-verdict included)."""
    return judge(result, output, part, expected=expected) is Judgement.WRONG


def is_scored(expected: str, output: OutputFormat, part: str | None = None) -> bool:
    return expectation(expected, output, part).label is not None


def answer_as_expected(
    result: Any, output: OutputFormat, part: str | None = None, *, expected: str | None = None
) -> str | None:
    """What the result answered, written the way its expected value is (a tier for an
    expected tier, both parts for an expected pair, ``+ ESCALATE`` kept): the gold label
    that would make this answer right. None without a verdict or an answer of that kind."""
    o = outcome_of(result, expected)
    if o.status != OK or o.label is None:
        return None
    want = expectation(o.expected, output, part)
    text = o.expected.strip()
    if split_pair(split_escalate(text)[0].strip()) is not None:
        answer = f"D-{o.depiction}, R-{o.request}" if o.depiction and o.request else None
    elif want.on_tier:
        answer = scored_part(o, output, part).tier or output.tier_of_label(o.label)
    else:
        answer = scored_part(o, output, part).label
    if answer and want.escalate and o.escalate:
        answer += " + ESCALATE"
    return answer


def answer_key(result: Any) -> tuple:
    """Everything an answer says that scoring reads: label (or no-verdict column), tier,
    both parts and the escalate flag. Two answers with the same key are judged the same."""
    o = outcome_of(result)
    if o.status != OK or o.label is None:
        return (o.prediction,)
    return (o.prediction, o.tier, o.depiction, o.request, o.escalate)


def answer_text(result: Any) -> str:
    """The answer as people read it and as votes count it: ``INVALID DC2``, ``INVALID
    D-SP2 R-SP0 ESCALATE``, ``1``, or the no-verdict column; equal texts, equal keys."""
    o = outcome_of(result)
    if o.status != OK or o.label is None:
        return o.prediction
    parts = [o.label]
    if o.depiction or o.request:
        parts += [f"D-{o.depiction or '?'}", f"R-{o.request or '?'}"]
    elif o.tier and o.tier != o.label:
        parts.append(o.tier)
    return " ".join(parts + (["ESCALATE"] if o.escalate else []))
