"""The variants of a test set: N per case per family, in a stable order (case, family, n).

A variant whose text another variant of the same case and family already has is left out
(a fixed family with one form, such as fullwidth, makes one variant however many are
asked for), so no case is counted twice for the same text.

``context`` carries what a family needs from the run rather than the case: the policy's
own word for "allowed" (injection families write their fake answers in it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from app.variants.families import Family, check_variant_count, make_variant
from app.variants.variant import Variant


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
    out: list[Variant] = []
    for case_id, text in cases:
        for family in families:
            seen: set[str] = set()
            for index in range(variants):
                variant = make_variant(case_id, text, family, index, seed, context)
                if variant.text not in seen:
                    seen.add(variant.text)
                    out.append(variant)
    return out
