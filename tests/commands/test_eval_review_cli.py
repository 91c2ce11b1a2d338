"""Agreement in ``eval --json`` and in the HTML and Markdown reports (issue 23): a run that
people reviewed carries reviewer-vs-model accuracy and κ, and the figures between reviewers
when several labelled the same cases; markup in a reviewer's name stays text."""

from __future__ import annotations

import json

import pytest

import app.cli
from app.core.fingerprint import text_hash
from app.core.reviews import Review
from app.reports.report import render_html, render_markdown
from app.runs.stored.report import build_run_report
from app.store import Store, default_db_path
from app.store.reviews import put_review
from tests.commands.test_eval_cli import env  # noqa: F401

# the scripted model answers c1 "0", c2..c5 right; reviewers label c1..c5
MODEL = {"c1": "0", "c2": "0", "c3": "1", "c4": "0", "c5": "1"}
ANA = {"c1": "1", "c2": "0", "c3": "1", "c4": "0", "c5": "1"}  # corrects c1
BEN = {"c1": "1", "c2": "0", "c3": "1", "c4": "1", "c5": "1"}  # also c4
KAPPA_ANA = (0.8 - 0.48) / (1 - 0.48)  # p_o 4/5; marginals 3/5, 2/5 against 2/5, 3/5


def _review(store: Store, run_id: str, reviewer: str, labels: dict[str, str]) -> None:
    policy_hash = store.get_run(run_id).policy_hash
    for case_id, label in labels.items():
        put_review(store, Review(
            run_id, case_id, reviewer, policy_hash, text_hash(case_id), label=label,
            model_label=MODEL[case_id],
        ))  # fmt: skip


def _eval_json(base, path, *extra) -> dict:
    assert app.cli.main([*base, "--json", str(path), *extra]) == 0
    return json.loads(path.read_text(encoding="utf-8"))


def test_eval_json_and_reports_carry_the_reviews(env, capsys):  # noqa: F811
    tmp, base, _engines = env
    first = _eval_json(base, tmp / "first.json")
    assert "review" not in first  # nobody reviewed it yet
    run_id = first["run"]["run_id"]
    store = Store(default_db_path())
    _review(store, run_id, "ana", ANA)
    store.close()
    data = _eval_json(base, tmp / "one.json", "--resume", run_id)
    review = data["review"]
    assert (review["reviewed"], review["corrected"]) == (5, 1)
    assert review["accuracy"]["value"] == pytest.approx(0.8)
    assert review["kappa"]["value"] == pytest.approx(KAPPA_ANA)
    assert review["accuracy"]["n"] == 5 and review["between"] == {}
    store = Store(default_db_path())
    _review(store, run_id, "ben <b>", BEN)
    store.close()
    data = _eval_json(base, tmp / "two.json", "--resume", run_id, "--html", str(tmp / "r.html"))
    between = data["review"]["between"]
    assert between["agreement"]["value"] == pytest.approx(0.8) and between["agreement"]["n"] == 5
    assert {"kappa", "alpha", "ac1"} <= set(between)
    page = (tmp / "r.html").read_text(encoding="utf-8")
    assert "<h2>Review</h2>" in page and "ben &lt;b&gt;" in page and "<b>" not in page
    assert "reviewer vs model: accuracy" in page and "between reviewers: Gwet&#x27;s AC1" in page


def test_the_report_names_where_reviewers_and_model_disagree_most(env, capsys):  # noqa: F811
    tmp, base, _engines = env
    run_id = _eval_json(base, tmp / "first.json")["run"]["run_id"]
    store = Store(default_db_path())
    try:
        assert build_run_report(store, run_id).review is None
        assert "<h2>Review</h2>" not in render_html(build_run_report(store, run_id))
        _review(store, run_id, "ana", ANA)
        report = build_run_report(store, run_id)
        page = render_html(report)
        assert "disagree most on model label 0" in page and "1 of 3 accepted" not in page
        assert "2 of 3 accepted" in page  # c1 corrected among the three answered 0
        markdown = render_markdown(report)
        assert "## Review" in markdown and "| reviewer vs model: accuracy | 0.800" in markdown
    finally:
        store.close()
