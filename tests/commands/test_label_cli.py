"""``safeguard-studio label`` through app.cli.main with the scripted engine: every row
written back with the answer columns, no-verdict rows kept, formulas quoted, resume."""

from __future__ import annotations

import csv
import io
import json

import pytest

import app.cli
from app.commands import backend_options
from tests.support.scripted_engine import ScriptedEngine

POLICY = "---\nname: Spam\nformat: binary\n---\n# Spam\nSP1 Bulk promotion violates.\n"
SCRIPT = {"buy now": "1", "=HYPERLINK(1)": "1", "no idea": "!none"}


class Interrupting(ScriptedEngine):
    """Ctrl+C arrives while the third case runs."""

    def classify(self, request):
        if len(self.requests) == 2:
            raise KeyboardInterrupt
        yield from super().classify(request)


@pytest.fixture()
def env(tmp_path, monkeypatch, tiny_model):
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SAFEGUARD_MODEL", raising=False)
    engines: list[ScriptedEngine] = []
    kinds = [ScriptedEngine]

    def fake_engine(config):
        engines.append(kinds[0](SCRIPT))
        return engines[-1]

    monkeypatch.setattr(backend_options, "engine_factory", fake_engine)
    policy = tmp_path / "policy.md"
    policy.write_text(POLICY, encoding="utf-8")
    base = ["label", "--policy", str(policy), "--model", str(tiny_model)]
    return tmp_path, base, engines, kinds


def _rows(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_every_row_comes_back_with_the_answer_columns(env, capsys):
    tmp, base, engines, _ = env
    src = tmp / "in.csv"
    src.write_text("id,text\n1,buy now\n2,hello\n3,no idea\n4,\n5,=HYPERLINK(1)\n", "utf-8")
    assert app.cli.main([*base, str(src)]) == 0
    rows = _rows(tmp / "in.labelled.csv")
    assert [r["id"] for r in rows] == ["1", "2", "3", "4", "5"]
    assert [r["label"] for r in rows] == ["1", "0", "", "", "1"]
    assert [r["status"] for r in rows] == ["ok", "ok", "no_verdict", "no content", "ok"]
    assert rows[0]["rules"] == "" and rows[0]["rationale"] == "said 1"
    assert rows[0]["reasoning"] == "analysis of buy now"
    assert rows[4]["text"] == "'=HYPERLINK(1)"  # a spreadsheet never runs it
    err = capsys.readouterr().err
    assert "labelled 4 of 4" in err and "3 of 5 rows labelled" in err
    assert app.cli.main([*base, str(src), "-q"]) == 0  # all cached: the engine gets nothing
    assert len(engines[-1].requests) == 0 and capsys.readouterr().err == ""


def test_jsonl_in_and_out_and_a_chosen_column(env):
    tmp, base, _, _ = env
    src = tmp / "in.jsonl"
    src.write_text('{"msg": "buy now", "n": 1}\n{"msg": "hi", "n": 2}\n', "utf-8")
    out = tmp / "out.jsonl"
    assert app.cli.main([*base, str(src), "--content-col", "msg", "--out", str(out), "-q"]) == 0
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [(r["n"], r["label"], r["status"]) for r in lines] == [(1, "1", "ok"), (2, "0", "ok")]


def test_bad_inputs_are_one_sentence(env, capsys):
    tmp, base, _, _ = env
    src = tmp / "in.csv"
    src.write_text("a,b\nx,y\n", "utf-8")
    assert app.cli.main([*base, str(src)]) == 2
    assert "--content-col" in capsys.readouterr().err
    assert app.cli.main([*base, str(src), "--content-col", "zz"]) == 2
    assert "no column 'zz'" in capsys.readouterr().err
    assert app.cli.main([*base, str(tmp / "in.xlsx")]) == 2
    assert ".csv, .tsv or .jsonl" in capsys.readouterr().err


def test_resumes_after_ctrl_c(env, capsys):
    tmp, base, engines, kinds = env
    src = tmp / "in.tsv"
    src.write_text("text\n" + "".join(f"message {i}\n" for i in range(6)), "utf-8")
    kinds[0] = Interrupting
    assert app.cli.main([*base, str(src), "-q"]) == 130
    kinds[0] = ScriptedEngine
    assert app.cli.main([*base, str(src), "-q"]) == 0
    assert [r.content for r in engines[-1].requests] == [f"message {i}" for i in range(2, 6)]
    rows = _rows(tmp / "in.labelled.csv")
    assert [r["status"] for r in rows] == ["ok"] * 6


def test_a_formula_header_and_an_unreadable_row_are_kept_safely(env):
    tmp, base, _, _ = env
    src = tmp / "in.csv"
    src.write_text('text,=SUM(A1)\nbuy now,x\n"never closed,y\nhello\n', "utf-8")
    assert app.cli.main([*base, str(src), "-q"]) == 0
    text = (tmp / "in.labelled.csv").read_text(encoding="utf-8")
    assert text.startswith("text,'=SUM(A1),label,")
    rows = _rows(tmp / "in.labelled.csv")
    assert [r["status"] for r in rows] == ["ok", "unreadable row", "ok"]
    assert rows[1]["text"] == '"never closed,y' and rows[2]["text"] == "hello"


def test_a_starter_policy_labels_like_a_policy_file(env):
    """``label --starter KEY`` takes a starter as ``classify`` and ``eval`` do."""
    tmp, base, engines, _ = env
    src = tmp / "in.csv"
    src.write_text("text\nbuy now\nhello\n", "utf-8")
    starter = ["label", "--starter", "spam-scams", *base[3:]]
    assert app.cli.main([*starter, str(src), "-q"]) == 0
    assert [r["status"] for r in _rows(tmp / "in.labelled.csv")] == ["ok", "ok"]
    sent = engines[-1].requests[0]
    assert "# Spam and Scams" in sent.policy and sent.output.json_fields
    with pytest.raises(SystemExit) as stop:  # one of them, as for eval
        app.cli.main([*base, "--starter", "spam-scams", str(src)])
    assert stop.value.code == 2
