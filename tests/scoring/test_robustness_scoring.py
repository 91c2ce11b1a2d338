"""A robustness report judges answers with the one answer key and the one definition of
right (app.scoring.outcome): a tier that moves under attack is a changed answer, and
McNemar's b/c count the very sample that stands for the case."""

from __future__ import annotations

from app.core.policy import OutputFormat
from app.core.records import StoredResult
from app.scoring.robustness import build_report
from app.variants.variant import Variant

TIERS = OutputFormat(
    kind="labels", labels=("VALID", "INVALID"), violating=("INVALID",),
    tiers=("DC0", "DC1", "DC2"), allowed_tiers=("DC0",),
)  # fmt: skip


def _answer(case_id: str, tier: str, expected: str = "DC2") -> StoredResult:
    label = "VALID" if tier == "DC0" else "INVALID"
    return StoredResult(
        "r", case_id, "k", "ok", expected, label, label == "INVALID", tier=tier, content="text"
    )


def test_a_tier_that_moves_under_attack_is_a_changed_answer() -> None:
    variant = Variant("c1", "leet", 0, "t3xt")
    report = build_report(
        {"c1": _answer("c1", "DC2")}, [variant], {variant.id: [_answer("c1", "DC1")]},
        output=TIERS,
    )  # fmt: skip
    (stats,) = report.families
    (example,) = report.examples["leet"]
    assert example.direction == "changed"
    assert (example.clean_label, example.variant_label) == ("INVALID DC2", "INVALID DC1")
    assert stats.changed == 1 and (stats.b, stats.c) == (1, 0)  # right clean, wrong attacked


def test_b_and_c_count_the_sample_that_stands_for_the_case() -> None:
    """Two samples with the same label: the first is right (DC2), the second flips the tier
    and stands for the case, so the attacked answer is wrong."""
    variant = Variant("c1", "leet", 0, "t3xt")
    samples = [_answer("c1", "DC2"), _answer("c1", "DC1")]
    report = build_report(
        {"c1": _answer("c1", "DC2")}, [variant], {variant.id: samples}, output=TIERS, k=2
    )
    (stats,) = report.families
    assert report.examples["leet"][0].variant_label == "INVALID DC1"
    assert (stats.b, stats.c) == (1, 0)
