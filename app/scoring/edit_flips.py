"""What a policy edit did to the robustness variants: the flip report of two robustness
runs (before and after the edit: the same seeded variants, so like is compared with like),
counted per family. "This edit fixed 9 leet evasions and broke 1."
"""

from __future__ import annotations

from app.scoring.flips import KINDS, FlipReport
from app.variants.variant import SEPARATOR


def family_of(variant_id: str) -> str:
    """The family a variant's id names (``case~family~n``), or "" for another id."""
    parts = variant_id.rsplit(SEPARATOR, 2)
    return parts[1] if len(parts) == 3 else ""


def flips_by_family(report: FlipReport) -> dict[str, dict[str, int]]:
    """Per family, the fixed / broken / changed counts of a flip report, families in the
    order they first flip."""
    counts: dict[str, dict[str, int]] = {}
    for flip in report.flips:
        family = family_of(flip.case_id)
        if family:
            counts.setdefault(family, dict.fromkeys(KINDS, 0))[flip.kind] += 1
    return counts


def edit_summary(report: FlipReport) -> list[str]:
    """One line per family that flipped: "leet: this edit fixed 9 and broke 1 (2 changed)"."""
    lines = []
    for family, n in flips_by_family(report).items():
        changed = f" ({n['changed']} changed, still wrong)" if n["changed"] else ""
        lines.append(f"{family}: this edit fixed {n['fixed']} and broke {n['broken']}{changed}")
    return lines or ["no variant changed its label"]
