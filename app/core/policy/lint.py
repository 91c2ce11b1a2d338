"""Lint hints for a policy: checks against the published gpt-oss-safeguard guidance.

``lint_policy(text)`` returns ``LintHint``s, each with a 1-based line (or None for the
whole policy), a severity ("warning" or "info"), a stable code and one sentence that says
what to do. The checks: the output format is stated, near the top and again at the bottom
(an ``Output:`` line in each tier section counts as restating it); it does not ask for 0/1
in one place and label words in another; there are Definitions, Criteria and Examples
sections and a rule for ambiguous cases or escalation; no vague words ("generally",
"usually", ...); each rule code is defined once and every code cited is defined; the body
is near the recommended 400–600 tokens. Qt-free, like the rest of ``app.core``.

Section names are read as published policies write them: tier sections (``Allowed Content
(SP0 – …)``, ``## Violating Content (DC2 - …)``), "Rules" or "Violating …" are criteria;
"Examples in tables", an ``Examples:`` line or a table whose header names examples are
examples; "Label Format" and "Ambiguity & Escalation" are read as such. A tier code (``DC0``)
is defined by its tier line and may be listed again under the label format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.core.policy.document import (
    RULE_CODE_RE,
    OutputFormat,
    PolicyError,
    RuleCode,
    estimate_tokens,
    find_rule_codes,
    split_front_matter,
)
from app.core.policy.lines import Heading, headings
from app.core.policy.output_phrases import binary_lines, label_statements
from app.core.policy.stated_format import format_reading

RECOMMENDED_TOKENS = (400, 600)
MAX_TOKENS = 10_000
VAGUE_WORDS = (
    "generally", "usually", "typically", "often", "sometimes", "normally", "mostly",
    "may be", "might be", "as appropriate", "where appropriate", "if appropriate",
    "in some cases", "in most cases", "etc", "and so on",
)  # fmt: skip
_VAGUE_RE = re.compile(r"\b(" + "|".join(re.escape(w) for w in VAGUE_WORDS) + r")\b", re.I)
_FORMAT_RE = re.compile(
    r"\b(output format|output:|respond (?:only )?with|answer (?:only )?with|"
    r"reply (?:only )?with|return (?:only )?(?:a |one |the )?(?:json|[`'\"]?[01]\b)|"
    r"(?:output|return|answer) (?:only|exactly)|json object)",
    re.I,
)
_HEADING_RE = re.compile(r"(?:#{1,6}|\*\*|__)?\s*([A-Za-z][A-Za-z &/-]{0,80})")  # stripped
_TABLE_HEADER_RE = re.compile(r"\|[^\n]{0,400}\bexamples?\b", re.I)
_SECTIONS = (
    ("definition", ("definition",), "no-definitions", "info", "a Definitions section for the terms the rules use"),
    ("criteria", ("criteria", "violat", "rules", "allowed content", "disallowed", "prohibited"), "no-criteria", "warning", "a Criteria section listing what violates and what does not"),
    ("example", ("example",), "no-examples", "warning", "an Examples section with cases near the decision boundary"),
)  # fmt: skip
_ESCALATION_RE = re.compile(
    r"\b(escalat\w*|ambigu\w*|unclear|uncertain\w*|borderline|when in doubt|if unsure|"
    r"human review|edge cases?)\b",
    re.I,
)
# a quotation stops at the next opening mark too, so unclosed quotes cost linear time
_QUOTED_RE = re.compile(r"\"[^\"\n]*\"|“[^“”\n]*”|`[^`\n]*`")


@dataclass(frozen=True)
class LintHint:
    """One suggestion about a policy."""

    line: int | None  # 1-based line in the whole file; None for the policy as a whole
    severity: str  # "warning" | "info"
    message: str
    code: str


def _section_titles(lines: list[tuple[int, str]], heads: list[Heading]) -> list[tuple[int, str]]:
    """(line, lower-case title) for headings (# headings, capitals, tier lines), bold or
    title-like lines ("Examples:"), and "example" for a table whose header names examples.
    A tier section is a criteria section."""
    titles = [(h.line, "criteria" if h.tier else h.title.lower()) for h in heads]
    for number, line in lines:
        stripped = line.strip()
        bold = stripped.startswith(("**", "__")) and stripped.rstrip(":*_ ").endswith(
            ("**", "__", "")
        )
        if bold or (stripped.endswith(":") and len(stripped) <= 40):
            match = _HEADING_RE.match(stripped)
            if match:
                titles.append((number, match.group(1).strip().lower()))
        elif _TABLE_HEADER_RE.match(stripped):
            titles.append((number, "example"))
    return [(n, t.lstrip(" #*_")) for n, t in titles]


def _format_lines(lines: list[tuple[int, str]], output: OutputFormat) -> list[int]:
    """Lines that instruct the model how to answer: format phrases, label words stated as
    outputs ("classify as VALID (…) or INVALID"), 0/1 requests, the JSON answer's key."""
    found = {number for number, _, _ in label_statements(lines)} | set(binary_lines(lines))
    for number, line in lines:
        lowered = line.lower()
        declared = output.kind == "json" and any(
            f'"{name}"' in lowered for name in output.json_fields[:1]
        )
        if _FORMAT_RE.search(line) or declared:
            found.add(number)
    return sorted(found)


def _format_hints(
    content: list[tuple[int, str]], output: OutputFormat, heads: list[Heading]
) -> list[LintHint]:
    """Stated at all; near the top and the bottom, or restated per tier; not 0/1 and words."""
    format_lines = _format_lines(content, output)
    if not format_lines:
        return [LintHint(None, "warning", "State the exact output format (e.g. 'Output format: ...') near the top and again at the bottom.", "no-output-format")]  # fmt: skip
    hints = _mixed_format_hints(content)
    first, last = content[0][0], content[-1][0]
    third = max(1, (last - first) // 3)
    top = any(n <= first + third for n in format_lines)
    bottom = any(n >= last - third for n in format_lines)
    tiers = {_section_tier(heads, n) for n in format_lines} - {""}
    where = "at the bottom" if top else "near the top"
    if len(format_lines) == 1:
        hints.append(LintHint(format_lines[0], "warning", f"The output format is stated only once; state it again {where} of the policy.", "format-stated-once"))  # fmt: skip
    elif not (top and bottom) and len(tiers) < 2:
        hints.append(LintHint(format_lines[0], "warning", f"The output format is not stated {where} of the policy; state it there too.", "format-not-at-ends"))  # fmt: skip
    return hints


def _mixed_format_hints(content: list[tuple[int, str]]) -> list[LintHint]:
    """A policy asking for 0 or 1 in one place and label words in another."""
    binary = binary_lines(content)
    words = [(n, w) for n, w, _ in label_statements(content) if w not in ("0", "1")]
    if not binary or not words:
        return []
    return [LintHint(binary[0], "warning", f"This line asks for 0 or 1 but line {words[0][0]} asks for {words[0][1]}; ask for one answer form throughout.", "mixed-output-format")]  # fmt: skip


def _section_tier(heads: list[Heading], line: int) -> str:
    """The tier code of the section a line is in ("" outside tier sections)."""
    tier = ""
    for heading in heads:
        if heading.line > line:
            break
        tier = heading.tier
    return tier


def lint_policy(text: str, output: OutputFormat | None = None) -> list[LintHint]:
    """All hints for a policy text, whole-policy hints first, then by line. ``output`` is
    the format the policy runs with when the caller has parsed it (a sidecar's correction
    included); without it the format is read from the text."""
    hints: list[LintHint] = []
    try:
        meta, body, offset = split_front_matter(text)
        if output is None:
            output = format_reading(meta, body, offset).output
    except PolicyError as exc:
        hints.append(LintHint(1, "warning", str(exc), "front-matter"))
        meta, body, offset, output = {}, text, 0, OutputFormat()
    lines = [(offset + i + 1, line) for i, line in enumerate(body.split("\n"))]
    content = [(n, line) for n, line in lines if line.strip()]
    heads = [h for h in headings(text) if h.line > offset]
    if content:
        hints += _format_hints(content, output, heads)
    titles = _section_titles(content, heads)
    for _keyword, synonyms, code, severity, what in _SECTIONS:
        if not any(title.startswith(synonyms) for _, title in titles):
            hints.append(LintHint(None, severity, f"Add {what}.", code))
    if not any(_ESCALATION_RE.search(line) for _, line in content):
        hints.append(LintHint(None, "warning", "Add a rule for ambiguous cases that says how to decide or when to escalate.", "no-escalation"))  # fmt: skip
    for number, line in content:
        for match in _VAGUE_RE.finditer(_QUOTED_RE.sub(lambda m: " " * len(m.group()), line)):
            word = match.group(1)
            severity = "info" if word.lower() in ("may be", "might be") else "warning"
            hints.append(LintHint(number, severity, f'Replace the vague word "{word}" with a condition the model can check.', "vague-word"))  # fmt: skip
    rules = [rule for rule in find_rule_codes(text) if rule.line > offset]
    hints += _rule_code_hints(content, rules, set(output.tiers))
    hints += _length_hints(estimate_tokens(body))
    return sorted(hints, key=lambda h: (h.line is not None, h.line or 0))


def _rule_code_hints(
    content: list[tuple[int, str]], rules: list[RuleCode], tiers: set[str]
) -> list[LintHint]:
    """Each rule code defined once (a tier listed again is not a second rule); every cited
    code of a defined family defined (tiers of the output format count as defined)."""
    hints: list[LintHint] = []
    defined: dict[str, int] = {}
    tier_codes = tiers | {rule.code for rule in rules if rule.tier}
    for rule in rules:
        if rule.code not in defined:
            defined[rule.code] = rule.line
        elif rule.code not in tier_codes:
            hints.append(LintHint(rule.line, "warning", f"Rule code {rule.code} is already defined on line {defined[rule.code]}; give this rule its own code.", "duplicate-rule-code"))  # fmt: skip
    known = set(defined) | tier_codes
    prefixes = {_prefix(code) for code in known}
    reported: set[str] = set()
    for number, line in content:
        for match in RULE_CODE_RE.finditer(line):
            code = match.group(1)
            if code in known or code in reported or _prefix(code) not in prefixes:
                continue
            reported.add(code)
            hints.append(LintHint(number, "warning", f"Rule code {code} is cited but never defined; define it or cite an existing code.", "undefined-rule-code"))  # fmt: skip
    return hints


def _prefix(code: str) -> str:
    return code[: len(code) - len(code.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))]


def _length_hints(tokens: int) -> list[LintHint]:
    low, high = RECOMMENDED_TOKENS
    if tokens > MAX_TOKENS:
        return [LintHint(None, "warning", f"The policy is about {tokens:,} tokens, beyond the ~{MAX_TOKENS:,} the model handles well; split or shorten it.", "too-long")]  # fmt: skip
    if tokens > high:
        return [LintHint(None, "info", f"The policy is about {tokens:,} tokens; {low}–{high} works best, so tighten it if you can.", "long")]  # fmt: skip
    if tokens < low:
        return [LintHint(None, "info", f"The policy is about {tokens:,} tokens; {low}–{high} works best, so add definitions or boundary examples.", "short")]  # fmt: skip
    return []
