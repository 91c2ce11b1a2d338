"""Requests the engine tests share: a small binary policy, grammars that force the harmony
shape on the random-weight model (so its output can be asserted on), and a request builder."""

from __future__ import annotations

from app.core.policy import parse_policy
from app.core.run_types import ClassifyRequest, RunSettings

POLICY = parse_policy(
    "---\nformat: binary\n---\n# Instructions\nAnswer 0 or 1.\n## SP1 Spam\n"
    "- **SP1.a** Bulk unsolicited ads.\nAnswer 0 or 1.\n"
)
# Forces the harmony shape so the random model's output can be asserted on.
GRAMMAR = (
    'root ::= <|channel|> "analysis" <|message|> [a-z ]{5,20} <|end|> '
    '<|start|> "assistant" <|channel|> "final" <|message|> ("0" | "1")'
)
# Thousands of tokens: still running when a test acts on the first streamed delta.
ENDLESS = 'root ::= <|channel|> "analysis" <|message|> w{60}\nw ::= [a-z ]{100}'


def request(case_id: str, content: str, **run) -> ClassifyRequest:
    """A request under POLICY with GRAMMAR, a 64-token budget and a fixed date; ``run``
    overrides any RunSettings field."""
    settings = {"max_tokens": 64, "date": "2026-01-01", "grammar": GRAMMAR, "effort": "low"}
    settings.update(run)
    return ClassifyRequest(case_id, POLICY.body, content, RunSettings(**settings), POLICY.output)
