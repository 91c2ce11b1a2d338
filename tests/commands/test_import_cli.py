"""``safeguard-studio import`` on a policy pack's dataset: disclaimer line, repeated column
pairs, ``--header-row``, and the one-sentence refusals."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import app.cli
from app.core.cases import load_cases

SAMPLE = Path(__file__).parent.parent / "core" / "samples" / "pack_pairs.csv"
POLICY = (Path(__file__).parents[1] / "support" / "policies" / "pack_policy.md").read_text("utf-8")


@pytest.fixture()
def policy(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(app.cli, "COMMANDS", ("import_cases",))
    path = tmp_path / "policy.md"
    path.write_text(POLICY, encoding="utf-8")
    return path


def _argv(policy: Path, source: Path, *more: str) -> list[str]:
    return ["import", str(source), "--policy", str(policy), *more]


def test_repeated_pairs_import_prompt_and_response(policy, tmp_path, capsys):
    out = tmp_path / "set.jsonl"
    argv = _argv(policy, SAMPLE, "--content-col", " example ", "--label-col", "classification",
                 "--content-col", "Responses", "--label-col", "4", "--out", str(out))  # fmt: skip
    assert app.cli.main(argv) == 0
    text = capsys.readouterr().out
    assert text.startswith("Row 2 used as the header; 1 line above it (a title or disclaimer)")
    assert "Imported 7 cases; skipped 1 rows (1 empty content row)." in text
    assert "  row 5 (Responses): empty content" in text
    cases = load_cases(out, None)
    assert [(c.id, c.expected, c.tags) for c in cases][:4] == [
        ("row-3-Example", "DC0", ["prompt"]),
        ("row-3-Responses", "DC0", ["response"]),
        ("row-4-Example", "DC2", ["prompt"]),
        ("row-4-Responses", "VALID", ["response"]),
    ]
    assert cases[1].prompt == cases[0].content  # the response keeps its prompt
    assert "😕\n\nHere is what usually works:\n\n1. **Open a dispute**" in cases[1].content


def test_header_row_option(policy, tmp_path, capsys):
    src = tmp_path / "x.csv"
    src.write_text("report,owner,date\nq3 export,ops,2026\ncontent,label\nhi,DC0\nbad,dc3\n")
    out = tmp_path / "set.jsonl"
    base = _argv(policy, src, "--content-col", "Content", "--label-col", "LABEL", "--out", str(out))
    assert app.cli.main([*base, "--header-row", "3"]) == 0
    assert "Row 3 used as the header, as asked." in capsys.readouterr().out
    assert [(c.id, c.expected) for c in load_cases(out)] == [("row-4", "DC0"), ("row-5", "DC3")]
    assert app.cli.main([*base, "--force", "--header-row", "12"]) == 2
    assert "There is no row 12; the file has 5 rows." in capsys.readouterr().err


def test_pairs_must_come_in_pairs(policy, capsys):
    argv = _argv(policy, SAMPLE, "--content-col", "Example", "--label-col", "Classification",
                 "--content-col", "Responses")  # fmt: skip
    assert app.cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "2 --content-col and 1 --label-col were given; give them in pairs" in err
    assert "Traceback" not in err


def test_random_bytes_get_one_sentence(policy, tmp_path, capsys):
    src = tmp_path / "noise.csv"
    src.write_bytes(random.Random(3).randbytes(20_000))
    argv = _argv(policy, src, "--content-col", "1", "--label-col", "2", "--no-header")
    assert app.cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().count("\n") == 0
    assert (
        "noise.csv is not a text file (it holds binary data), so it is not a table" in captured.err
    )


def test_a_file_with_no_label_column_imports_with_keep_unlabelled(policy, tmp_path, capsys):
    src = tmp_path / "sample.csv"
    src.write_text("text\nhello there\nbuy cheap pills now\n\nhow do I reset my password\n")
    out = tmp_path / "set.jsonl"
    argv = _argv(policy, src, "--content-col", "text", "--out", str(out))
    assert app.cli.main(argv) == 2  # no label column and no --keep-unlabelled: one sentence
    err = capsys.readouterr().err
    assert "No column holds labels of this policy" in err and "--keep-unlabelled" in err
    assert app.cli.main([*argv, "--keep-unlabelled"]) == 0
    text = capsys.readouterr().out
    assert "No label column: every case is imported with no expected label." in text
    assert "3 of 3 cases have no expected label;" in text
    cases = load_cases(out, None)
    assert [(c.id, c.content, c.expected) for c in cases] == [
        ("row-2", "hello there", ""),
        ("row-3", "buy cheap pills now", ""),
        ("row-5", "how do I reset my password", ""),
    ]


def test_unlabelled_rows_of_a_labelled_file_are_counted(policy, tmp_path, capsys):
    src = tmp_path / "some.csv"
    src.write_text("text,label\nhello,VALID\nunsure,\n")
    out = tmp_path / "set.jsonl"
    argv = _argv(policy, src, "--content-col", "text", "--label-col", "label", "--out", str(out))
    assert app.cli.main([*argv, "--keep-unlabelled"]) == 0
    assert "1 of 2 cases have no expected label;" in capsys.readouterr().out
    assert [c.expected for c in load_cases(out, None)] == ["VALID", ""]
