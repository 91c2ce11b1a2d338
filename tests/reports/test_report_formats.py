"""CSV and JUnit reports with hostile text: formulas neutralised, XML always parseable."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

from app.core.csv_cells import csv_cell, csv_cell_text
from app.core.policy import OutputFormat
from app.core.records import StoredResult
from app.reports.formats import junit_xml, results_csv, xml_text

BINARY = OutputFormat()

FORMULAS = ['=HYPERLINK("http://x","click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
            "\t=1", "\r=1"]  # fmt: skip


def test_formula_cells_get_a_quote_that_import_removes() -> None:
    for text in FORMULAS:
        assert csv_cell(text) == "'" + text and csv_cell_text(csv_cell(text)) == text
    for text in ["'=already quoted", "''-x", "plain", "", "'apostrophe", "a=b"]:
        assert csv_cell_text(csv_cell(text)) == text
    assert csv_cell("'=x") == "''=x" and csv_cell("plain") == "plain"


def test_results_csv_neutralises_ids_rationales_and_messages() -> None:
    result = StoredResult("r", FORMULAS[0], "k", "ok", "1", "1", rationale=FORMULAS[1],
                          message="@evil")  # fmt: skip
    (header, row) = list(csv.reader(io.StringIO(results_csv([result], BINARY), newline="")))
    assert header[0] == "case_id"
    assert row[0] == "'" + FORMULAS[0] and row[8] == "'" + FORMULAS[1] and row[9] == "'@evil"
    assert dict(zip(header, row, strict=True))["tier"] == "" and row[11] == "0"


def test_results_csv_carries_tier_escalation_and_two_label_tiers() -> None:
    tiered = StoredResult("r", "c1", "k", "ok", "1", "1", tier="high", escalate=True)
    two = StoredResult("r", "c2", "k", "ok", "1", "1", depiction="D-SX2", request="R-SX0")
    rows = list(csv.DictReader(io.StringIO(results_csv([tiered, two], BINARY), newline="")))
    assert (rows[0]["tier"], rows[0]["escalate"]) == ("high", "1")
    assert (rows[1]["depiction"], rows[1]["request"], rows[1]["tier"]) == ("D-SX2", "R-SX0", "")


def test_junit_parses_with_the_models_raw_bytes() -> None:
    raw = bytes(range(256)).decode("latin-1") + "\ud800\udfff\ufffe\uffff"
    results = [
        StoredResult("r", "\x01\x08\x1b", "k", "ok", "1", "0", rationale=raw, final=raw),
        StoredResult("r", "e", "k", "error", "1", message="boom\x00" + raw),
    ]
    xml = junit_xml(results, ["f1\x07 below"], "Policy\x0c", BINARY)
    root = ET.fromstring(xml.encode("utf-8"))
    cases = root.find("testsuite[@name='cases']").findall("testcase")
    assert cases[0].get("name") == "\\x01\\x08\\x1b"
    assert cases[0].find("failure").text.startswith("\\x00\\x01")
    assert cases[1].find("error").get("message").startswith("boom\\x00\\x00")
    assert root.get("name") == "Policy\\x0c"
    assert (root.get("failures"), root.get("errors")) == ("2", "1")  # a wrong case, the gate
    assert xml_text("tab\tnew\nline\r é \U0001f600") == "tab\tnew\nline\r é \U0001f600"


def test_junit_failure_names_the_tier_and_escalation() -> None:
    wrong = StoredResult("r", "c1", "k", "ok", "0", "1", tier="high", escalate=True)
    root = ET.fromstring(junit_xml([wrong], [], "P", BINARY).encode("utf-8"))
    failure = root.find("testsuite[@name='cases']/testcase").find("failure")
    assert failure.get("message") == "expected 0, got 1 · tier high · escalate"


def _junit(results, failures, met=()) -> ET.Element:
    return ET.fromstring(junit_xml(results, failures, "P", BINARY, met=list(met)).encode())


def test_junit_says_what_the_gate_decided_apart_from_the_cases() -> None:
    results = [
        StoredResult("r", "right", "k", "ok", "1", "1"),
        StoredResult("r", "wrong", "k", "ok", "0", "1"),
        StoredResult("r", "cut", "k", "no_verdict", "1", message="budget ran out"),
        StoredResult("r", "timeout", "k", "error", "1", message="the server timed out"),
        StoredResult("r", "unscored", "k", "ok", "", "1"),
    ]
    passed = _junit(results, [], ["accuracy 0.500 meets 0.400"])
    gate = passed.find("testsuite[@name='gate']")
    assert (gate.get("tests"), gate.get("failures"), gate.get("errors")) == ("1", "0", "0")
    case = gate.find("testcase[@name='gate']")
    assert case.find("failure") is None  # the gate passed: its test case passes
    assert case.find("system-out").text == "The gate passed.\naccuracy 0.500 meets 0.400"
    cases = passed.find("testsuite[@name='cases']")
    assert (cases.get("tests"), cases.get("failures"), cases.get("errors")) == ("5", "2", "1")
    kinds = {c.get("name"): [x.tag for x in c] for c in cases.findall("testcase")}
    assert kinds == {"right": [], "wrong": ["failure"], "cut": ["failure"],
                     "timeout": ["error"], "unscored": []}  # fmt: skip
    assert (passed.get("tests"), passed.get("failures"), passed.get("errors")) == ("6", "2", "1")
    failed = _junit(results, ["accuracy 0.500 is below 0.900"])
    gate_case = failed.find("testsuite[@name='gate']/testcase")
    assert gate_case.find("failure").get("message") == "accuracy 0.500 is below 0.900"
    assert failed.find("testsuite[@name='gate']").get("failures") == "1"


def test_junit_and_csv_judge_a_tier_as_metrics_do() -> None:
    tiers = OutputFormat("labels", ("VALID", "INVALID"), ("INVALID",), tiers=("DC0", "DC1", "DC2"))
    rows = [
        StoredResult("r", "same-tier", "k", "ok", "DC2", "INVALID", tier="DC2"),
        StoredResult("r", "other-tier", "k", "ok", "DC2", "INVALID", tier="DC1"),
        StoredResult("r", "allowed", "k", "ok", "DC0", "VALID", tier="DC0"),
    ]
    cases = ET.fromstring(junit_xml(rows, [], "P", tiers).encode()).find("testsuite[@name='cases']")
    assert [c.get("name") for c in cases.findall("testcase") if len(c)] == ["other-tier"]
    marks = [r["correct"] for r in csv.DictReader(io.StringIO(results_csv(rows, tiers)))]
    assert marks == ["1", "0", "1"]  # an expected DC0 answered VALID is right
