"""Tiers and two labels as results: tier metrics by hand, and the stored columns (migrated)."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from fractions import Fraction

import pytest

from app.core.policy import OutputFormat
from app.core.records import StoredResult
from app.scoring.metrics import Outcome, compute_metrics, run_metrics
from app.scoring.outcome import is_right
from app.store import Store
from app.store.rows import SCHEMA_VERSION

DC = OutputFormat(
    kind="labels",
    labels=("VALID", "INVALID"),
    violating=("INVALID",),
    tiers=("DC0", "DC1", "DC2", "DC3"),
    allowed_tiers=("DC0",),
)
SP = replace(DC, tiers=("SP0", "SP2", "SP3", "SP4"), allowed_tiers=("SP0",), two_labels=True)


def o(case_id, expected, label=None, tier=None, status="ok", **parts):
    return Outcome(case_id, expected, status, label, (), tier, **parts)


TIERED = [
    o("a", "DC0", "VALID", "DC0"),  # exact
    o("b", "DC2", "INVALID", "DC2"),  # exact
    o("c", "DC2", "INVALID", "DC1"),  # off by one
    o("d", "DC3", "INVALID", "DC1"),  # off by two
    o("e", "DC1", "INVALID"),  # right side, no tier given
    o("f", "DC1", "VALID", "DC0"),  # off by one, and a false negative
    o("g", "DC3", status="unparsable"),
    o("h", "INVALID", "INVALID", "DC2"),  # a label, not a tier: not in the tier matrix
    o("i", "DC9", "INVALID", "DC2"),  # not a tier of the policy: unscored
]


def test_tier_metrics_by_hand() -> None:
    m = compute_metrics(TIERED, DC)
    assert (m.total, m.scored, m.unscored, m.verdicts) == (9, 8, 1, 7)
    assert (m.tp, m.fp, m.tn, m.fn, m.missed_positive) == (5, 0, 1, 1, 1)
    assert m.accuracy == pytest.approx(3 / 8)  # right: a, b exact tiers; h label
    assert m.label_accuracy == pytest.approx(6 / 8)  # the label alone: all but f and g
    assert m.violation_accuracy == pytest.approx(6 / 8)  # TP 5 + TN 1
    assert m.wrong_cases == ["c", "d", "e", "f", "g"]
    t = m.tiers
    assert t is not None
    assert t.confusion.rows == ["DC0", "DC1", "DC2", "DC3"]
    assert t.confusion.columns[:5] == ["DC0", "DC1", "DC2", "DC3", "<no tier>"]
    assert (t.scored, t.exact, t.with_tier, t.off_by_one) == (7, 2, 5, 2)
    assert t.cell("DC2", "DC1") == 1 and t.cell("DC1", "<no tier>") == 1
    assert t.cell("DC3", "<unparsable>") == 1 and t.cell("DC1", "DC0") == 1
    assert t.accuracy == pytest.approx(float(Fraction(2, 7)))
    assert t.off_by_one_share == pytest.approx(float(Fraction(2, 5)))
    assert sum(map(sum, t.confusion.matrix())) == 7
    assert m.to_dict()["tiers"]["off_by_one"] == 2
    assert m.confusion.cell("INVALID", "INVALID") == 5  # tiers read as their label


def test_binary_test_set_has_no_tier_metrics() -> None:
    m = compute_metrics([o("a", "VALID", "VALID", "DC0"), o("b", "INVALID", "VALID")], DC)
    assert m.tiers is None and (m.tn, m.fn) == (1, 1)


def test_two_labels_score_the_chosen_part() -> None:
    pair = dict(depiction="SP3", request="SP0")
    outcomes = [o("a", "SP3", "INVALID", "SP3", **pair), o("b", "SP0", "INVALID", "SP3", **pair)]
    depiction = compute_metrics(outcomes, SP)
    assert (depiction.tp, depiction.fp) == (1, 1) and depiction.tiers.exact == 1
    request = compute_metrics(outcomes, SP, part="request")
    assert (request.fn, request.tn) == (1, 1) and request.tiers.exact == 1
    with pytest.raises(ValueError, match="depiction"):
        compute_metrics(outcomes, SP, part="both")
    by_policy = compute_metrics(outcomes, replace(SP, score_on="request"))  # front matter
    assert (by_policy.fn, by_policy.tn) == (1, 1)
    # a test set labelling both (D-…, R-…): each part scored against its own expected tier
    both = [
        o("a", "D-SP3, R-SP2", "INVALID", "SP3", **pair),
        o("b", "D-SP0, R-SP0", status="error"),
    ]
    on_depiction = compute_metrics(both, SP)
    assert on_depiction.tiers.exact == 1 and on_depiction.tiers.cell("SP0", "<error>") == 1
    on_request = compute_metrics(both, SP, part="request")
    assert (on_request.tn, on_request.fn) == (0, 1) and on_request.tiers.cell("SP2", "SP0") == 1


def _row(run: str, case: str, **extra) -> StoredResult:
    return StoredResult(run_id=run, case_id=case, cache_key="k-" + case, status="ok", **extra)


def test_stored_results_keep_tier_escalate_and_two_labels(tmp_path) -> None:
    store = Store(tmp_path / "s.db")
    run = store.create_run(store.add_policy_version("p"))
    store.add_result(
        _row(
            run,
            "c1",
            expected="SP3",
            label="INVALID",
            violates=True,
            tier="SP3",
            escalate=True,
            depiction="SP3",
            request="SP0",
        )  # fmt: skip
    )
    got = store.results(run)[0]
    assert (got.tier, got.escalate, got.depiction, got.request) == ("SP3", True, "SP3", "SP0")
    assert is_right(got, SP)  # the expected tier is the verdict's tier (JUnit, reports)
    verdict = got.verdict
    assert (verdict.tier, verdict.escalate, verdict.request) == ("SP3", True, "SP0")
    assert run_metrics([got], SP).tiers.exact == 1
    store.close()


def test_a_version_1_database_is_migrated_and_keeps_its_results(tmp_path) -> None:
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version "
        "VALUES (1); CREATE TABLE policy_versions (hash TEXT PRIMARY KEY, text TEXT NOT NULL, "
        "created REAL NOT NULL, note TEXT NOT NULL DEFAULT '', path TEXT NOT NULL DEFAULT '');"
        "CREATE TABLE runs (id TEXT PRIMARY KEY, policy_hash TEXT NOT NULL, model TEXT NOT "
        "NULL DEFAULT '', settings TEXT NOT NULL DEFAULT '{}', cases_path TEXT NOT NULL "
        "DEFAULT '', total INTEGER NOT NULL DEFAULT 0, started REAL NOT NULL, finished REAL, "
        "status TEXT NOT NULL DEFAULT 'running');"
        "CREATE TABLE results (run_id TEXT NOT NULL, case_id TEXT NOT NULL, cache_key TEXT "
        "NOT NULL, expected TEXT NOT NULL DEFAULT '', label TEXT, status TEXT NOT NULL, "
        "violates INTEGER, rule_codes TEXT NOT NULL DEFAULT '[]', rationale TEXT NOT NULL "
        "DEFAULT '', analysis TEXT NOT NULL DEFAULT '', final TEXT NOT NULL DEFAULT '', "
        "message TEXT NOT NULL DEFAULT '', stop_reason TEXT NOT NULL DEFAULT '', content TEXT "
        "NOT NULL DEFAULT '', tags TEXT NOT NULL DEFAULT '[]', cached INTEGER NOT NULL DEFAULT "
        "0, prompt_tokens INTEGER NOT NULL DEFAULT 0, evaluated_tokens INTEGER NOT NULL DEFAULT "
        "0, reused_tokens INTEGER NOT NULL DEFAULT 0, generated_tokens INTEGER NOT NULL DEFAULT "
        "0, load_ms REAL NOT NULL DEFAULT 0, prompt_ms REAL NOT NULL DEFAULT 0, generate_ms "
        "REAL NOT NULL DEFAULT 0, created REAL NOT NULL, PRIMARY KEY (run_id, case_id));"
        "INSERT INTO policy_versions VALUES ('h', 'p', 1, '', '');"
        "INSERT INTO runs (id, policy_hash, started) VALUES ('r1', 'h', 1);"
        "INSERT INTO results (run_id, case_id, cache_key, label, status, violates, created) "
        "VALUES ('r1', 'c1', 'k1', '1', 'ok', 1, 1);"
    )
    old.close()
    store = Store(path)
    (kept,) = store.results("r1")
    assert (kept.label, kept.tier, kept.escalate, kept.depiction) == ("1", None, False, None)
    store.add_result(_row("r1", "c2", label="INVALID", tier="DC2"))
    assert store.results("r1")[1].tier == "DC2"
    store.close()
    version = sqlite3.connect(path).execute("SELECT version FROM schema_version").fetchall()
    assert version == [(SCHEMA_VERSION,)]
    again = Store(path)  # opening again is a no-op
    assert again.results("r1")[0].label == "1"
    again.close()
