"""Suggested policy edits: our own prompt to a model, and the reading of its answer.

From a set of failing cases, :func:`suggestion_request_parts` writes a prompt of our own (not
the classifier's policy prompt): instructions (sent where a policy goes, the developer
message), then the policy, the failing cases with their expected labels and the model's
reasoning (sent as the content). The model is asked for the smallest change to *one* section,
as a replacement of that section's text, in this shape::

    SECTION: <the section heading as written, without the #>
    REPLACEMENT:
    <the new text of the section, without its heading line>

A JSON object ``{"section": ..., "replacement": ...}`` is read too. :func:`parse_suggestion`
turns the answer into a :class:`Suggestion` (the new policy text and a diff), or raises
:class:`SuggestionError` with one sentence: an answer that is not a replacement, one for a
section the policy does not have, or one that changes nothing is never applied.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass

from app.core.policy import headings
from app.core.records import StoredResult

MAX_CASES = 8
MAX_REASONING = 1200  # characters of each case's reasoning put in the prompt

INSTRUCTIONS = """You improve content policies that a classifier model applies.
You are given a policy and test cases the classifier labelled wrongly, each with the label
it should have given and the classifier's reasoning.
Propose the smallest change to ONE section of the policy that makes the classifier give the
expected labels, without changing how it labels other content. Keep rule codes as they are.
The sections you may change are listed after the policy, by their headings.
Answer in exactly this form and nothing else:
SECTION: <the heading of the section to change, exactly as listed>
REPLACEMENT:
<the complete new text of that section, without its heading line>"""


NO_SECTIONS = (
    "A suggestion replaces one section, and this policy has no section headings (# headings, "
    "lines in capitals such as DEFINITIONS, or tier lines such as 'Spam (SP2 – Bulk)'); "
    "add headings and ask again."
)


class SuggestionError(ValueError):
    """An answer that cannot be applied; the message says what to do, in one sentence."""


@dataclass(frozen=True)
class Section:
    title: str  # heading text without the #s
    heading: int  # 0-based line index of the heading in the whole policy text
    end: int  # line index after the section's last line
    tier: str = ""  # the tier code a tier line names ("SP2")


@dataclass(frozen=True)
class Suggestion:
    section: str
    old_text: str
    new_text: str
    policy_before: str
    policy_after: str

    def diff(self) -> list[str]:
        """Unified diff lines of the whole policy (before → after)."""
        return list(
            difflib.unified_diff(
                self.policy_before.splitlines(), self.policy_after.splitlines(),
                "policy", "suggested", lineterm="", n=2,
            )
        )  # fmt: skip


def sections(policy_text: str) -> list[Section]:
    """The sections of the policy body: each runs from a heading (``#`` heading, a line in
    capitals, a tier line: :func:`app.core.policy.lines.headings`) to the next one."""
    found = headings(policy_text)
    end = len(policy_text.splitlines())
    ends = [heading.line - 1 for heading in found[1:]] + [end] if found else []
    return [
        Section(heading.title, heading.line - 1, stop, heading.tier)
        for heading, stop in zip(found, ends, strict=True)
    ]


def section_titles(policy_text: str) -> list[str]:
    """The titles a suggestion may name, in order."""
    return [section.title for section in sections(policy_text)]


def _norm(title: str) -> str:
    """A title without marks, emoji, dashes or case ("✅ Allowed (SP0 – x)" -> "allowed sp0 x")."""
    return " ".join(re.sub(r"[^\w.()]+|[()_]", " ", title).split()).casefold()


def find_section(policy_text: str, name: str) -> Section | None:
    """The section whose heading is ``name``, starts with it (as a rule code does), or whose
    tier code it is ("SP2")."""
    wanted = _norm(name)
    found = sections(policy_text)
    exact = [s for s in found if _norm(s.title) == wanted]
    if exact or not wanted:
        return exact[0] if exact else None
    tier = [s for s in found if s.tier and s.tier.casefold() == wanted]
    if tier:
        return tier[0]
    return next((s for s in found if _norm(s.title).startswith(wanted + " ")), None)


def suggestion_request_parts(policy_body: str, failures: list[StoredResult]) -> tuple[str, str]:
    """(instructions, content) of the suggestion prompt for these failing results."""
    if not failures:
        raise SuggestionError("Pick at least one failing case to base a suggestion on.")
    titles = section_titles(policy_body)
    if not titles:
        raise SuggestionError(NO_SECTIONS)
    parts = ["# Policy", "", policy_body.strip(), "", "# Sections you may change", ""]
    parts += [f"- {title}" for title in titles] + ["", "# Cases labelled wrongly", ""]
    for result in failures[:MAX_CASES]:
        reasoning = result.analysis.strip()
        if len(reasoning) > MAX_REASONING:
            reasoning = reasoning[:MAX_REASONING] + " …"
        answered = result.label if result.status == "ok" else "no verdict"
        parts += [
            f"## Case {result.case_id}",
            f"Expected label: {result.expected}. The classifier answered: {answered}.",
            "Content:",
            result.content.strip(),
            "Classifier reasoning:",
            reasoning or "(none)",
            "",
        ]
    return INSTRUCTIONS, "\n".join(parts)


def _strip_fences(text: str) -> str:
    text = text.strip("\n")
    match = re.fullmatch(r"\s*```[\w-]*\n(.*?)\n```\s*", text, re.DOTALL)
    return match.group(1) if match else text


def _read_answer(answer: str) -> tuple[str, str] | None:
    start = answer.find("{")
    if start >= 0:
        try:
            value, _ = json.JSONDecoder().raw_decode(answer, start)
        except ValueError:
            value = None
        if isinstance(value, dict) and {"section", "replacement"} <= set(value):
            return str(value["section"]), str(value["replacement"])
    match = re.search(
        r"^\W*SECTION\W*:\s*(.+?)\s*$.*?^\W*REPLACEMENT\W*:[ \t]*\n?(.*)\Z",
        answer,
        re.MULTILINE | re.DOTALL | re.IGNORECASE,
    )
    return (match.group(1).strip(" *`\"'"), match.group(2)) if match else None


def parse_suggestion(answer: str, policy_text: str) -> Suggestion:
    """Read the model's answer as a replacement of one section of ``policy_text``."""
    read = _read_answer(answer or "")
    if read is None:
        raise SuggestionError(
            "The model's answer is not a section replacement (no SECTION and REPLACEMENT); "
            "ask again or pick other cases."
        )
    name, replacement = read[0].lstrip("# ").strip(), _strip_fences(read[1]).strip("\n")
    section = find_section(policy_text, name)
    if section is None:
        raise SuggestionError(
            f"The suggestion replaces a section '{name[:60]}' that the policy does not have; "
            "ask again or edit the policy by hand."
        )
    if not replacement.strip():
        raise SuggestionError("The suggestion's replacement text is empty; ask again.")
    lines = policy_text.splitlines()
    old_lines = lines[section.heading + 1 : section.end]
    old = "\n".join(old_lines).strip("\n")
    if replacement.strip() == old.strip():
        raise SuggestionError("The suggestion repeats the section unchanged; ask again.")
    # keep the section's own spacing: a blank line after the heading and before the next
    leading = [""] if old_lines and not old_lines[0].strip() else []
    trailing = [""] if old_lines and not old_lines[-1].strip() else []
    new_lines = lines[: section.heading + 1] + leading + replacement.splitlines() + trailing
    new_lines += lines[section.end :]
    tail = "\n" if policy_text.endswith("\n") else ""
    return Suggestion(section.title, old, replacement, policy_text, "\n".join(new_lines) + tail)
