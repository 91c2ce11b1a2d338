"""Verdicts read from a model's final answer: the public surface of ``core.verdict``.

The modules behind it: ``reading`` (:class:`Verdict`, :func:`parse_verdict`, the statuses),
``text_answer`` (label words and ``Answer:`` lines), ``json_answer`` (the answer's JSON
object) and ``tiers`` (severity tiers, two-label pairs, ``+ ESCALATE``). Modules outside this
package import from here (``tests/test_architecture.py`` checks).
"""

from app.core.verdict.reading import Verdict, VerdictStatus, parse_verdict, status_word
from app.core.verdict.tiers import split_escalate, tier_label

__all__ = [
    "Verdict",
    "VerdictStatus",
    "parse_verdict",
    "split_escalate",
    "status_word",
    "tier_label",
]
