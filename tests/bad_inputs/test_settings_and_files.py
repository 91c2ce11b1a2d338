"""Bad settings and bad files through ``eval`` and ``classify``: refused before anything
loads, with exit 2 and one sentence, the test set untouched and nothing stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bad_inputs.conftest import Workspace, check, cli, stored_runs

# (options added to a valid eval command line, words the sentence must hold)
SETTINGS = [
    (["--ctx", "0"], "context size 0 is too small"),
    (["--ctx", "-5"], "context size -5 is too small"),
    (["--ctx", "100"], "use 512 tokens or more"),
    (["--ctx", "10000000"], "more than the model's 8,192 tokens; it would need about"),
    (["--max-tokens", "0"], "token budget 0 is out of range"),
    (["--max-tokens", "-5"], "token budget -5 is out of range"),
    (["--max-tokens", "8192"], "does not leave room for the prompt"),
    (["--temperature", "-1"], "temperature -1.0 is out of range"),
    (["--temperature", "nan"], "temperature nan is out of range"),
    (["--temperature", "inf"], "temperature inf is out of range"),
    (["--temperature", "3"], "from 0 to 2"),
    (["--top-p", "-0.5"], "top_p -0.5 is out of range"),
    (["--top-p", "1.5"], "top_p 1.5 is out of range"),
    (["--top-p", "nan"], "top_p nan is out of range"),
    (["--seed", "-1"], "seed -1 is not a fixed seed"),
    (["--seed", str(2**40)], "is not a fixed seed"),
    (["--date", "2024-13-45"], "'2024-13-45' is not a real date"),
    (["--date", "2024-02-30"], "'2024-02-30' is not a real date"),
    (["--date", "2024-2-3"], "YYYY-MM-DD"),
    (["--date", "yesterday"], "'yesterday' is not a real date"),
    (["--date", "2024-13-45", "--renderer", "harmony"], "is not a real date"),
    (["--gpu-layers", "-2"], "GPU layers -2 is not valid"),
    (["--threads", "0"], "Threads 0 is not valid"),
    (["--concurrency", "0"], "--concurrency 0 is out of range; use a number from 1 to 16"),
    (["--fail-under", "f1=eighty"], "is not a number"),
    (["--fail-under", "speed=1"], "is not NAME=VALUE"),
    (["--timeout", "0"], "--timeout must be a number of seconds from 1 to 3,600"),
    (["--deadline", "-1"], "--deadline must be a number of seconds from 1 to 86,400"),
    (["--seed", str(2**32)], "is not a fixed seed"),  # would wrap to seed 0
    (["--seed", "4294967293", "--samples", "3"], "past the last fixed seed 4,294,967,294"),
    (["--seed", "4294967290", "--samples", "10"], "use a seed of at most 4,294,967,285"),
    (["--unstable-below", "nan", "--samples", "3"], "unstable share nan is out of range"),
    (["--unstable-below", "7", "--samples", "3"], "unstable share 7.0 is out of range"),
    (["--unstable-below", "-1"], "unstable share -1.0 is out of range"),
]


@pytest.mark.parametrize(("extra", "words"), SETTINGS, ids=[" ".join(s[0]) for s in SETTINGS])
def test_bad_setting_is_refused_before_loading(ws: Workspace, capsys, extra, words) -> None:
    before = ws.snapshot()
    check(ws, before, cli(capsys, ws.eval_args(*extra)), 2, words)
    assert stored_runs(ws.db) == 0  # refused before anything ran


def _write(ws: Workspace, name: str, data: bytes | None) -> Path:
    path = ws.root / name
    if data is None:
        path.mkdir()
    else:
        path.write_bytes(data)
    return path


# (file option, name, bytes or None for a folder or absent, words)
FILES = [
    ("--policy", "missing.md", "absent", "does not exist"),
    ("--policy", "latin1.md", b"# Caf\xe9 policy\n", "not UTF-8"),
    ("--cases", "missing.jsonl", "absent", "pass --cases"),
    ("--cases", "broken.jsonl", b'{"id": "a", "content": "x"\n', "Line 1"),
    ("--cases", "empty.jsonl", b"", "has no cases"),
    ("--cases", "latin1.jsonl", b'{"id": "a", "content": "caf\xe9"}\n', "not UTF-8"),
    ("--cases", "folder.jsonl", None, "pass --cases"),
    ("--grammar", "missing.gbnf", "absent", "does not exist"),
    ("--grammar", "folder.gbnf", None, "is a folder"),
    ("--html", "reports", None, "is a folder"),
    ("--junit", "junit-dir", None, "is a folder"),
]


@pytest.mark.parametrize(("option", "name", "data", "words"), FILES, ids=[f[1] for f in FILES])
def test_bad_file_is_one_sentence(ws: Workspace, capsys, option, name, data, words) -> None:
    path = ws.root / name if data == "absent" else _write(ws, name, data)
    args = ws.eval_args(option, str(path))
    if option == "--policy":
        args = ws.eval_args()
        args[args.index("--policy") + 1] = str(path)
    before = ws.snapshot()
    check(ws, before, cli(capsys, args), 2, words)
    assert stored_runs(ws.db) == 0


CLASSIFY = [
    (["--ctx", "0"], "context size 0 is too small"),
    (["--date", "2024-13-45", "--renderer", "harmony"], "is not a real date"),
    (["--max-tokens", "-5"], "token budget -5 is out of range"),
    (["--seed", "-1"], "not a fixed seed"),
    (["--file", "nope.txt"], "does not exist"),
    (["   "], "The content is empty"),
]


@pytest.mark.parametrize(("extra", "words"), CLASSIFY, ids=[" ".join(c[0]) for c in CLASSIFY])
def test_classify_refuses_bad_input(ws: Workspace, capsys, extra, words) -> None:
    args = ["classify", "--policy", str(ws.policy), "--model", str(ws.model)]
    extra = [str(ws.root / e) if e == "nope.txt" else e for e in extra]
    if not any(e.strip() == "" or e == "--file" for e in extra):
        extra = [*extra, "some content"]
    before = ws.snapshot()
    check(ws, before, cli(capsys, args + extra), 2, words)
