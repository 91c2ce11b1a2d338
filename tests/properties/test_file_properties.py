"""Properties of the readers of people's files: policies (front matter), test sets (JSONL)
and imports (CSV, TSV, JSONL). Any input gives a result or a clear one-sentence error,
never a traceback; a well-formed front matter reads back exactly."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from app.core.cases import CasesError, load_cases, parse_cases_jsonl, save_cases
from app.core.policy import FORMAT_KEYS, OutputFormat, PolicyError, parse_policy
from app.importing.importer import ColumnMapping, import_cases, preview
from app.importing.reading import ImportFileError

FRONT = st.sampled_from(["---\n", "---\r\n", "name: x\n", "format: labels\n", "labels: A, B\n",
                         "violating: B\n", "fromat: binary\n", "# c\n", "no colon\n", ":\n",
                         "key: a: b\n", "\n", "\ufeff", "version: 2\n", "format: json\n"])  # fmt: skip
POLICY_TEXT = st.lists(st.one_of(FRONT, st.text(max_size=20)), max_size=12).map("".join)
KEY = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=10)
VALUE = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="#"),
    max_size=20,
).map(str.strip)
LINE_CHARS = st.characters(blacklist_categories=("Cs",))


def one_sentence(message: str) -> None:
    assert message and "\n" not in message and message.rstrip().endswith("."), message


@given(text=POLICY_TEXT)
def test_any_policy_text_parses_or_says_why(text) -> None:
    try:
        policy = parse_policy(text)
    except PolicyError as exc:
        one_sentence(str(exc))
        return
    assert policy.text == text and policy.output.labels
    assert set(policy.output.violating) <= set(policy.output.labels)


@given(meta=st.dictionaries(KEY, VALUE, max_size=5), body=st.text(max_size=60))
def test_front_matter_reads_back(meta, body) -> None:
    meta = {k: v for k, v in meta.items() if k not in FORMAT_KEYS}  # those are checked
    front = "".join(f"{k}: {v}\n" for k, v in meta.items())
    policy = parse_policy(f"---\n{front}format: binary\n---\n{body}")
    assert {k: v for k, v in policy.meta.items() if k != "format"} == meta
    assert policy.output == OutputFormat()
    dropped = body[: len(body) - len(policy.body)]
    assert body.endswith(policy.body) and not dropped.strip()  # only blank lines dropped


@given(data=st.binary(max_size=300))
def test_any_bytes_as_a_test_set(data) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cases.jsonl"
        path.write_bytes(data)
        try:
            cases = load_cases(path)
        except CasesError as exc:
            one_sentence(str(exc))
            return
        assert all(isinstance(c.content, str) for c in cases)


@given(lines=st.lists(st.text(alphabet=LINE_CHARS, max_size=30), max_size=6))
def test_any_jsonl_text(lines) -> None:
    try:
        cases = parse_cases_jsonl("\n".join(lines))
    except CasesError as exc:
        one_sentence(str(exc))
        return
    assert len(cases) <= len(lines)


def _import_any(name: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            shown = preview(path)
            mapping = ColumnMapping(content=0, expected=1 if len(shown.columns) > 1 else None)
            mapping.has_header = shown.has_header
            result = import_cases(path, mapping, OutputFormat())
        except ImportFileError as exc:
            one_sentence(str(exc))
            return
        assert all(c.content.strip() for c in result.cases)
        assert len({c.id for c in result.cases}) == len(result.cases)


CSVISH = st.lists(
    st.one_of(st.sampled_from([",", ";", "\t", "\n", "\r\n", '"', "'", "\x00", "\ufeff", "1",
                               "0", "id,content,label\n", "é", "\xff"]),
              st.text(max_size=6)),
    max_size=40,
).map("".join)  # fmt: skip


@given(data=st.binary(max_size=400), ext=st.sampled_from(["csv", "tsv", "jsonl", "txt"]))
def test_any_bytes_as_an_import(data, ext) -> None:
    _import_any(f"in.{ext}", data)


@given(text=CSVISH, ext=st.sampled_from(["csv", "tsv"]), encoding=st.sampled_from(
    ["utf-8", "utf-16", "latin-1"]))  # fmt: skip
def test_any_table_like_text_as_an_import(text, ext, encoding) -> None:
    _import_any(f"in.{ext}", text.encode(encoding, errors="replace"))


def test_saved_cases_helper_is_used() -> None:
    """save_cases and load_cases agree (the other tests only read)."""
    from app.core.cases import TestCase

    with tempfile.TemporaryDirectory() as tmp:
        cases = [TestCase("a", "x\u2028y", "1", tags=["t"])]
        save_cases(Path(tmp) / "c.jsonl", cases)
        assert load_cases(Path(tmp) / "c.jsonl") == cases
