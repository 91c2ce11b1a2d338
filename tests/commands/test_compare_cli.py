"""``safeguard-studio runs`` and ``compare``, and the analysis sections of the HTML report."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest

import app.cli
from app.core.records import StoredResult
from app.reports.report import render_html
from app.runs.stored.report import build_run_report
from app.runs.stored.triage_book import file_triage
from app.store import Store

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
    store._conn().execute("UPDATE runs SET cases_path=?", (str(cases),))
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


TIERED = (
    "---\nname: Deceptive claims\nformat: labels\nlabels: VALID, INVALID\nviolating: INVALID\n"
    "tiers: DC0, DC1, DC2\n"
    "---\n# Deceptive claims\n"
)


def _tiered_run(store, answers, *, seed, cases_path="/t/tiers.jsonl"):
    run = store.create_run(store.add_policy_version(TIERED, path="/t/claims.md"),
                           model="remote:http://h#gpt-oss-20b", cases_path=cases_path,
                           settings={"effort": "high", "seed": seed})  # fmt: skip
    for index, (expected, label, tier) in enumerate(answers):
        store.add_result(StoredResult(run, f"c{index}", f"k{run}{index}", "ok", expected, label,
                                      tier=tier, final=tier))  # fmt: skip
    store.set_run_status(run, "finished")
    return run


def test_runs_names_policy_version_test_set_model_effort_seed_and_accuracy(tmp_path, capsys):
    store = Store(tmp_path / "t.db")
    right = [("DC0", "VALID", "DC0"), ("DC2", "INVALID", "DC2")]
    first = _tiered_run(store, right, seed=1)
    second = _tiered_run(store, [("DC0", "INVALID", "DC1"), right[1]], seed=2,
                         cases_path="/t/other.jsonl")  # fmt: skip
    store.close()
    assert app.cli.main(["runs", "--db", str(tmp_path / "t.db")]) == 0
    lines = capsys.readouterr().out.splitlines()
    row = {line.split()[0]: line for line in lines[1:]}
    for run, test_set, seed, accuracy in ((first, "tiers.jsonl", 1, "1.000"),
                                          (second, "other.jsonl", 2, "0.500")):  # fmt: skip
        assert "Deceptive claims v1" in row[run] and test_set in row[run]
        assert "gpt-oss-20b" in row[run] and " high " in row[run]
        assert f" {seed} " in row[run] and accuracy in row[run]
    assert app.cli.main(["runs", "--db", str(tmp_path / "t.db"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(r["policy"], r["policy_version"], r["test_set"], r["seed"], r["accuracy"])
            for r in data] == [("Deceptive claims", 1, "tiers.jsonl", "1", 1.0),
                               ("Deceptive claims", 1, "other.jsonl", "2", 0.5)]  # fmt: skip


def test_compare_counts_a_tier_that_went_wrong(tmp_path, capsys):
    """An allowed case expected DC0 going VALID -> INVALID is right only in A (issue 19.1)."""
    store = Store(tmp_path / "t.db")
    a = _tiered_run(store, [("DC0", "VALID", "DC0"), ("DC0", "VALID", "DC0"),
                            ("DC2", "INVALID", "DC2")], seed=1)  # fmt: skip
    b = _tiered_run(store, [("DC0", "INVALID", "DC1"), ("DC0", "VALID", "DC0"),
                            ("DC2", "INVALID", "DC1")], seed=1)  # fmt: skip
    store.close()
    out = tmp_path / "c.json"
    assert app.cli.main(["compare", a, b, "--db", str(tmp_path / "t.db"), "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert (data["a_only_right"], data["b_only_right"]) == (2, 0)
    assert data["delta"]["accuracy"] == pytest.approx(-2 / 3)
    assert data["mcnemar_p"] == pytest.approx(0.5)


def test_html_report_titles_tell_runs_apart_and_carry_tiers_policy_and_settings(tmp_path):
    store = Store(tmp_path / "t.db")
    first = _tiered_run(store, [("DC0", "VALID", "DC0"), ("DC2", "INVALID", "DC1")], seed=7)
    second = _tiered_run(store, [("DC0", "VALID", "DC0")], seed=8, cases_path="/t/b.jsonl")
    reports = [build_run_report(store, run) for run in (first, second)]
    store.close()
    titles = [render_html(r).split("<title>")[1].split("</title>")[0] for r in reports]
    assert titles[0] != titles[1]
    assert titles[0].startswith("Deceptive claims v1 · high · gpt-oss-20b")
    assert titles[0].endswith("· tiers.jsonl") and titles[1].endswith("· b.jsonl")
    page = render_html(reports[0])
    assert "<h2>Tier matrix</h2>" in page and "tier accuracy 0.500 (1 of 2)" in page
    assert "reasoning effort high · seed 7" in page and "{&#x27;effort&#x27;" not in page
    assert "<h2>Policy text of this version</h2>" in page and "# Deceptive claims" in page
