"""Lint hints for a policy: checks against the published gpt-oss-safeguard guidance.

``lint_policy(text)`` returns ``LintHint``s, each with a 1-based line (or None for the
whole policy), a severity ("warning" or "info"), a stable code and one sentence that says
what to do. The checks: the output format is stated, near the top and again at the bottom;
there are Definitions, Criteria and Examples sections and a rule for ambiguous cases or
escalation; no vague words ("generally", "usually", ...); each rule code is defined once
and every code cited is defined; the body is near the recommended 400–600 tokens.
Qt-free, like the rest of ``app.core``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.core.policy import (
    RULE_CODE_RE,
    OutputFormat,
    PolicyError,
    estimate_tokens,
    find_rule_codes,
    is_caps_heading,
    output_format_from_meta,
    split_front_matter,
)

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
_HEADING_RE = re.compile(r"^\s*(?:#{1,6}\s*|\*\*|__)?\s*([A-Za-z][A-Za-z &/-]*)")
_ESCALATION_RE = re.compile(
    r"\b(escalat\w*|ambigu\w*|unclear|uncertain\w*|borderline|when in doubt|if unsure|"
    r"human review|edge cases?)\b",
    re.I,
)
_QUOTED_RE = re.compile(r"\"[^\"\n]*\"|“[^”\n]*”|`[^`\n]*`")


@dataclass(frozen=True)
class LintHint:
    """One suggestion about a policy."""

    line: int | None  # 1-based line in the whole file; None for the policy as a whole
    severity: str  # "warning" | "info"
    message: str
    code: str


def _section_titles(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """(line, lower-case title) for headings and title-like lines ("Examples:", and in a
    plain-text policy a short line in capitals such as "DEFINITIONS")."""
    titles = []
    for number, line in lines:
        stripped = line.strip()
        is_heading = stripped.startswith("#") or (
            stripped.startswith(("**", "__")) and stripped.rstrip(":*_ ").endswith(("**", "__", ""))
        )
        is_heading |= is_caps_heading(stripped)
        if is_heading or (stripped.endswith(":") and len(stripped) <= 40):
            match = _HEADING_RE.match(stripped)
            if match:
                titles.append((number, match.group(1).strip().lower()))
    return titles


def _format_lines(lines: list[tuple[int, str]], output: OutputFormat) -> list[int]:
    """Lines that instruct the model how to answer."""
    found = []
    for number, line in lines:
        lowered = line.lower()
        declared = output.kind == "json" and any(
            f'"{name}"' in lowered for name in output.json_fields[:1]
        )
        if _FORMAT_RE.search(line) or declared:
            found.append(number)
    return found


def lint_policy(text: str) -> list[LintHint]:
    """All hints for a policy text, whole-policy hints first, then by line."""
    hints: list[LintHint] = []
    try:
        meta, body, offset = split_front_matter(text)
        output = output_format_from_meta(meta)
    except PolicyError as exc:
        hints.append(LintHint(1, "warning", str(exc), "front-matter"))
        meta, body, offset, output = {}, text, 0, OutputFormat()
    lines = [(offset + i + 1, line) for i, line in enumerate(body.split("\n"))]
    content = [(n, line) for n, line in lines if line.strip()]

    # Output format: stated, and both near the top and near the bottom.
    format_lines = _format_lines(content, output)
    if not format_lines:
        hints.append(LintHint(None, "warning", "State the exact output format (e.g. 'Output format: ...') near the top and again at the bottom.", "no-output-format"))  # fmt: skip
    elif content:
        first, last = content[0][0], content[-1][0]
        third = max(1, (last - first) // 3)
        top = any(n <= first + third for n in format_lines)
        bottom = any(n >= last - third for n in format_lines)
        if len(format_lines) == 1 or not (top and bottom):
            where = "at the bottom" if top else "near the top"
            hints.append(LintHint(format_lines[0], "warning", f"The output format is stated only once; state it again {where} of the policy.", "format-stated-once"))  # fmt: skip

    titles = _section_titles(content)
    for keyword, code, severity, what in (
        ("definition", "no-definitions", "info", "a Definitions section for the terms the rules use"),
        ("criteria", "no-criteria", "warning", "a Criteria section listing what violates and what does not"),
        ("example", "no-examples", "warning", "an Examples section with cases near the decision boundary"),
    ):  # fmt: skip
        synonyms = {"criteria": ("criteria", "violat", "rules")}.get(keyword, (keyword,))
        if not any(title.startswith(synonyms) for _, title in titles):
            hints.append(LintHint(None, severity, f"Add {what}.", code))

    if not any(_ESCALATION_RE.search(line) for _, line in content):
        hints.append(LintHint(None, "warning", "Add a rule for ambiguous cases that says how to decide or when to escalate.", "no-escalation"))  # fmt: skip

    for number, line in content:
        for match in _VAGUE_RE.finditer(_QUOTED_RE.sub(lambda m: " " * len(m.group()), line)):
            word = match.group(1)
            severity = "info" if word.lower() in ("may be", "might be") else "warning"
            hints.append(LintHint(number, severity, f'Replace the vague word "{word}" with a condition the model can check.', "vague-word"))  # fmt: skip

    # Rule codes: defined once; every cited code defined.
    defined: dict[str, int] = {}
    for rule in find_rule_codes(text):
        if rule.line <= offset:
            continue
        if rule.code in defined:
            hints.append(LintHint(rule.line, "warning", f"Rule code {rule.code} is already defined on line {defined[rule.code]}; give this rule its own code.", "duplicate-rule-code"))  # fmt: skip
        else:
            defined[rule.code] = rule.line
    prefixes = {re.match(r"[A-Z]+", code).group() for code in defined}  # type: ignore[union-attr]
    reported: set[str] = set()
    for number, line in content:
        for match in RULE_CODE_RE.finditer(line):
            code = match.group(1)
            prefix = re.match(r"[A-Z]+", code).group()  # type: ignore[union-attr]
            if code in defined or code in reported or prefix not in prefixes:
                continue
            reported.add(code)
            hints.append(LintHint(number, "warning", f"Rule code {code} is cited but never defined; define it or cite an existing code.", "undefined-rule-code"))  # fmt: skip

    tokens = estimate_tokens(body)
    low, high = RECOMMENDED_TOKENS
    if tokens > MAX_TOKENS:
        hints.append(LintHint(None, "warning", f"The policy is about {tokens:,} tokens, beyond the ~{MAX_TOKENS:,} the model handles well; split or shorten it.", "too-long"))  # fmt: skip
    elif tokens > high:
        hints.append(LintHint(None, "info", f"The policy is about {tokens:,} tokens; {low}–{high} works best, so tighten it if you can.", "long"))  # fmt: skip
    elif tokens < low:
        hints.append(LintHint(None, "info", f"The policy is about {tokens:,} tokens; {low}–{high} works best, so add definitions or boundary examples.", "short"))  # fmt: skip

    return sorted(hints, key=lambda h: (h.line is not None, h.line or 0))
