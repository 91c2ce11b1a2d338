"""Policies in their own words from the CLI: ``policy check``, and ``eval`` of a pack policy
without front matter through the remote backend against a fake OpenAI-compatible chat server
on loopback that answers in the policy's words (VALID, INVALID + ESCALATE, DC2, ...)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import app.cli
from app.core.cases import TestCase, save_cases
from tests.support.fake_openai import serve_routes

SAMPLES = Path(__file__).parents[1] / "support" / "policies"
FORMAT_LINE = (
    "Format: Output: VALID / INVALID, tiers DC0 (allowed) DC1 DC2 DC3 — inferred from lines "
    "5, 13, 31"
)
# content -> (the server's final answer, expected label in the test set)
ROWS = {
    "Honest blender review, 7/10.": ("VALID", "DC0"),
    "Satire, clearly labelled.": ("**VALID**", "VALID"),
    "Invented statistic about voters.": ("DC2", "DC2"),
    "Fake cure for diabetes.": ("INVALID + ESCALATE", "DC3"),
    "Exaggerated product claims.": ("Output: `INVALID`", "DC1"),
    "A doctored screenshot.": ("DC1", "DC2"),  # violating, one tier too low
    "A question about a claim.": ("INVALID", "VALID"),  # a false positive
}


def _chat(body: dict) -> tuple[int, list]:
    """A vLLM-like streamed chat answer: harmony text whose final message is the row's."""
    answer = ROWS[body["messages"][-1]["content"]][0]
    text = (
        "<|channel|>analysis<|message|>Checking the tiers.<|end|>"
        f"<|start|>assistant<|channel|>final<|message|>{answer}"
    )
    pieces = [
        {"choices": [{"delta": {"content": p}, "finish_reason": None}]}
        for p in (text[:20], text[20:])
    ]
    done = {"choices": [{"delta": {}, "finish_reason": "stop"}], "usage": {"completion_tokens": 9}}
    return 200, [*pieces, done]


@pytest.fixture
def server() -> Iterator[str]:
    """/v1/models, no tokenize endpoints (so the chat path), and the streaming chat answer."""
    with serve_routes() as (url, handler):
        handler.routes["/v1/models"] = lambda _: (200, {"data": [{"id": "safeguard"}]})
        for path in ("/tokenize", "/extras/tokenize"):
            handler.routes[path] = lambda _: (404, {"error": "not found"})
        handler.routes["/v1/chat/completions"] = _chat
        yield url


def test_eval_of_a_pack_policy_through_a_remote_chat_server(server, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path / "data"))
    policy = tmp_path / "pack.md"
    shutil.copy(SAMPLES / "pack_policy.md", policy)
    cases = tmp_path / "cases.jsonl"
    rows = [TestCase(f"c{i}", content, exp) for i, (content, (_, exp)) in enumerate(ROWS.items())]
    save_cases(cases, rows)
    out = tmp_path / "out.json"
    args = ["eval", "--backend", "remote", "--base-url", server, "--remote-model", "safeguard",
            "--policy", str(policy), "--cases", str(cases), "--db", str(tmp_path / "r.db"),
            "--json", str(out), "-v"]  # fmt: skip
    assert app.cli.main(args) == 0
    printed = capsys.readouterr()
    assert FORMAT_LINE in printed.err.splitlines()
    assert "Tiers: tier accuracy 0.400 (2 of 5)" in printed.out
    data = json.loads(out.read_text())
    metrics = data["metrics"]
    assert metrics["coverage"] == 1.0 and metrics["scored"] == 7
    # violating expected: c2 DC2, c3 DC3, c4 DC1, c5 DC2 -> all INVALID: TP 4
    # allowed expected: c0 DC0, c1 VALID -> VALID: TN 2; c6 VALID -> INVALID: FP 1
    assert (metrics["tp"], metrics["fp"], metrics["tn"], metrics["fn"]) == (4, 1, 2, 0)
    tiers = metrics["tiers"]
    assert (tiers["scored"], tiers["exact"], tiers["with_tier"], tiers["off_by_one"]) == (
        5, 2, 3, 1)  # fmt: skip
    by_id = {r["case_id"]: r for r in data["results"]}
    assert by_id["c3"]["escalate"] is True and by_id["c3"]["label"] == "INVALID"
    assert by_id["c2"]["tier"] == "DC2" and by_id["c5"]["tier"] == "DC1"
    assert by_id["c1"]["label"] == "VALID" and by_id["c1"]["tier"] == "DC0"


