"""Issue 19 end to end, through the CLI as a policy writer would use it: a plain-text policy
shaped like the model publisher's spam example (emoji tier lines with en and em dashes,
curly quotes, `Output:` per tier, a two-label table, capitals headings; our own sample in
tests/support/policies/inbox_spam.txt) and a golden CSV shaped like theirs (no header row,
a title in column 10, section rows, case numbers in column 1, summary rows; our own sample
in tests/support/datasets/spam_shape_golden.csv), answered by a fake OpenAI-compatible
server on loopback in every published answer form.

``policy check`` must list every tier and rule code with no false hint; ``import`` must keep
every case with its tier; ``eval`` must read every answer (coverage 1.0) and give the
confusion counts and the right/wrong counts that the answers imply, computed here by hand.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import app.cli
from app.core.cases import load_cases
from tests.support.fake_openai import serve_routes

SUPPORT = Path(__file__).parents[1] / "support"
POLICY = SUPPORT / "policies" / "inbox_spam.txt"
GOLDEN = SUPPORT / "datasets" / "spam_shape_golden.csv"
TIERS = ("SP0", "SP2", "SP3", "SP4")
CODES = ("SP0.a", "SP0.b", "SP0.c", "SP2.a", "SP2.b", "SP3.a", "SP3.b", "SP4.a", "SP4.b")

# Every answer form the published material shows, with what it says:
# (final answer text, label, tier it names or None, escalate)
FORMS = [
    ("VALID", "VALID", "SP0", False),  # the one allowed tier stands for VALID
    ("`INVALID`", "INVALID", None, False),
    ("SP3", "INVALID", "SP3", False),
    ("INVALID + ESCALATE", "INVALID", None, True),
    ("D-SP2, R-SP0", "INVALID", "SP2", False),  # the depiction part is scored
    ('{"violation": 0, "policy_category": null}', "VALID", "SP0", False),
    ('{"violation": 1, "policy_category": "SP4"}', "INVALID", "SP4", False),
    ('{"violation": 0}', "VALID", "SP0", False),
    ('```json\n{"violation": 1, "policy_category": "SP2.a"}\n```', "INVALID", "SP2", False),
]


def golden_rows() -> list[tuple[str, str]]:
    """(content, tier) of every data row, read here without the app's importer."""
    with GOLDEN.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.reader(handle) if r and r[0].strip().isdigit()]
    return [(r[1], r[9].strip()) for r in rows]


def answer_for(index: int) -> tuple[str, str, str | None, bool]:
    return FORMS[index % len(FORMS)]


@pytest.fixture
def server() -> Iterator[tuple[str, dict[str, int]]]:
    """/v1/models, no tokenize endpoint (the chat path), and a streamed chat answer whose
    final message is the form chosen for the case's content."""
    index = {content: n for n, (content, _) in enumerate(golden_rows())}

    def chat(body: dict) -> tuple[int, list]:
        answer = answer_for(index[body["messages"][-1]["content"]])[0]
        text = (
            "<|channel|>analysis<|message|>Reading the tiers.<|end|>"
            f"<|start|>assistant<|channel|>final<|message|>{answer}"
        )
        pieces = [{"choices": [{"delta": {"content": text}, "finish_reason": None}]}]
        done = {"choices": [{"delta": {}, "finish_reason": "stop"}], "usage": {}}
        return 200, [*pieces, done]

    with serve_routes() as (url, handler):
        handler.routes["/v1/models"] = lambda _: (200, {"data": [{"id": "safeguard"}]})
        for path in ("/tokenize", "/extras/tokenize"):
            handler.routes[path] = lambda _: (404, {"error": "not found"})
        handler.routes["/v1/chat/completions"] = chat
        yield url, index


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path / "data"))
    shutil.copy(POLICY, tmp_path / "spam.txt")
    return tmp_path


def test_policy_check_lists_every_tier_and_rule_code_and_no_false_hint(work, capsys):
    assert app.cli.main(["policy", "check", str(work / "spam.txt")]) == 0
    out = capsys.readouterr().out
    assert "tiers SP0 (allowed) SP2 SP3 SP4" in out
    assert "two labels (depiction D-…, request R-…)" in out
    listed = [line.split()[0] for line in out.splitlines() if line.startswith("  SP")]
    assert listed == ["SP0", "SP0.a", "SP0.b", "SP0.c", "SP2", "SP2.a", "SP2.b",
                      "SP3", "SP3.a", "SP3.b", "SP4", "SP4.a", "SP4.b"]  # fmt: skip
    assert "Hints: none" in out


def test_import_keeps_every_case_with_its_tier(work, capsys):
    out = work / "spam.cases.jsonl"
    argv = ["import", str(GOLDEN), "--policy", str(work / "spam.txt"), "--content-col", "2",
            "--out", str(out)]  # fmt: skip
    assert app.cli.main(argv) == 0  # the label column (10) is guessed from its tier codes
    cases = load_cases(out)
    assert [(c.content, c.expected) for c in cases] == golden_rows()
    assert len(cases) == 14 and {c.expected for c in cases} == set(TIERS)


def _expected_counts(rows: list[tuple[str, str]]) -> dict[str, int]:
    """The confusion and right/wrong counts the answers imply, by hand."""
    counts = {"tp": 0, "fp": 0, "tn": 0, "fn": 0, "right": 0}
    for n, (_, tier) in enumerate(rows):
        _, label, said_tier, _ = answer_for(n)
        violates, flagged = tier != "SP0", label == "INVALID"
        key = ("tp" if flagged else "fn") if violates else ("fp" if flagged else "tn")
        counts[key] += 1
        counts["right"] += said_tier == tier  # an expected tier is right only on that tier
    return counts


def test_eval_reads_every_answer_form_and_counts_what_they_imply(work, server, capsys):
    url, _ = server
    cases = work / "spam.cases.jsonl"
    argv = ["import", str(GOLDEN), "--policy", str(work / "spam.txt"), "--content-col", "2",
            "--label-col", "10", "--out", str(cases)]  # fmt: skip
    assert app.cli.main(argv) == 0
    report = work / "report.json"
    argv = ["eval", "--backend", "remote", "--base-url", url, "--remote-model", "safeguard",
            "--policy", str(work / "spam.txt"), "--cases", str(cases), "--db",
            str(work / "r.db"), "--json", str(report)]  # fmt: skip
    app.cli.main(argv)
    capsys.readouterr()
    data = json.loads(report.read_text())
    metrics = data["metrics"]
    rows = golden_rows()
    want = _expected_counts(rows)
    assert metrics["coverage"] == 1.0 and metrics["scored"] == len(rows)
    assert {k: metrics[k] for k in ("tp", "fp", "tn", "fn")} == {
        k: want[k] for k in ("tp", "fp", "tn", "fn")
    }
    assert metrics["accuracy"] == pytest.approx(want["right"] / len(rows))
    by_content = {r["content"]: r for r in data["results"]}
    for n, (content, _) in enumerate(rows):
        _, label, tier, escalate = answer_for(n)
        result = by_content[content]
        assert result["status"] == "ok", (n, result)
        assert result["label"] == label, (n, result)
        if tier is not None:
            assert result["tier"] == tier, (n, result)
        assert bool(result["escalate"]) == escalate, (n, result)
