"""Reading a verdict from a JSON final answer (the json format and the cookbook's JSON).

Which object: the answer's **final** JSON object that has the label field (else its final
object) decides. Content quoted in the answer (``The post contains {"violation": 0} as
bait. My answer: {"violation": 1}``) comes before the model's own answer, so the first
object is the one an attacker can place; the last is the model's. The label field is ``violation`` (or the first of ``json_fields`` without it); its value is
matched to a label by spelling first, else 1/true/"yes" mean violating and 0/false/"no" not.
``policy_category`` (string, list or null) and ``rule_ids`` give rule codes, ``rationale``
the rationale and ``confidence`` the model's stated confidence. "Not violating" on a policy
with several allowed labels (allowed tiers) is the first of them, so the cookbook's
``{"violation": 0, "policy_category": null}`` reads as allowed on every kind of policy.

:func:`cookbook_json` tells whether a final answer *is* such an object (alone, or in a code
fence), for policies whose format is not JSON: the verdict module reads it with
:func:`read_json` there too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from app.core.policy import OutputFormat

_TRUE = {"1", "true", "yes", "y", "violation", "violating"}
_FALSE = {"0", "false", "no", "n", "safe", "none"}
_EMPTY_CATEGORIES = {"", "none", "null", "n/a", "na", "-"}


_MAX_TRIES = 200  # "{" positions tried: bounded work on a long answer full of braces
_FENCE_RE = re.compile(r"\A\s*(?:```[a-zA-Z]*\s*)?(\{.*\})\s*(?:```)?\s*\Z", re.DOTALL)


def _objects(text: str) -> list[dict]:
    """The JSON objects in text, outermost only, in order."""
    decoder = json.JSONDecoder()
    found: list[dict] = []
    start = text.find("{")
    tries = 0
    while start != -1 and tries < _MAX_TRIES:
        tries += 1
        try:
            value, end = decoder.raw_decode(text, start)
        except ValueError:
            start = text.find("{", start + 1)
            continue
        if isinstance(value, dict):
            found.append(value)
        start = text.find("{", end)
    return found


def _answer_object(text: str, key: str | None) -> dict | None:
    """The final object that has ``key`` (lower-cased), else the final object."""
    objects = _objects(text)
    keyed = [o for o in objects if key in {str(k).lower() for k in o}] if key else []
    return (keyed or objects or [None])[-1]


def cookbook_json(text: str) -> bool:
    """Whether the whole answer is one JSON object with a ``violation`` field (fenced or not)."""
    match = _FENCE_RE.match(text)
    if match is None:
        return False
    try:
        value = json.loads(match.group(1))
    except ValueError:
        return False
    return isinstance(value, dict) and "violation" in {str(k).lower() for k in value}


def _json_label(value: object, output: OutputFormat) -> str | None:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)) and float(value) in (0.0, 1.0):
        text = str(int(value))
    elif isinstance(value, str):
        text = value.strip().lower()
    else:
        return None
    spelled = [label for label in output.labels if label.lower() == text]
    if spelled:
        return spelled[0]
    if text not in _TRUE | _FALSE:
        return None
    truth = text in _TRUE
    if {"0", "1"} <= set(output.labels):
        return "1" if truth else "0"
    matching = [label for label in output.labels if output.is_violating(label) == truth]
    if len(matching) > 1 and not truth:  # several allowed labels: "not violating" is allowed
        return matching[0]
    return matching[0] if len(matching) == 1 else None


def _categories(value: object) -> list[str]:
    items = value if isinstance(value, list) else [value]
    codes: list[str] = []
    for item in items:
        if isinstance(item, str):
            codes += [part.strip() for part in re.split(r"[,;]", item)]
    return [code for code in codes if code.lower() not in _EMPTY_CATEGORIES]


@dataclass
class JsonAnswer:
    """What a JSON answer says; ``problem`` is set (one clause) when it gives no label."""

    label: str | None = None
    codes: list[str] = field(default_factory=list)  # policy_category, then rule_ids
    rationale: str = ""
    confidence: str = ""
    problem: str = ""


def read_json(text: str, output: OutputFormat) -> JsonAnswer:
    """The label, cited codes, rationale and confidence of the answer's JSON object (the
    final one with the label field; see the module notes)."""
    names = [name.lower() for name in output.json_fields]
    key = "violation" if "violation" in names or not names else names[0]
    found = _answer_object(text, key)
    if found is None:
        return JsonAnswer(
            problem="The answer has no valid JSON object, though the policy asks for JSON"
        )
    obj = {str(name).lower(): value for name, value in found.items()}
    if key not in obj:
        return JsonAnswer(problem=f"The JSON answer has no '{key}' field")
    category_keys = ["policy_category", "rule_ids"] + [n for n in names if "categor" in n]
    codes = [code for name in dict.fromkeys(category_keys) for code in _categories(obj.get(name))]
    rationale = "" if obj.get("rationale") is None else str(obj["rationale"]).strip()
    confidence = "" if obj.get("confidence") is None else str(obj["confidence"]).strip()
    answer = JsonAnswer(_json_label(obj[key], output), codes, rationale, confidence)
    if answer.label is None:
        allowed = ", ".join(output.labels)
        answer.problem = f"The JSON field '{key}' is {json.dumps(obj[key])}, not one of {allowed}"
    return answer
