"""Reading a verdict from a JSON final answer (the json format and the cookbook's JSON).

The label field is ``violation`` (or the first of ``json_fields`` without it); its value is
matched to a label by spelling first, else 1/true/"yes" mean violating and 0/false/"no" not.
``policy_category`` (string, list or null) and ``rule_ids`` give rule codes, ``rationale``
the rationale and ``confidence`` the model's stated confidence.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from app.core.policy_meta import OutputFormat

_TRUE = {"1", "true", "yes", "y", "violation", "violating"}
_FALSE = {"0", "false", "no", "n", "safe", "none"}
_EMPTY_CATEGORIES = {"", "none", "null", "n/a", "na", "-"}


def _first_object(text: str) -> dict | None:
    decoder = json.JSONDecoder()
    for match in list(re.finditer(r"\{", text))[:100]:
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


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
    """The label, cited codes, rationale and confidence of the first JSON object in text."""
    found = _first_object(text)
    if found is None:
        return JsonAnswer(
            problem="The answer has no valid JSON object, though the policy asks for JSON"
        )
    obj = {str(key).lower(): value for key, value in found.items()}
    names = [name.lower() for name in output.json_fields]
    key = "violation" if "violation" in names or not names else names[0]
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
