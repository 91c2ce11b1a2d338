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
* **json**: the first JSON object in the text (fences and surrounding prose allowed). The
  label field is ``violation`` (or the first of ``json_fields`` without it). Its value is
  matched to a label by spelling first; otherwise 1/true/"yes" mean violating and 0/false/"no"
  not: with labels 0/1 that is "1"/"0", with other labels it is the single violating or single
  non-violating label (UNPARSABLE if there are several). ``policy_category`` (string, list or
  null) gives rule codes, ``rationale`` the rationale.

Every verdict keeps ``raw``; rule codes cited anywhere in the answer are collected.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import Enum

from app.core.policy import OutputFormat, cited_rule_codes


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

    @classmethod
    def error(cls, message: str, raw: str = "") -> Verdict:
        """The run itself failed; ``message`` says what to do, in one sentence."""
        return cls(VerdictStatus.ERROR, raw=raw, message=message)


_PREFIX = (
    r"(?:(?:final\s+)?(?:answer|label|output|verdict|classification|result|decision|violation)"
    r"\s*(?:is\s*)?[:=\-–—]?\s*)?"
)
_SEPARATOR_RE = re.compile(r"\s*[(\[\-–—:,;|]|\.\s|\s+[A-Z]{1,5}-?\d")
_END = r"(?![\w-]|\.[A-Za-z0-9])"  # "SP2." ends a label; "SP2.a" and "SP2-x" do not
_TRUE = {"1", "true", "yes", "y", "violation", "violating"}
_FALSE = {"0", "false", "no", "n", "safe", "none"}
_EMPTY_CATEGORIES = {"", "none", "null", "n/a", "na", "-"}
_AMBIGUOUS = "?"


@dataclass(frozen=True)
class _Line:
    label: str  # canonical label, or _AMBIGUOUS
    bare: bool  # nothing but the label (and punctuation) on the line


def _word_re(label: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(r"(?<![\w.-])" + re.escape(label) + _END, flags)


def _clean(line: str) -> str:
    line = re.sub(r"```[\w-]*|[*`]|__", "", line).strip()
    return line.strip("\"'“”‘’").strip()


def _canonical(found: str, labels: tuple[str, ...]) -> str:
    return next((label for label in labels if label.lower() == found.lower()), found)


def _strict_line(line: str, labels: tuple[str, ...]) -> _Line | None:
    """A line that is an answer: optional 'Answer:', a label, then nothing or a separator."""
    if not labels:
        return None
    alternatives = "|".join(re.escape(label) for label in sorted(labels, key=len, reverse=True))
    match = re.match(_PREFIX + f"({alternatives}){_END}(.*)$", line, re.IGNORECASE | re.DOTALL)
    if not match:
        return None
    label, rest = _canonical(match.group(1), labels), match.group(2)
    if not rest.strip(" \t.!"):
        return _Line(label, bare=True)
    if not _SEPARATOR_RE.match(rest):
        return None  # prose such as "1 of many"
    others = (other for other in labels if other != label)
    if any(_word_re(other, re.IGNORECASE).search(rest) for other in others):
        return _Line(_AMBIGUOUS, bare=False)
    return _Line(label, bare=False)


def _lenient(text: str, labels: tuple[str, ...]) -> set[str]:
    """Labels found as whole words: exact spelling if any, else case-insensitive."""
    exact = {label for label in labels if _word_re(label).search(text)}
    if exact:
        return exact
    return {label for label in labels if _word_re(label, re.IGNORECASE).search(text)}


def _read_label(text: str, labels: tuple[str, ...], lenient: bool) -> tuple[set[str], str, str]:
    """Return (labels found, rationale, note); one label found means success."""
    raw_lines = [line for line in text.splitlines() if _clean(line)]
    lines = [_strict_line(_clean(line), labels) for line in raw_lines]
    first = lines[0] if lines else None
    if first is not None and first.label != _AMBIGUOUS:
        later = {line.label for line in lines[1:] if line is not None and line.bare}
        rationale = "\n".join(raw_lines[1:]).strip()
        return {first.label} | later, rationale, ""
    found = {line.label for line in lines if line is not None}
    if found or not lenient:
        return found, "", ""
    found = _lenient(text, labels)
    if found:
        return found, "", ""
    by_code = {
        label
        for code in cited_rule_codes(text)
        for label in labels
        if code.lower().startswith(label.lower() + ".")
    }
    codes = ", ".join(cited_rule_codes(text))
    return by_code, "", f"The label was read from the rule code it cites ({codes})."


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


def _read_json(text: str, output: OutputFormat) -> tuple[str | None, list[str], str, str]:
    """Return (label, rule codes, rationale, problem)."""
    found = _first_object(text)
    if found is None:
        return None, [], "", "The answer has no valid JSON object, though the policy asks for JSON"
    obj = {str(key).lower(): value for key, value in found.items()}
    names = [name.lower() for name in output.json_fields]
    key = "violation" if "violation" in names or not names else names[0]
    if key not in obj:
        return None, [], "", f"The JSON answer has no '{key}' field"
    label = _json_label(obj[key], output)
    category_keys = ["policy_category"] + [name for name in names if "categor" in name]
    codes = [code for name in category_keys for code in _categories(obj.get(name))]
    rationale = obj.get("rationale")
    rationale = "" if rationale is None else str(rationale).strip()
    if label is None:
        allowed = ", ".join(output.labels)
        problem = f"The JSON field '{key}' is {json.dumps(obj[key])}, not one of {allowed}"
        return None, codes, rationale, problem
    return label, codes, rationale, ""


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


def parse_verdict(
    final: str | None, output: OutputFormat, *, stop_reason: str = "return"
) -> Verdict:
    """Read the label from the final-channel text under the policy's output format."""
    if final is None or not final.strip():
        return Verdict(
            VerdictStatus.NO_VERDICT, raw=final or "", message=_no_answer(final, stop_reason)
        )
    cut = {"budget": "the token budget", "cancelled": "a cancel"}.get(stop_reason, "")
    labels = ", ".join(output.labels)
    codes: list[str] = []
    note = ""
    if output.kind == "json":
        label, codes, rationale, problem = _read_json(final, output)
    else:
        found, rationale, note = _read_label(final, output.labels, output.kind != "binary")
        label = next(iter(found)) if len(found) == 1 and _AMBIGUOUS not in found else None
        if len(found) > 1 or _AMBIGUOUS in found:
            named = ", ".join(sorted(found - {_AMBIGUOUS}))
            problem = "The answer names more than one label" + (f" ({named})" if named else "")
        elif not found:
            problem = f"The answer does not give one of the labels {labels} as its answer"
        else:
            problem = ""
    rule_codes = list(dict.fromkeys(codes + cited_rule_codes(final)))
    if label is None:
        advice = "state the output format more clearly in the policy"
        if stop_reason == "budget":
            advice = "raise the token budget or lower the reasoning effort"
        tail = f" (it was cut off by {cut})" if cut else ""
        message = f"{problem}{tail}; {advice}."
        return Verdict(
            VerdictStatus.UNPARSABLE,
            rule_codes=rule_codes,
            rationale=rationale,
            raw=final,
            message=message,
        )
    messages = [note] if note else []
    if cut:
        messages.append(f"The answer was cut off by {cut} but still reads as {label}.")
    return Verdict(
        VerdictStatus.OK,
        label=label,
        violates=output.is_violating(label),
        rule_codes=rule_codes,
        rationale=rationale,
        raw=final,
        message=" ".join(messages),
    )
