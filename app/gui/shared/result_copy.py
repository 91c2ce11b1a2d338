"""*Copy result*: one case's result as a Markdown block that pastes into a ticket.

The block carries what a colleague needs to judge the result without the app: the
content, the label with its tier, two labels, escalation and cited rules, the policy's
name and version, the model and the settings it ran with, the date, and the reasoning.
Text written by people and by the model goes into fenced blocks (the fence is longer than
any backtick run inside), so nothing in it turns into Markdown formatting.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from app.core.cases import TestCase
from app.gui.shared.result_entry import ResultEntry, predicted_text
from app.reports.markup import md_block


@dataclass(frozen=True)
class ResultContext:
    """What the window knows about the run that the case table does not."""

    policy_name: str = ""
    policy_version: str = ""
    model: str = ""  # the backend chosen now, when the result does not name its model
    settings: dict[str, object] = field(default_factory=dict)


def _label_line(entry: ResultEntry) -> str:
    result = entry.result
    label = predicted_text(entry) or entry.state
    if result is None or not result.verdict.rule_codes:
        return f"**Label:** {label}"
    return f"**Label:** {label} · rules {', '.join(result.verdict.rule_codes)}"


def result_markdown(
    case: TestCase, entry: ResultEntry, context: ResultContext, when: float | None = None
) -> str:
    """The Markdown block Copy result puts on the clipboard."""
    lines = [f"### Case {case.id}", "", md_block(case.content), "", _label_line(entry)]
    if case.expected:
        lines.append(f"**Expected:** {case.expected}")
    policy = context.policy_name or "Untitled policy"
    version = f" (version {context.policy_version})" if context.policy_version else ""
    lines.append(f"**Policy:** {policy}{version}")
    model = (entry.result.model if entry.result is not None else "") or context.model
    if model:
        lines.append(f"**Model:** {model}")
    if context.settings:
        shown = ", ".join(f"{key} {value}" for key, value in context.settings.items())
        lines.append(f"**Settings:** {shown}")
    stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(when or time.time()))
    lines.append(f"**Date:** {stamp}")
    if entry.final:
        lines += ["", "**Answer:**", "", md_block(entry.final)]
    if entry.analysis:
        lines += ["", "**Reasoning:**", "", md_block(entry.analysis)]
    return "\n".join(lines) + "\n"
