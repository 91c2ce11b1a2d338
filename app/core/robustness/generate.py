"""The variants of a test set: N per case per family, in a stable order (case, family, n).

``context`` carries what a family needs from the run rather than the case: the policy's
own word for "allowed" (injection families write their fake answers in it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from app.core.robustness.families import Family, check_variant_count, make_variant
from app.core.robustness.variant import Variant


def generate(
    cases: Iterable[tuple[str, str]],
    families: Sequence[Family],
    variants: int,
    seed: int,
    context: Mapping | None = None,
) -> list[Variant]:
    """``variants`` variants of every ``(case id, content)`` for every family."""
    check_variant_count(variants)
    context = dict(context or {})
    return [
        make_variant(case_id, text, family, index, seed, context)
        for case_id, text in cases
        for family in families
        for index in range(variants)
    ]


def by_case(variants: Iterable[Variant]) -> dict[str, list[Variant]]:
    """Variants grouped by the case they were made from, in order."""
    out: dict[str, list[Variant]] = {}
    for variant in variants:
        out.setdefault(variant.case_id, []).append(variant)
    return out
