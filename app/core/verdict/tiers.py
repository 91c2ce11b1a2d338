"""Severity tiers, two labels and the escalate flag in a model's final answer.

* ``INVALID + ESCALATE`` (also ``, ESCALATE``, a line that is only ``ESCALATE``, or JSON
  ``"escalate": true``): the flag is split off and the rest is read as usual.
* ``D-SP2, R-SP0`` (either order; ``D-S2, R-S0`` where ``S2`` can only mean ``SP2``): the
  depiction and the request tier, kept apart; the verdict's tier and label are those of the
  part the policy scores (``score_on``, default depiction); two different pairs are unparsable.
* a tier code (``SP4``, ``DC2``, ``SP2.a``) on the first line, or cited codes that all name
  one tier: the tier, whose label is the policy's violating or allowed word.

Tier spellings go through :func:`app.core.policy.label_spelling.spell_tier`, as test-set labels do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.core.policy import OutputFormat, cited_rule_codes, pairs_in, spell_tier, tier_number
from app.core.verdict.text_answer import PREFIX

_CODE = r"([A-Za-z]{1,5}-?\d{1,3}(?:\.[A-Za-z0-9]{1,4})*)"
_ESCALATE_RE = re.compile(
    r"\s*(?:[+&,;|/]|\band\b)\s*[*`_\"']*escalate\b[*`_\"']*"
    r"|^\s*[*`_\"']*ESCALATE[*`_\"'.!]*\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_JSON_ESCALATE_RE = re.compile(r"\"escalate\"\s*:\s*(?:true|1|\"yes\")", re.IGNORECASE)
_FIRST_LINE_RE = re.compile(PREFIX + rf"[*`_\"'(]*{_CODE}(?![\w-])", re.IGNORECASE)


@dataclass
class TierAnswer:
    """Tiers read from an answer (None where the answer does not give one)."""

    tier: str | None = None
    depiction: str | None = None
    request: str | None = None
    problem: str = ""


def split_escalate(text: str) -> tuple[str, bool]:
    """The answer without its escalate flag, and whether it had one (a JSON answer's
    ``"escalate": true`` is left in place)."""
    if _JSON_ESCALATE_RE.search(text):
        return text, True
    stripped, count = _ESCALATE_RE.subn("", text)
    if not count or (not stripped.strip() and not text.lstrip().startswith("{")):
        return text, False  # "ESCALATE" alone is a flag without a label: keep it as text
    return stripped, True


def tier_code(code: str, output: OutputFormat) -> str | None:
    """The policy tier a cited code names; without declared tiers, its own class (``S2``)."""
    if output.tiers:
        return spell_tier(code, output)
    match = re.match(r"[A-Za-z]{1,5}-?\d{1,3}", code)
    return match.group().upper() if match else None


def tier_label(tier: str, output: OutputFormat) -> str | None:
    """The answer label of a tier: the policy's mapping, else by its number (0 allowed)."""
    if tier in output.tiers:
        return output.label_of(tier)
    violates = tier_number(tier) != 0
    side = [label for label in output.labels if output.is_violating(label) == violates]
    return side[0] if side else None


def read_pair(text: str, output: OutputFormat) -> TierAnswer | None:
    """Depiction and request tiers from ``D-…, R-…``; None when the answer has no pair."""
    pairs = pairs_in(text)
    if not pairs:
        return None
    if len(pairs) > 1:
        return TierAnswer(problem="The answer gives more than one depiction/request pair")
    ((depiction, request),) = pairs
    tiers = (tier_code(depiction, output), tier_code(request, output))
    if None in tiers:
        known = " ".join(output.tiers)
        return TierAnswer(
            problem=f"The answer's labels D-{depiction}, R-{request} are not tiers {known}"
        )
    scored = tiers[1] if output.score_on == "request" else tiers[0]  # the part metrics score
    return TierAnswer(tier=scored, depiction=tiers[0], request=tiers[1])


def first_line_tier(text: str, output: OutputFormat) -> str | None:
    """The tier a first line such as ``SP4``, ``**DC2**`` or ``Output: SP2.a`` gives, when
    that line names no other tier."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    match = _FIRST_LINE_RE.match(first.strip())
    if match is None or not output.tiers or len(cited_tiers(first, output)) > 1:
        return None  # "SP2 or SP3" names two tiers
    return tier_code(match.group(1), output)


def cited_tiers(text: str, output: OutputFormat, codes: list[str] = ()) -> list[str]:
    """The distinct policy tiers named by the rule codes in text (and in ``codes``)."""
    if not output.tiers:
        return []
    found = (spell_tier(code, output) for code in [*codes, *cited_rule_codes(text)])
    return list(dict.fromkeys(tier for tier in found if tier is not None))
