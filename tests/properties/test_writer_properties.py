"""Properties of the report writers: whatever text a case or the model carries, the JUnit
file parses as XML, the CSV reads back to the same cells (formula quotes undone) and no
cell starts a formula, the test-set CSV export imports back to the same cases, and the
HTML report shows every piece of text as text."""

from __future__ import annotations

import csv
import io
import tempfile
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from app.core.cases import TestCase
from app.core.csv_cells import csv_cell_text
from app.core.policy import OutputFormat
from app.core.records import RunRecord, StoredResult
from app.importing.importer import ColumnMapping, export_csv, import_cases
from app.reports.formats import junit_xml, results_csv, xml_text
from app.reports.report import RunReport, render_html
from app.scoring.metrics import run_metrics

ANY = st.text(max_size=40)  # every code point, controls and lone surrogates included
SPICY = st.one_of(
    ANY,
    st.sampled_from(["=HYPERLINK(\"http://x\")", "+cmd|' /C calc'!A0", "-1", "@SUM(A1)",
                     "\tx", "\rx", "'=x", "''+y", "\x01\x08\x1b", "<|end|>", "]]>", "&amp;"]),
)  # fmt: skip
RESULT = st.builds(
    StoredResult, run_id=st.just("r"), case_id=SPICY, cache_key=st.just("k"),
    status=st.sampled_from(["ok", "no_verdict", "error", "unparsable"]),
    expected=st.sampled_from(["0", "1"]), label=st.sampled_from([None, "0", "1"]),
    rationale=SPICY, final=SPICY, message=SPICY, content=SPICY, analysis=SPICY,
)  # fmt: skip
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def unify_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")  # what any XML parser does


@given(results=st.lists(RESULT, max_size=5), name=SPICY, failures=st.lists(SPICY, max_size=2))
def test_junit_always_parses_and_keeps_the_text(results, name, failures) -> None:
    root = ET.fromstring(junit_xml(results, failures, name, OutputFormat()).encode("utf-8"))
    cases = root.find("testsuite[@name='cases']").findall("testcase")
    assert root.get("name") == xml_text(name)  # attributes keep even \r (written &#13;)
    assert [c.get("name") for c in cases] == [xml_text(r.case_id) for r in results]
    for case, result in zip(cases, results, strict=False):
        failure = case.find("failure")
        if failure is not None:
            want = unify_newlines(xml_text(result.rationale or result.message or result.final))
            assert unify_newlines(failure.text or "") == want


@given(results=st.lists(RESULT, max_size=5))
def test_results_csv_reads_back_and_runs_no_formula(results) -> None:
    text = results_csv(results, OutputFormat())
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == len(results) + 1
    for row, result in zip(rows[1:], results, strict=True):
        assert not any(cell.startswith(FORMULA_START) for cell in row)
        assert csv_cell_text(row[0]) == result.case_id
        assert csv_cell_text(row[8]) == result.rationale
        assert csv_cell_text(row[9]) == result.message


# text as people write it: a file made mostly of control characters is refused on import
# as "not a text file" by design, so the round trip keeps to tab, newline and CR
TEXT = st.one_of(st.characters(blacklist_categories=("Cs", "Cc")), st.sampled_from("\t\n\r"))
ID = st.text(TEXT, min_size=1, max_size=12).map(str.strip).filter(bool)
CONTENT = st.one_of(st.text(TEXT, max_size=40), SPICY.filter(str.isprintable)).filter(str.strip)


@given(pairs=st.lists(st.tuples(ID, CONTENT), min_size=1, max_size=5, unique_by=lambda p: p[0]))
def test_exported_test_set_imports_back_unchanged(pairs) -> None:
    cases = [TestCase(i, c, "1") for i, c in pairs]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out.csv"
        export_csv(path, cases)
        rows = list(csv.reader(io.StringIO(path.read_text("utf-8"), newline="")))
        assert not any(cell.startswith(FORMULA_START) for row in rows for cell in row)
        mapping = ColumnMapping(content="content", expected="expected", id="id")
        again = import_cases(path, mapping, OutputFormat()).cases
    assert [(c.id, c.content) for c in again] == [(c.id, c.content) for c in cases]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)

    def handle_data(self, data) -> None:
        self.text.append(data)


@given(results=st.lists(RESULT, min_size=1, max_size=4))
def test_html_report_shows_text_as_text(results) -> None:
    run = RunRecord("r", "p", model="<b>m</b>", settings={"x": "<script>"})
    report = RunReport(run, "Policy <i>", run_metrics(results, OutputFormat()), results)
    parser = _Text()
    parser.feed(render_html(report))
    shown = "".join(parser.text)
    assert set(parser.tags) <= {"html", "head", "meta", "title", "style", "body", "h1", "h2",
                                "h3", "p", "table", "tr", "th", "td", "div", "pre"}  # fmt: skip
    for result in results:
        for text in (result.content, result.analysis, result.final):
            assert text in shown
