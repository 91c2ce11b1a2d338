"""Every field of a test-set line survives every way the app rewrites the file: load and
save, ``import --append``, *gold label wrong* (and its undo), an edit in the case table and
its undo. Hypothesis writes lines with extra keys of any name and JSON values of any shape
(``source``, ``lang``, ``severity``, ``split``, nested objects) and a prompt on some."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtGui import QUndoStack

import app.cli
from app.core.cases import KNOWN_FIELDS, jsonl_lines, load_cases, save_cases
from app.core.policy import load_policy
from app.gui.cases.model import CaseTableModel
from app.gui.cases.undo import EditCase, RemoveCases
from app.runs.stored.triage_book import file_triage, undo_triage
from app.store import Store

DATA = Path(__file__).parents[1] / "support" / "datasets"
POLICY = DATA / "spam_no_tiers.txt"
NEW_ROWS = "text,label\nfree coins at coins.example,INVALID\nlunch at noon?,VALID\n"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)  # fmt: skip
extra_keys = st.text(min_size=1, max_size=10).filter(lambda key: key not in KNOWN_FIELDS)
named = st.fixed_dictionaries(
    {}, optional={"source": st.text(max_size=8), "lang": st.sampled_from(["de", "en", "pt-BR"]),
                  "severity": st.integers(0, 4), "split": st.sampled_from(["train", "test"])},
)  # fmt: skip


@st.composite
def lines(draw: st.DrawFn) -> list[dict]:
    count = draw(st.integers(1, 4))
    out = []
    for n in range(count):
        line = {"id": f"g{n}", "content": draw(st.text(min_size=1, max_size=30)),
                "expected": draw(st.sampled_from(["VALID", "INVALID"]))}  # fmt: skip
        if draw(st.booleans()):
            line["prompt"] = draw(st.text(min_size=1, max_size=20))
        line.update(draw(named))
        line.update(draw(st.dictionaries(extra_keys, json_values, max_size=4)))
        out.append(line)
    return out


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in jsonl_lines(path.read_text(encoding="utf-8"))]


def _write(path: Path, data: list[dict]) -> None:
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in data), "utf-8")


@given(data=lines())
def test_every_field_survives_every_rewrite(data, tmp_path_factory, qapp) -> None:
    folder = tmp_path_factory.mktemp("fields")
    path = folder / "set.jsonl"
    _write(path, data)
    output = load_policy(POLICY).output
    save_cases(path, load_cases(path, output))  # load -> save
    assert _read(path) == data
    source = folder / "new.csv"
    source.write_text(NEW_ROWS, encoding="utf-8")
    argv = ["import", str(source), "--policy", str(POLICY), "--out", str(path),
            "--content-col", "text", "--label-col", "label", "--append"]  # fmt: skip
    assert app.cli.main(argv) == 0  # import --append
    assert _read(path)[: len(data)] == data and len(_read(path)) == len(data) + 2
    store = Store(folder / "results.db")
    try:  # gold label wrong, then its undo
        flipped = "VALID" if data[0]["expected"] == "INVALID" else "INVALID"
        file_triage(store, str(path), "g0", "p1", "gold", new_label=flipped)
        assert _read(path)[0] == {**data[0], "expected": flipped}
        undo_triage(store, str(path), "g0", "p1")
        assert _read(path)[: len(data)] == data
    finally:
        store.close()
    model, stack = CaseTableModel(), QUndoStack()  # the window: edit, delete, undo, save
    model.set_cases(load_cases(path, output))
    stack.push(EditCase(model, lambda _id: None, "g0", "content", "edited"))
    stack.push(EditCase(model, lambda _id: None, "g0", "expected", flipped))
    save_cases(path, model.cases())
    assert _read(path)[0] == {**data[0], "content": "edited", "expected": flipped}
    stack.push(RemoveCases(model, lambda _id: None, [f"g{len(data) - 1}"], "Delete"))
    stack.undo()
    stack.undo()
    stack.undo()
    save_cases(path, model.cases())
    assert _read(path)[: len(data)] == data