def test_classify_prints_the_format_line_and_the_answer_in_the_policy_words(
    server, tmp_path, capsys, monkeypatch
) -> None:
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path / "data"))
    args = ["classify", "--backend", "remote", "--base-url", server, "--remote-model",
            "safeguard", "--policy", str(SAMPLES / "pack_policy.md"), "--quiet"]  # fmt: skip
    assert app.cli.main([*args, "-v", "Fake cure for diabetes."]) == 0
    printed = capsys.readouterr()
    assert printed.err.splitlines()[0] == FORMAT_LINE
    assert printed.out.strip() == "INVALID ESCALATE — violates"
    assert app.cli.main([*args, "--json", "Invented statistic about voters."]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert (answer["label"], answer["tier"], answer["escalate"]) == ("INVALID", "DC2", False)


def test_policy_check_prints_format_codes_and_hints(capsys) -> None:
    code = app.cli.main(["policy", "check", str(SAMPLES / "spam_tiers.txt")])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        "Format: Output: VALID / INVALID, tiers SP0 (allowed) SP2 SP3 SP4, two labels "
        "(depiction D-…, request R-…) — inferred from lines 4, 11, 23, 31"
    )
    assert lines[1:5] == [
        "  line 4: label VALID (allowed); label INVALID (violates)",
        "  line 11: tier SP0 (allowed)",
        "  line 23: tier SP4",
        "  line 31: two labels per item (depiction, request)",
    ]
    assert "  SP2 (line 15) Low-harm promotion" in lines
    assert not any("Definitions section" in line for line in lines)  # "DEFINITIONS" counts
    assert any(line.startswith("Hints:") for line in lines)


def test_policy_check_exit_codes_and_front_matter_messages(tmp_path, capsys) -> None:
    vague = tmp_path / "vague.txt"
    vague.write_text("Be kind to each other.\n", encoding="utf-8")
    assert app.cli.main(["policy", "check", str(vague)]) == 2
    assert "could not be read from this policy" in capsys.readouterr().out
    unclosed = tmp_path / "unclosed.md"
    unclosed.write_text("---\nname: Spam\nformat: binary\n\n# Rules\nAnswer 0 or 1.\n")
    assert app.cli.main(["policy", "check", str(unclosed)]) == 2
    err = capsys.readouterr().err
    assert "front-matter block is not closed" in err and "no ':'" not in err
    misspelt = tmp_path / "misspelt.md"
    misspelt.write_text("---\nfromat: labels\n---\nReturn exactly one character: 0 or 1.\n")
    assert app.cli.main(["policy", "check", str(misspelt)]) == 0
    captured = capsys.readouterr()
    assert "warning: Front-matter key 'fromat'" in captured.err
    assert "did you mean 'format'?" in captured.err


@pytest.mark.parametrize(
    ("name", "tiers", "codes"),
    [
        (
            "listing_scams.txt",  # the publisher's plain-text spam shapes: emoji tier lines
            "tiers LS0 (allowed) LS2 LS3 LS4",
            "LS0 LS0.a LS0.b LS0.c LS0.d LS2 LS2.a LS2.b LS3 LS3.a LS3.b LS4 LS4.a LS4.b",
        ),
        (
            "risky_stunts.md",  # the teen-safety pack's Markdown shapes
            "tiers RS0 (allowed) RS1 RS2",
            "RS0 RS0.a RS0.b RS0.c RS1 RS1.a RS1.b RS2 RS2.a RS2.b",
        ),
        ("spam_tiers.txt", "tiers SP0 (allowed) SP2 SP3 SP4", "SP0 SP2 SP3 SP4"),
        ("pack_policy.md", "tiers DC0 (allowed) DC1 DC2 DC3", "DC0 DC1 DC2 DC3"),
    ],
)
def test_policy_check_lists_every_tier_and_rule_code(name, tiers, codes, capsys) -> None:
    assert app.cli.main(["policy", "check", str(SAMPLES / name)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert tiers in lines[0]
    start = lines.index("Rule codes:")
    end = next(i for i, line in enumerate(lines) if line.startswith("Hints"))
    listed = [line.split()[0] for line in lines[start + 1 : end]]
    assert list(dict.fromkeys(listed)) == codes.split()
    if name in ("listing_scams.txt", "risky_stunts.md"):
        assert not any(line.startswith("  warning:") for line in lines)


def test_policy_check_of_a_2_mb_one_line_policy_is_quick(tmp_path, capsys) -> None:
    """Once a lazy scan from every verb made this take minutes; it reads in linear time."""
    import time

    unit = "Return the answer as the writer wants and output the label as “quoted (SP2 – x "
    path = tmp_path / "long.txt"
    path.write_text(unit * (2_000_000 // len(unit)), encoding="utf-8")
    start = time.perf_counter()
    assert app.cli.main(["policy", "check", str(path)]) == 2  # no format in it: exit 2
    assert time.perf_counter() - start < 30
    assert "could not be read" in capsys.readouterr().out
