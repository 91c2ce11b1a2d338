"""``safeguard-studio runs`` and ``compare``, and the analysis sections of the HTML report."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest

import app.cli
from app.core.report import build_run_report, render_html
from app.core.store import Store
from app.core.store_rows import StoredResult
from app.core.triage_book import file_triage

POLICY = "---\nformat: binary\n---\n# Spam\n\n## Criteria\n- SP1 Bulk ads.\n- SP2 Scams.\n"
EVIL = "<script>alert(1)</script>"


def _run(store, rows, *, policy=POLICY, model="a.gguf"):
    run = store.create_run(store.add_policy_version(policy), model=model,
                           cases_path="/t/cases.jsonl")  # fmt: skip
    for case_id, expected, label, codes in rows:
        store.add_result(StoredResult(
            run, case_id, f"k{case_id}{label}", "ok", expected, label, rule_codes=codes,
            analysis=f"thinking about {case_id} {EVIL}", final=label, prompt_tokens=100,
            generated_tokens=10, prompt_ms=200, generate_ms=300,
        ))  # fmt: skip
    store.set_run_status(run, "finished")
    return run


@pytest.fixture()
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path / "data"))
    store = Store(tmp_path / "r.db")
    # A: right on 1, 2; wrong on 3..6. B: right on 3..6 as well, wrong on 1.
    a = _run(
        store,
        [
            ("1", "1", "1", ["SP1"]),
            ("2", "0", "0", []),
            ("3", "1", "0", []),
            ("4", "1", "0", []),
            ("5", "0", "1", ["SP2"]),
            ("6", "0", "1", ["SP2"]),
        ],
    )
    b = _run(store, [("1", "1", "0", []), ("2", "0", "0", []), ("3", "1", "1", ["SP1"]),
                     ("4", "1", "1", ["SP1"]), ("5", "0", "0", []), ("6", "0", "0", [])],
             model="b.gguf")  # fmt: skip
    yield tmp_path / "r.db", a, b, store
    store.close()


def test_runs_lists_ids(db, capsys):
    path, a, b, _ = db
    assert app.cli.main(["runs", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert a in out and b in out and "b.gguf" in out
    assert app.cli.main(["runs", "--db", str(path), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == [a, b] and rows[0]["cases"] == 6


def test_compare_prints_and_writes_json_and_markdown(db, capsys, tmp_path):
    path, a, b, _ = db
    out_json, out_md = tmp_path / "c.json", tmp_path / "c.md"
    argv = ["compare", a, b, "--db", str(path), "--json", str(out_json), "--markdown", str(out_md)]
    assert app.cli.main(argv) == 0
    text = capsys.readouterr().out
    assert "6 cases in both runs, 17% agree" in text and "McNemar p = 0.375" in text
    data = json.loads(out_json.read_text())
    # b = A right only: case 1; c = B right only: 3, 4, 5, 6. p = 2 * (1 + 5) / 32
    assert (data["a_only_right"], data["b_only_right"]) == (1, 4)
    assert data["mcnemar_p"] == pytest.approx(0.375)
    assert data["delta"]["accuracy"] == pytest.approx(5 / 6 - 2 / 6)
    assert data["tokens_per_case"] == [110, 110] and data["seconds_per_case"] == [0.5, 0.5]
    md = out_md.read_text()
    assert "| McNemar p | 0.375 |" in md
    assert f"```text\nthinking about 6 {EVIL}\n```" in md  # inside a fence: shown as text


def test_compare_errors_are_one_sentence(db, capsys, tmp_path):
    path, a, _, store = db
    assert app.cli.main(["compare", a, "nope", "--db", str(path)]) == 2
    assert "There is no run nope" in capsys.readouterr().err
    assert app.cli.main(["runs", "--db", str(tmp_path / "missing.db")]) == 2
    assert "no results database" in capsys.readouterr().err
    other = store.create_run(store.add_policy_version(POLICY))
    assert app.cli.main(["compare", a, other, "--db", str(path)]) == 2
    assert "share no case" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--json", "--markdown"])
def test_a_report_path_that_is_a_folder_is_one_sentence_before_any_output(
    db, capsys, tmp_path, option
):
    path, a, b, _ = db
    code = app.cli.main(["compare", a, b, "--db", str(path), option, str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""  # refused before the comparison is printed
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert f"The report path {tmp_path} is a folder" in captured.err


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_html_report_shows_heat_map_triage_and_comparison(db, tmp_path):
    _, a, b, store = db
    version = store.get_run(b).policy_hash
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"id": "1", "content": "x", "expected": "1"}\n')
    store.connection().execute("UPDATE runs SET cases_path=?", (str(cases),))
    file_triage(store, str(cases), "1", version, "policy", rule_code="SP1", note="too vague")
    html = render_html(build_run_report(store, b))
    parser = _Text()
    parser.feed(html)
    text = " ".join(parser.text)
    assert "script" not in parser.tags
    assert "Rule heat map" in text and "SP2 was never cited in 6 cases" in text
    assert "Of 1 failures: 0 gold, 1 policy, 0 model." in text and "too vague" in text
    assert f"Compared with run {a}" in text and "McNemar p" in text and "0.375" in text
    assert EVIL in text  # shown as text, escaped in the source
    # the first run has nothing to compare with
    assert "Compared with run" not in render_html(build_run_report(store, a))


def test_eval_samples_json_carries_agreement_on_the_real_engine(
    tiny_model, tmp_path, monkeypatch, capsys
):
    from collections import Counter

    from tests.support.requests import GRAMMAR
    from tests.support.requests import POLICY as ENGINE_POLICY

    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path / "data"))
    policy = tmp_path / "policy.md"
    policy.write_text(ENGINE_POLICY.text, encoding="utf-8")
    (tmp_path / "cases.jsonl").write_text(
        "".join(
            f'{{"id": "c{i}", "content": "sample me {i}", "expected": "1"}}\n' for i in range(3)
        )
    )
    (tmp_path / "g.gbnf").write_text(GRAMMAR)
    out = tmp_path / "out.json"
    argv = ["eval", "--policy", str(policy), "--model", str(tiny_model), "--grammar",
            str(tmp_path / "g.gbnf"), "--max-tokens", "40", "--ctx", "2048", "--threads", "2",
            "--samples", "3", "--db", str(tmp_path / "r.db"), "--json", str(out), "-q"]  # fmt: skip
    assert app.cli.main(argv) in (0, 1)
    data = json.loads(out.read_text())
    assert len(data["results"]) == 3
    for row in data["results"]:
        votes = Counter(row["samples"])
        assert len(row["samples"]) == 3 and row["majority"] == votes.most_common(1)[0][0]
        assert row["agreement"] == pytest.approx(votes[row["majority"]] / 3)
        assert row["label"] == row["majority"]
    capsys.readouterr()
    assert app.cli.main(["runs", "--db", str(tmp_path / "r.db"), "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)  # the sample runs are hidden
    assert [(r["id"], r["samples"]) for r in runs] == [(data["run"]["run_id"], 3)]
