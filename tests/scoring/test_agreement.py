"""Agreement statistics against hand-computed tables and Krippendorff's published example."""

from __future__ import annotations

import pytest

from app.scoring.agreement import (
    bootstrap_interval,
    cohen_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
)

# Two raters, ten units: 4 both yes, 1 yes/no, 2 no/yes, 3 both no.
TWO = [("y", "y")] * 4 + [("y", "n")] + [("n", "y")] * 2 + [("n", "n")] * 3

# Krippendorff's canonical reliability data (4 observers, 12 units, missing values),
# from "Computing Krippendorff's alpha-reliability" (2011): nominal 0.743, ordinal 0.815.
N = None
KRIPPENDORFF = list(
    zip(
        [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
        [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
        strict=True,
    )
)


def test_cohen_kappa_by_hand() -> None:
    # p_o = 0.7; marginals A yes 0.5, B yes 0.6 -> p_e = 0.5; kappa = 0.2 / 0.5
    assert cohen_kappa(TWO) == pytest.approx(0.4)
    assert percent_agreement(TWO) == pytest.approx(0.7)


def test_gwet_ac1_by_hand() -> None:
    # pi_yes = 0.55 -> p_e = 2 * 0.55 * 0.45 = 0.495; AC1 = (0.7 - 0.495) / 0.505
    assert gwet_ac1(TWO) == pytest.approx(0.205 / 0.505)


def test_alpha_by_hand_on_two_raters() -> None:
    # values 20; coincidences yy 8, nn 6, yn = ny = 3; n_y 11, n_n 9
    # alpha = 1 - (n - 1) * 6 / (2 * 11 * 9)
    assert krippendorff_alpha(TWO) == pytest.approx(1 - 19 * 6 / 198)


def test_alpha_reproduces_krippendorffs_worked_example() -> None:
    assert krippendorff_alpha(KRIPPENDORFF, "nominal") == pytest.approx(0.743, abs=5e-4)
    assert krippendorff_alpha(KRIPPENDORFF, "ordinal") == pytest.approx(0.815, abs=5e-4)


def test_ordinal_alpha_uses_the_given_order_of_tiers() -> None:
    units = [("T0", "T1"), ("T1", "T1"), ("T2", "T2"), ("T0", "T0")]
    near = krippendorff_alpha(units, "ordinal", ["T0", "T1", "T2"])
    far = krippendorff_alpha(units, "ordinal", ["T1", "T2", "T0"])  # T0 and T1 far apart
    assert near is not None and far is not None and near > far
    with pytest.raises(ValueError, match="not in the order"):
        krippendorff_alpha(units, "ordinal", ["T0", "T1"])


def test_ac1_stays_high_where_kappa_collapses_on_one_dominant_label() -> None:
    units = [("ok", "ok")] * 18 + [("ok", "bad"), ("bad", "ok")]
    kappa, ac1 = cohen_kappa(units), gwet_ac1(units)
    assert kappa is not None and kappa < 0  # the kappa paradox
    assert ac1 is not None and ac1 > 0.85


def test_missing_and_degenerate_data() -> None:
    assert cohen_kappa([(1, None), (None, 2)]) is None
    assert krippendorff_alpha([(1, None, None)]) is None
    assert krippendorff_alpha([(1, 1), (1, 1)]) is None  # one category: alpha undefined
    assert cohen_kappa([(1, 1), (1, 1)]) == 1.0
    assert gwet_ac1([]) is None


def test_bootstrap_interval_is_seeded_and_brackets_the_estimate() -> None:
    first = bootstrap_interval(cohen_kappa, TWO * 5, rounds=300, seed=7)
    again = bootstrap_interval(cohen_kappa, TWO * 5, rounds=300, seed=7)
    assert first == again
    low, high = first
    assert low is not None and high is not None and low <= 0.4 <= high
    assert bootstrap_interval(cohen_kappa, []) == (None, None)


def test_the_cli_lines_and_the_report_name_the_same_worst_disagreement() -> None:
    """No rule was disputed but a model label was: both the plain lines (window tab, CLI)
    and the report's Review section name that label."""
    from app.reports.review import review_rows
    from app.scoring.review_agreement import Breakdown, ReviewAgreement

    agreement = ReviewAgreement(
        reviewed=4, per_label=[Breakdown("INVALID", 3, 1)], per_rule=[Breakdown("SP2", 2, 2)]
    )
    assert agreement.worst() == Breakdown("INVALID", 3, 1)
    assert "the model and reviewers disagree most on INVALID" in agreement.lines()
    assert ("disagree most on model label INVALID", "1 of 3 accepted") in review_rows(agreement)
