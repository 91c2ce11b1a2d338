"""Rule heat map: how often each rule code of the policy is cited in a run, and on what.

For every rule code the policy defines (:attr:`Policy.rule_codes`, in policy order):

- ``answer``: results whose final answer cites it (``policy_category``, ``rule_ids``, a tier
  or any code in the answer text: the verdict's ``rule_codes``);
- ``reasoning``: results whose reasoning mentions it (counted apart from the answer);
- ``precision``: of the scored cases whose answer cites it, the share answered right
  (``None`` when the answer never cites it);
- ``wrong``: scored cases answered wrong (or with no verdict) that cite it anywhere; right
  and wrong are :func:`app.scoring.outcome.judge`'s, so a tiered case answered with its
  expected tier is never "on wrong", and the cases on wrong are the ones Metrics counts wrong;
- ``false_positives``: cases that cite it in the answer, were judged violating and are not;
- ``never``: cited neither in an answer nor in a reasoning, itself or through a sub-rule
  (``SP2`` counts as reached when ``SP2.a`` is cited).

A rule that is never cited, or whose answer citations are mostly false positives (at least
two, and more than half), comes first in :func:`ranked` with a one-line hint.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.policy import Policy, cited_rule_codes
from app.core.records import StoredResult
from app.scoring.outcome import Judgement, expectation, judge


@dataclass
class RuleHeat:
    code: str
    line: int  # where the policy defines it (1-based, whole file)
    title: str
    answer: int = 0
    reasoning: int = 0
    answer_scored: int = 0
    answer_right: int = 0
    wrong: int = 0
    false_positives: int = 0
    case_ids: list[str] | None = None  # cases citing it anywhere, in run order
    sub_rules_cited: int = 0  # citations of its sub-rules (SP2.a, SP2.b for SP2)
    wrong_ids: list[str] = field(default_factory=list)  # the cases counted in ``wrong``

    @property
    def never(self) -> bool:
        return not self.answer and not self.reasoning and not self.sub_rules_cited

    @property
    def precision(self) -> float | None:
        return self.answer_right / self.answer_scored if self.answer_scored else None

    @property
    def mostly_false_positives(self) -> bool:
        return self.false_positives >= 2 and self.false_positives * 2 > self.answer

    @property
    def heat(self) -> float:
        """0..1 for the heat strip: the share of citations on wrong cases, or 0."""
        cited = len(self.case_ids or [])
        return self.wrong / cited if cited else 0.0

    def hint(self, cases: int) -> str:
        """One line on what to look at, or "" when nothing stands out."""
        if self.never:
            return (
                f"{self.code} was never cited in {cases} cases: add a case that reaches it, "
                "or check that its wording matches how such content is written."
            )
        if self.mostly_false_positives:
            return (
                f"{self.code} was cited on {self.false_positives} false positives: "
                "its wording may be too broad."
            )
        if self.wrong and self.wrong * 2 > len(self.case_ids or []):
            return f"{self.code} was cited on {self.wrong} wrong cases: read their reasoning."
        return ""


def rule_heat(policy: Policy, results: list[StoredResult]) -> list[RuleHeat]:
    """Heat of every rule the policy defines over a run's results (policy order)."""
    output = policy.output
    heats: dict[str, RuleHeat] = {}
    for rule in policy.rule_codes:
        heats.setdefault(rule.code, RuleHeat(rule.code, rule.line, rule.title, case_ids=[]))
    for result in results:
        judgement = judge(result, output)
        scored = judgement is not Judgement.UNSCORED
        right = judgement is Judgement.RIGHT
        expected = expectation(result.expected, output).label or ""  # DC2 reads as INVALID
        in_reasoning = cited_rule_codes(result.analysis)
        false_positive = (
            scored
            and result.status == "ok"
            and result.label is not None
            and output.is_violating(result.label)
            and not output.is_violating(expected)
        )
        for code, heat in heats.items():
            answer = code in result.rule_codes
            reasoning = code in in_reasoning
            if not answer and not reasoning:
                continue
            heat.case_ids.append(result.case_id)
            heat.answer += answer
            heat.reasoning += reasoning
            if scored and not right:
                heat.wrong += 1
                heat.wrong_ids.append(result.case_id)
            if answer and scored:
                heat.answer_scored += 1
                heat.answer_right += right
                heat.false_positives += false_positive
    for code, heat in heats.items():
        heat.sub_rules_cited = sum(
            len(other.case_ids or [])
            for name, other in heats.items()
            if name.startswith(code + ".")
        )
    return list(heats.values())


def ranked(heats: list[RuleHeat]) -> list[RuleHeat]:
    """Rules never cited and rules mostly on false positives first, then the rest; policy
    order within each group."""
    return sorted(heats, key=lambda h: 0 if h.never or h.mostly_false_positives else 1)
