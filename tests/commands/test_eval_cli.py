"""``safeguard-studio eval`` and ``import`` through app.cli.main, with the fake engine."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET

import pytest

import app.cli
from app.commands import backend_options
from app.core.cases import TestCase, load_cases, save_cases
from tests.support.scripted_engine import ScriptedEngine

POLICY = "---\nname: Spam\nformat: binary\n---\n# Spam\nSP1 Bulk promotion violates.\n"
# Expected: c1..c6 alternate 1/0. The engine answers c1 wrong and c6 with no verdict:
# TP 2 (c3, c5), FN 1 (c1), TN 2 (c2, c4), missed negative 1 (c6).
# accuracy 4/6, precision 1.0, recall 2/3, F1 0.8.
SCRIPT = {"content 1": "0", "content 3": "1", "content 5": "1", "content 6": "!none"}


@pytest.fixture()
def env(tmp_path, monkeypatch, tiny_model):
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SAFEGUARD_MODEL", raising=False)
    monkeypatch.setattr(app.cli, "COMMANDS", ("eval", "import_cases"))
    engines: list[ScriptedEngine] = []

    def fake_engine(config):
        engine = ScriptedEngine(SCRIPT)
        engines.append(engine)
        return engine

    monkeypatch.setattr(backend_options, "engine_factory", fake_engine)
    policy = tmp_path / "policy.md"
    policy.write_text(POLICY, encoding="utf-8")
    cases = [TestCase(f"c{i}", f"content {i}", "1" if i % 2 else "0") for i in range(1, 7)]
    cases[0].tags = ["tricky"]
    save_cases(tmp_path / "cases.jsonl", cases)
    # a real GGUF: its header is checked before the (scripted) engine would load it
    base = ["eval", "--policy", str(policy), "--model", str(tiny_model)]
    return tmp_path, base, engines


def test_eval_passes_thresholds_and_writes_reports(env, capsys):
    tmp, base, engines = env
    outs = {k: tmp / f"out.{k}" for k in ("json", "junit", "csv", "html", "markdown")}
    args = base + ["--fail-under", "f1=0.8,precision=1,recall=0.6"]
    for kind, path in outs.items():
        args += [f"--{kind}", str(path)]
    assert app.cli.main(args) == 0
    out = capsys.readouterr().out
    assert "f1               0.800" in out and "recall           0.667" in out
    assert "<no verdict>" in out
    assert "6 cases (0 cached, 0 errors)" in out
    assert engines[0].closed and len(engines[0].requests) == 6
    data = json.loads(outs["json"].read_text())
    assert data["metrics"]["f1"] == pytest.approx(0.8) and data["failures"] == []
    assert data["metrics"]["confusion"]["matrix"] == [[2, 0, 1, 0, 0], [1, 2, 0, 0, 0]]
    suite = ET.parse(outs["junit"]).getroot()
    assert suite.get("tests") == "7" and suite.get("failures") == "2"
    failed = {c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None}
    assert failed == {"c1", "c6"}
    gate = suite.find("testsuite[@name='gate']/testcase[@name='gate']")
    assert gate.find("failure") is None  # the gate passed, whatever the cases say
    assert gate.find("system-out").text.splitlines() == [
        "The gate passed.", "f1 0.800 meets 0.800", "precision 1.000 meets 1.000",
        "recall 0.667 meets 0.600",
    ]  # fmt: skip
    rows = list(csv.DictReader(outs["csv"].open(newline="", encoding="utf-8")))
    assert [(r["case_id"], r["prediction"]) for r in rows][-1] == ("c6", "<no verdict>")
    assert outs["html"].read_text().startswith("<!DOCTYPE html>")
    assert "| accuracy | 0.667 |" in outs["markdown"].read_text()


def test_eval_second_run_is_fully_cached(env, capsys):
    _tmp, base, engines = env
    assert app.cli.main(base) == 0
    assert app.cli.main(base) == 0
    assert len(engines[1].requests) == 0
    assert "6 cases (6 cached, 0 errors)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("thresholds", "code", "message"),
    [
        ("f1=0.81", 1, "FAIL: f1 0.800 is below 0.810"),
        ("accuracy=0.7,recall=0.5", 1, "FAIL: accuracy 0.667 is below 0.700"),
        ("f1=0.80,coverage=0.8", 0, ""),
        ("f1=eighty", 2, "is not a number"),
        ("speed=1", 2, "--fail-under: 'speed=1' is not NAME=VALUE"),
    ],
)
def test_fail_under_exit_codes(env, capsys, thresholds, code, message):
    _tmp, base, _engines = env
    assert app.cli.main(base + ["--fail-under", thresholds]) == code
    err = capsys.readouterr().err
    assert message in err
    if code == 2:
        assert err.count("\n") == 1  # one sentence, no traceback


def test_bad_input_exits_2(env, capsys):
    tmp, base, _engines = env
    assert app.cli.main(["eval", "--policy", str(tmp / "nope.md"), "--model", "x"]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert app.cli.main(base[:3] + ["--model", str(tmp / "missing.gguf")]) == 2
    assert "pass --model" in capsys.readouterr().err
    assert app.cli.main(base + ["--cases", str(tmp / "none.jsonl")]) == 2
    assert "pass --cases" in capsys.readouterr().err
    (tmp / "bad.jsonl").write_text("{not json\n")
    assert app.cli.main(base + ["--cases", str(tmp / "bad.jsonl")]) == 2
    assert "Line 1" in capsys.readouterr().err


def test_import_command(env, capsys):
    tmp, _base, _engines = env
    src = tmp / "export.csv"
    src.write_bytes(
        "\ufeffID,Message,Verdict,,\nx1,Buy likes,violating,,\n,,,,\nPhishing,,,,\n"
        'x2,"multi\nline",SAFE,,\nx1,dup,1,,\nx3,hmm,perhaps,,\n'.encode()
    )
    out = tmp / "imported.jsonl"
    argv = ["import", str(src), "--policy", str(tmp / "policy.md"), "--content-col", "message",
            "--label-col", "Verdict", "--id-col", "ID", "--out", str(out)]  # fmt: skip
    assert app.cli.main(argv) == 0
    text = capsys.readouterr().out
    assert "Imported 3 cases; skipped 3 rows (1 blank row, 1 section row, 1 unknown" in text
    assert "row 3: blank row" in text and "row 4: section row (Phishing)" in text
    assert "Row 6 repeats the id 'x1' of row 2; imported as 'x1-2'." in text
    assert "row 7: unknown label" in text
    assert [(c.id, c.content, c.expected) for c in load_cases(out)] == [
        ("x1", "Buy likes", "1"),
        ("x2", "multi\nline", "0"),
        ("x1-2", "dup", "1"),
    ]
    assert app.cli.main(argv) == 2  # exists: refuse
    assert "--force" in capsys.readouterr().err
    assert app.cli.main([*argv, "--force"]) == 0
    nohead = tmp / "plain.tsv"
    nohead.write_text("spam spam\t1\nhello\t0\n")
    argv2 = ["import", str(nohead), "--policy", str(tmp / "policy.md"), "--content-col", "1",
             "--label-col", "2", "--no-header", "--out", str(tmp / "p.jsonl")]  # fmt: skip
    assert app.cli.main(argv2) == 0
    assert [(c.id, c.expected) for c in load_cases(tmp / "p.jsonl")] == [
        ("row-1", "1"),
        ("row-2", "0"),
    ]
    argv3 = [*argv2[:-1], str(tmp / "q.jsonl")]
    argv3[argv3.index("1")] = "Message"
    assert app.cli.main(argv3) == 2
    assert "no header" in capsys.readouterr().err


def test_a_run_without_a_single_verdict_fails(env, capsys, monkeypatch):
    _tmp, base, _engines = env
    monkeypatch.setattr(
        backend_options, "engine_factory", lambda config: ScriptedEngine({}, "!none")
    )
    assert app.cli.main(base) == 1  # the same run with one verdict exits 0 (above)
    err = capsys.readouterr().err.strip()
    assert err.startswith(
        "safeguard-studio: no case produced a verdict (6 no verdict); the first (c1): "
    )
    assert err.endswith(".") and "\n" not in err


def test_some_errors_are_said_with_a_failed_threshold_too(env, capsys, monkeypatch):
    _tmp, base, _engines = env
    script = {**SCRIPT, "content 2": "!fail"}  # c2: the engine fails on it every time
    monkeypatch.setattr(backend_options, "engine_factory", lambda config: ScriptedEngine(script))
    assert app.cli.main(base) == 0  # some errors alone do not fail the run
    said = "safeguard-studio: some cases produced no verdict: 1 of 6 failed; the first (c2): "
    assert said in capsys.readouterr().err
    assert app.cli.main([*base, "--fail-under", "f1=0.99"]) == 1
    err = capsys.readouterr().err
    assert "FAIL: f1" in err and said in err  # the threshold does not hide the errors
