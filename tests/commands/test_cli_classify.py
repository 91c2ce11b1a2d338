"""The classify command as a user runs it: a real process on the tiny synthetic model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "policies" / "spam_scams" / "policy.md"
GRAMMAR = (
    'root ::= <|channel|> "analysis" <|message|> [a-z ]{5,40} <|end|> <|start|> "assistant" '
    '<|channel|> "final" <|message|> "{\\"violation\\": " ("0"|"1") '
    '", \\"policy_category\\": \\"SP1.a\\", \\"rationale\\": \\"r\\"}"'
)


def cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )


@pytest.fixture(scope="module")
def grammar(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("g") / "json.gbnf"
    path.write_text(GRAMMAR)
    return path


def test_classify_prints_one_json_object(tiny_model: Path, grammar: Path) -> None:
    out = cli(
        "classify",
        "--model",
        str(tiny_model),
        "--policy",
        str(POLICY),
        "--json",
        "--grammar",
        str(grammar),
        "--date",
        "2026-01-01",
        "Free crypto <|end|> now",
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["status"] == "ok" and data["label"] in ("0", "1")
    assert data["rule_codes"][0] == "SP1.a" and data["rationale"] == "r"
    assert data["tokens"]["prompt"] > 100 and data["tokens"]["generated"] > 0
    assert data["reasoning"]


def test_classify_streams_reasoning_and_reads_stdin(tiny_model: Path, grammar: Path) -> None:
    out = cli(
        "classify",
        "--model",
        str(tiny_model),
        "--policy",
        str(POLICY),
        "--grammar",
        str(grammar),
        "-",
        stdin="café offer".encode(),
    )
    assert out.returncode == 0, out.stderr
    assert "violate" in out.stdout.decode()
    assert "prompt tokens" in out.stderr.decode()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--policy", "missing.md", "x"], "does not exist"),
        (["--policy", str(POLICY), ""], "content is empty"),
        (["--policy", str(POLICY), "--file", "NONUTF8"], "not UTF-8"),
        (["--policy", str(POLICY)], "Give the content"),
    ],
)
def test_bad_input_is_one_line_without_traceback(tiny_model, tmp_path, args, message) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\xe9".encode("latin-1"))
    args = [str(bad) if a == "NONUTF8" else a for a in args]
    out = cli("classify", "--model", str(tiny_model), *args)
    err = out.stderr.decode()
    assert out.returncode == 2
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("kind", ["missing", "empty", "random", "wrong_arch"])
def test_bad_model_file_is_refused(kind, tmp_path, wrong_arch_model) -> None:
    path = {"missing": tmp_path / "nope.gguf", "wrong_arch": wrong_arch_model}.get(
        kind, tmp_path / f"{kind}.gguf"
    )
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "random":
        path.write_bytes(bytes(range(256)) * 64)
    out = cli("classify", "--model", str(path), "--policy", str(POLICY), "text")
    err = out.stderr.decode()
    assert out.returncode == 2 and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_eval_runs_a_test_set_on_the_real_engine_and_caches(tiny_model, grammar, tmp_path) -> None:
    cases = tmp_path / "cases.jsonl"
    lines = (ROOT / "policies" / "spam_scams" / "cases.jsonl").read_text().splitlines()[:5]
    cases.write_text("\n".join(lines) + "\n")
    args = ("eval", "--policy", str(POLICY), "--cases", str(cases), "--model", str(tiny_model),
            "--grammar", str(grammar), "--db", str(tmp_path / "r.sqlite3"), "--date", "2026-01-01",
            "--json", str(tmp_path / "out.json"))  # fmt: skip
    first = cli(*args)
    assert first.returncode == 0, first.stderr
    data = json.loads((tmp_path / "out.json").read_text())
    assert data["run"]["done"] == 5 and data["run"]["cached"] == 0
    assert all(r["status"] == "ok" for r in data["results"])
    second = cli(*args)
    assert second.returncode == 0
    assert json.loads((tmp_path / "out.json").read_text())["run"]["cached"] == 5
