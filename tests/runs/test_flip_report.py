"""Flip report between two recorded runs, and the HTML / Markdown run reports."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from app.core.records import StoredResult
from app.reports.report import (
    md_block,
    md_inline,
    render_html,
    render_markdown,
    write_html,
)
from app.runs.stored.history import flip_report
from app.runs.stored.report import build_run_report
from app.store import Store

POLICY_V1 = "---\nformat: binary\n---\n# Spam v1\n"
POLICY_V2 = "---\nformat: binary\n---\n# Spam v2, sharper\n"
EVIL = '<script>alert("x")</script> & </pre></div><b>bold</b>'


def _record(store: Store, policy: str, rows: list[tuple[str, str, str, str | None]]) -> str:
    run = store.create_run(store.add_policy_version(policy), model="fake.gguf")
    for case_id, expected, status, label in rows:
        store.add_result(
            StoredResult(
                run_id=run,
                case_id=case_id,
                cache_key=f"{run}-{case_id}",
                status=status,
                expected=expected,
                label=label,
                violates=None if label is None else label == "1",
                analysis=f"reasoning for {case_id} in {policy[-10:]}",
                content=f"content {case_id}",
                final=label or "",
            )  # fmt: skip
        )
    store.set_run_status(run, "finished")
    return run


RUN_A = [
    ("fixed", "1", "ok", "0"),  # wrong -> right
    ("broken", "0", "ok", "0"),  # right -> wrong
    ("still", "1", "no_verdict", None),  # wrong -> other wrong (label 0)
    ("same", "1", "ok", "1"),  # unchanged
    ("same-wrong", "0", "ok", "1"),  # unchanged, wrong both times
    ("gone", "0", "ok", "0"),  # only in run A
    ("nov-fixed", "0", "error", None),  # error -> right
]
RUN_B = [
    ("fixed", "1", "ok", "1"),
    ("broken", "0", "ok", "1"),
    ("still", "1", "ok", "0"),
    ("same", "1", "ok", "1"),
    ("same-wrong", "0", "ok", "1"),
    ("nov-fixed", "0", "ok", "0"),
    ("new", "1", "ok", "1"),  # only in run B
]


def test_flip_report_on_two_recorded_runs(store):
    a = _record(store, POLICY_V1, RUN_A)
    b = _record(store, POLICY_V2, RUN_B)
    report = flip_report(store, a, b)
    kinds = {flip.case_id: flip.kind for flip in report.flips}
    assert kinds == {"fixed": "fixed", "broken": "broken", "still": "changed", "nov-fixed": "fixed"}
    assert [f.case_id for f in report.fixed] == ["fixed", "nov-fixed"]
    assert report.only_before == ["gone"] and report.only_after == ["new"]
    flip = report.broken[0]
    assert flip.before.analysis.endswith("Spam v1\n") and flip.after.analysis.endswith("sharper\n")
    assert flip.content == "content broken"
    # Run A: scored 7; TP 1 (same), FP 1 (same-wrong), TN 2 (broken, gone), FN 1 (fixed),
    # 1 violating no-verdict (still), 1 non-violating error. Run B: TP 3, FP 2, TN 1, FN 1.
    assert report.metrics_before.accuracy == pytest.approx(3 / 7)
    assert report.metrics_after.accuracy == pytest.approx(4 / 7)
    assert report.deltas["accuracy"] == pytest.approx(1 / 7)
    assert report.deltas["recall"] == pytest.approx(3 / 4 - 1 / 3)
    assert report.deltas["precision"] == pytest.approx(3 / 5 - 1 / 2)
    assert report.summary() == "4 cases flipped: 2 fixed, 1 broken, 1 changed."


class _Checker(HTMLParser):
    VOID = {"meta", "br", "hr", "img", "input", "link"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unbalanced </{tag}> with open {self.stack[-3:]}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def test_html_report_is_balanced_and_escapes_untrusted_text(store, tmp_path):
    run = _record(store, POLICY_V1, [("c1", "1", "ok", "1"), ("c2", "0", "no_verdict", None)])
    for result in store.results(run):
        result.content = EVIL
        result.analysis = "the model says " + EVIL
        result.rule_codes = ['"><script>']
        store.add_result(result)
    report = build_run_report(store, run)
    write_html(tmp_path / "report.html", report)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    checker = _Checker()
    checker.feed(page)
    checker.close()
    assert checker.errors == [] and checker.stack == []
    assert checker.tags[0] == "html" and "script" not in checker.tags and "b" not in checker.tags
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<script" not in page
    assert EVIL in "".join(checker.text)  # shown as text, exactly
    assert "Confusion matrix" in page and "&lt;no verdict&gt;" in page
    assert page.count('class="case ') == 2


def test_markdown_report_escapes_and_fences(store):
    run = _record(store, POLICY_V1, [("c1", "1", "ok", "1")])
    result = store.results(run)[0]
    result.content = "```\n" + EVIL + "\n````"
    store.add_result(result)
    md = render_markdown(build_run_report(store, run))
    assert "`````text\n```\n" + EVIL + "\n````\n`````" in md
    assert "| accuracy | 1.000 |" in md
    assert md_inline("<b>|x|</b>") == "&lt;b&gt;\\|x\\|&lt;/b&gt;"
    assert md_block("plain") == "```text\nplain\n```"
    assert render_html(build_run_report(store, run)).startswith("<!DOCTYPE html>")


def test_reports_show_tier_escalation_and_two_label_tiers(store):
    run = _record(store, POLICY_V1, [("c1", "1", "ok", "1"), ("c2", "1", "ok", "1")])
    first, second = store.results(run)
    first.tier, first.escalate = "<high>", True
    second.depiction, second.request = "D-SX2", "R-SX0"
    store.add_result(first)
    store.add_result(second)
    report = build_run_report(store, run)
    page = render_html(report)
    assert "predicted 1 · tier &lt;high&gt; · escalate" in page  # escaped, as all model text
    assert "predicted 1 · depiction D-SX2 · request R-SX0" in page
    md = render_markdown(report)
    assert "predicted 1, tier &lt;high&gt;, escalate, correct." in md
    assert "predicted 1, depiction D-SX2, request R-SX0, correct." in md
