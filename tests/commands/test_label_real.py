"""``safeguard-studio label`` as a user runs it: a real process and the real llama.cpp
engine on the tiny synthetic model, over rows of the spam starter set."""

from __future__ import annotations

import csv
import io
import json

from tests.commands.test_cli_classify import POLICY, ROOT, cli, grammar  # noqa: F401


def test_label_rows_of_the_starter_set_on_the_real_engine(tiny_model, grammar, tmp_path):  # noqa: F811
    rows = (ROOT / "policies" / "spam_scams" / "cases.jsonl").read_text().splitlines()[:4]
    src = tmp_path / "messages.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["ref", "text"])
    writer.writerows([n, json.loads(line)["content"]] for n, line in enumerate(rows))
    writer.writerow([99, ""])  # no content: kept, marked
    src.write_text(buffer.getvalue(), encoding="utf-8")
    args = ("label", "--policy", str(POLICY), str(src), "--model", str(tiny_model),
            "--grammar", str(grammar), "--db", str(tmp_path / "r.sqlite3"),
            "--date", "2026-01-01", "--max-tokens", "120")  # fmt: skip
    first = cli(*args)
    assert first.returncode == 0, first.stderr
    assert b"labelled 4 of 4" in first.stderr
    out = list(csv.DictReader(io.StringIO((tmp_path / "messages.labelled.csv").read_text())))
    assert [r["ref"] for r in out] == ["0", "1", "2", "3", "99"]
    assert all(r["status"] == "ok" and r["label"] in ("0", "1") for r in out[:4])
    assert all(r["rules"] == "SP1.a" and r["reasoning"] for r in out[:4])
    assert out[4]["status"] == "no content" and out[4]["label"] == ""
    second = cli(*args, "-q")  # every row from the cache
    assert second.returncode == 0 and second.stderr == b""
