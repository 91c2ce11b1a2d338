"""Wilson intervals and exact McNemar p against hand-computed values; invisible characters
shown as marked symbols, never raw."""

from __future__ import annotations

import unicodedata

import pytest

from app.scoring.stats import mcnemar_exact, wilson
from app.variants.display import marked, visible
from app.variants.families import BUILT_IN, make_variant


def test_wilson_against_hand_computed_values() -> None:
    # 3 of 10: p = .3, z = 1.96; centre (.3 + .19208) / 1.38415 = .35558,
    # half 1.96 * sqrt(.021 + .0096040) / 1.38415 = .24772 -> (.1078, .6033)
    low, high = wilson(3, 10)
    assert low == pytest.approx(0.1078, abs=1e-4) and high == pytest.approx(0.6033, abs=1e-4)
    assert wilson(0, 4) == pytest.approx((0.0, 0.4899), abs=1e-4)  # z²/(n+z²) = 3.8415/7.8415
    assert wilson(4, 4)[1] == 1.0 and wilson(0, 0) == (0.0, 1.0)


def test_mcnemar_exact_against_hand_computed_values() -> None:
    assert mcnemar_exact(5, 0) == pytest.approx(2 / 32)  # 2 * C(5,0) / 2^5
    assert mcnemar_exact(6, 1) == pytest.approx(2 * (1 + 7) / 128)  # 0.125
    assert mcnemar_exact(3, 3) == 1.0 and mcnemar_exact(0, 0) == 1.0
    assert mcnemar_exact(10, 0) == pytest.approx(2 / 1024)


def test_invisible_and_bidi_characters_are_marked() -> None:
    assert visible("a\u200bb\u202ec\u2060\u00a0d") == "a⟨ZWSP⟩b⟨RLO⟩c⟨WJ⟩⟨NBSP⟩d"
    assert visible("\U000e0041\U000e0020x\ue000") == "⟨TAG A⟩⟨TAG 20⟩x⟨U+E000⟩"
    assert visible("line\nnext\ttab") == "line\nnext\ttab"
    assert marked("ab\u200bc", (2,)) == [("ab", False), ("⟨ZWSP⟩", True), ("c", False)]


@pytest.mark.parametrize("family", BUILT_IN, ids=lambda f: f.name)
def test_no_variant_shows_a_raw_invisible_character(family) -> None:
    variant = make_variant("c", "Buy cheap gift cards now, today.", family, 0, 3, {})
    shown = visible(variant.text)
    assert not [c for c in shown if unicodedata.category(c) == "Cf" or ord(c) >= 0xE0000]
