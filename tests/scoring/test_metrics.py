"""Metrics against hand-computed values, with no-verdict results kept apart."""

from __future__ import annotations

from fractions import Fraction

import pytest

from app.core.policy import OutputFormat
from app.scoring.metrics import (
    Outcome,
    check_thresholds,
    compute_metrics,
    parse_thresholds,
)

BINARY = OutputFormat(kind="binary", labels=("0", "1"), violating=("1",))
HATE = OutputFormat(
    kind="labels", labels=("HS0", "HS1", "HS2", "HS3"), violating=("HS1", "HS2", "HS3")
)


def o(case_id, expected, status="ok", label=None, tags=()):
    return Outcome(case_id, expected, status, label, tuple(tags))


BINARY_SET = [
    o("c1", "1", label="1", tags=["en"]),  # TP
    o("c2", "1", label="1"),  # TP
    o("c3", "1", label="0", tags=["en", "tricky"]),  # FN
    o("c4", "1", "no_verdict", tags=["tricky"]),  # violating, no verdict
    o("c5", "0", label="0"),  # TN
    o("c6", "0", label="0"),  # TN
    o("c7", "0", label="1", tags=["en"]),  # FP
    o("c8", "0", "error"),  # non-violating, no verdict
    o("c9", "0", "unparsable"),  # non-violating, no verdict
    o("c10", "", label="1"),  # no expected label: unscored
]


def approx(fraction: Fraction):
    return pytest.approx(float(fraction), abs=1e-12)


def test_binary_metrics_by_hand():
    m = compute_metrics(BINARY_SET, BINARY)
    assert (m.total, m.scored, m.unscored, m.verdicts) == (10, 9, 1, 6)
    assert (m.tp, m.fp, m.tn, m.fn) == (2, 1, 2, 1)
    assert (m.missed_positive, m.missed_negative) == (1, 2)
    assert m.accuracy == approx(Fraction(4, 9))  # no-verdicts count as wrong
    assert m.precision == approx(Fraction(2, 3))  # no-verdicts not in the denominator
    assert m.recall == approx(Fraction(2, 4))  # the violating no-verdict is a miss
    assert m.f1 == approx(Fraction(4, 7))
    assert m.coverage == approx(Fraction(6, 9))
    assert m.status_counts == {"ok": 6, "no_verdict": 1, "unparsable": 1, "error": 1}


def test_no_verdict_is_never_folded_into_does_not_violate():
    m = compute_metrics(BINARY_SET, BINARY)
    cm = m.confusion
    assert cm.rows == ["0", "1"]
    assert cm.columns == ["0", "1", "<no verdict>", "<unparsable>", "<error>"]
    assert cm.matrix() == [[2, 1, 0, 1, 1], [1, 2, 1, 0, 0]]
    assert cm.cell("1", "0") == 1  # only the real false negative, not c4
    assert cm.case_ids[("1", "<no verdict>")] == ["c4"]
    assert cm.case_ids[("0", "0")] == ["c5", "c6"]


def test_agreement_per_tag():
    m = compute_metrics(BINARY_SET, BINARY)
    tags = {t.tag: t for t in m.tags}
    assert (tags["en"].cases, tags["en"].agree, tags["en"].no_verdict) == (3, 1, 0)
    assert tags["en"].agreement == approx(Fraction(1, 3))
    assert (tags["tricky"].cases, tags["tricky"].agree, tags["tricky"].no_verdict) == (2, 0, 1)


MULTI_SET = [
    o("m1", "HS0", label="HS0"),
    o("m2", "HS0", label="HS1"),
    o("m3", "HS1", label="HS1"),
    o("m4", "HS2", label="HS1"),  # wrong class, right side of the binary line
    o("m5", "HS2", label="HS2"),
    o("m6", "HS3", "no_verdict"),
    o("m7", "HS3", label="HS3"),
    o("m8", "HS1", label="HS0"),
]


def test_multi_class_maps_to_binary_through_violating_labels():
    m = compute_metrics(MULTI_SET, HATE)
    assert (m.tp, m.fp, m.tn, m.fn, m.missed_positive) == (4, 1, 1, 1, 1)
    # accuracy is right / scored (m4 answered the wrong class: wrong); the binary "violates"
    # view, which counted m4 right, is violation_accuracy
    assert m.accuracy == approx(Fraction(4, 8))
    assert m.violation_accuracy == approx(Fraction(5, 8))
    assert m.precision == approx(Fraction(4, 5))
    assert m.recall == approx(Fraction(4, 6))
    assert m.f1 == approx(Fraction(8, 11))
    assert m.label_accuracy == approx(Fraction(4, 8))


def test_per_class_and_macro_averages():
    m = compute_metrics(MULTI_SET, HATE)
    per = {c.label: c for c in m.per_class}
    assert [(per[k].support, per[k].predicted, per[k].correct) for k in HATE.labels] == [
        (2, 2, 1),
        (2, 3, 1),
        (2, 1, 1),
        (2, 1, 1),
    ]
    assert per["HS1"].precision == approx(Fraction(1, 3))
    assert per["HS1"].f1 == approx(Fraction(2, 5))
    assert per["HS3"].recall == approx(Fraction(1, 2))  # the no-verdict counts against recall
    assert m.macro_precision == approx(Fraction(17, 24))
    assert m.macro_recall == approx(Fraction(1, 2))
    assert m.macro_f1 == approx(Fraction(67, 120))
    assert m.confusion.cell("HS3", "<no verdict>") == 1


def test_macro_skips_absent_classes_and_undefined_is_none():
    m = compute_metrics(MULTI_SET[:5], HATE)  # HS3 neither expected nor predicted
    assert m.macro_recall == approx(Fraction(1 + Fraction(1, 2) + Fraction(1, 2), 3))
    nothing = compute_metrics([o("a", "1", "error"), o("b", "0", "no_verdict")], BINARY)
    assert nothing.precision is None and nothing.recall == 0.0 and nothing.f1 is None
    assert nothing.accuracy == 0.0 and nothing.coverage == 0.0


def test_thresholds_parse_and_check():
    assert parse_thresholds("f1=0.85, recall=90%") == {"f1": 0.85, "recall": 0.9}
    assert parse_thresholds("") == {}
    for bad in ("f1", "speed=0.9", "f1=high", "recall=1.5"):
        with pytest.raises(ValueError):
            parse_thresholds(bad)
    m = compute_metrics(BINARY_SET, BINARY)
    assert check_thresholds(m, {"precision": 0.66, "recall": 0.5}) == []
    failures = check_thresholds(m, {"f1": 0.6, "accuracy": 0.4})
    assert failures == ["f1 0.571 is below 0.600"]
    nothing = compute_metrics([o("a", "0", "error")], BINARY)
    assert check_thresholds(nothing, {"precision": 0.1}) == [
        "precision is undefined on this run (needs at least 0.100)"
    ]


def test_to_dict_is_json_ready():
    import json

    data = compute_metrics(MULTI_SET, HATE).to_dict()
    text = json.dumps(data)
    assert json.loads(text)["confusion"]["matrix"][0] == [1, 1, 0, 0, 0, 0, 0]
