"""The report formats other tools read: JUnit XML for CI, CSV for spreadsheets.

* **JUnit** (``<testsuites>``): a suite ``gate`` with one test case that says what the gate
  decided (a ``<failure>`` per threshold missed; when it passed, the thresholds met in
  ``<system-out>``), and a suite ``cases`` with each case as it is: wrong or without a
  verdict is a ``<failure>``, an engine error an ``<error>``; ``failures`` and ``errors``
  count each apart, per suite and in total. A CI job that should fail only on the gate reads
  the ``gate`` suite.
* **CSV**: one row per case; ``correct`` is 1 when :func:`app.scoring.outcome.judge` says right,
  0 when wrong and empty when the case is unscored, so metrics recomputed from the file
  equal the run's.

Both carry untrusted text (case ids, content, the model's answer), so both neutralise it:

* **CSV**: every cell goes through :mod:`app.core.csv_cells`, so a spreadsheet never runs
  one as a formula.
* **XML**: characters XML 1.0 forbids (C0 controls other than tab, newline and carriage
  return, lone surrogates, U+FFFE/U+FFFF) would make the whole file unreadable to a CI
  system; :func:`xml_text` writes each as a visible ``\\xNN`` / ``\\uNNNN`` escape instead.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from app.core.csv_cells import csv_document
from app.core.policy import OutputFormat
from app.core.records import StoredResult
from app.scoring.outcome import Judgement, judge, prediction

_XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
CSV_COLUMNS = [
    "case_id", "expected", "prediction", "status", "correct", "violates", "cached",
    "rule_codes", "rationale", "message",
    # added after the first release, so they come last: severity tier, escalation, and a
    # two-label answer's depiction and request tiers (empty where the policy has none)
    "tier", "escalate", "depiction", "request", "tags",
]  # fmt: skip


def _xml_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def xml_text(value: object) -> str:
    """Text XML 1.0 can hold: every forbidden character written as a visible escape."""
    return _XML_FORBIDDEN.sub(_xml_escape, "" if value is None else str(value))


def answer_facts(result: StoredResult, sep: str = " · ") -> str:
    """What a tiered or two-label answer adds to its label, e.g. " · tier high · escalate"."""
    facts = [f"tier {result.tier}"] if result.tier else []
    facts += [f"depiction {result.depiction}"] if result.depiction else []
    facts += [f"request {result.request}"] if result.request else []
    facts += ["escalate"] if result.escalate else []
    return "".join(f"{sep}{fact}" for fact in facts)


def _suite(parent: ET.Element, name: str) -> ET.Element:
    return ET.SubElement(parent, "testsuite", name=name)


def _count(suite: ET.Element, tests: int, failures: int, errors: int) -> None:
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))


def junit_xml(
    results: list[StoredResult],
    failures: list[str],
    name: str,
    output: OutputFormat,
    *,
    met: list[str] = (),
) -> str:
    """The gate as its own test case (``failures``: thresholds missed, ``met``: thresholds
    met), then one test case per case as it is (see the module notes)."""
    name = xml_text(name)
    root = ET.Element("testsuites", name=name)
    gate_suite = _suite(root, "gate")
    gate = ET.SubElement(gate_suite, "testcase", classname=f"{name}.gate", name="gate")
    for failure in failures:
        ET.SubElement(gate, "failure", message=xml_text(failure))
    decided = "failed" if failures else "passed"
    lines = [f"The gate {decided}."] + [xml_text(line) for line in [*failures, *met]]
    ET.SubElement(gate, "system-out").text = "\n".join(lines)
    _count(gate_suite, 1, int(bool(failures)), 0)
    cases = _suite(root, "cases")
    wrong = errors = 0
    for r in results:
        case = ET.SubElement(cases, "testcase", classname=f"{name}.cases", name=xml_text(r.case_id))
        if r.status == "error":
            ET.SubElement(case, "error", message=xml_text(r.message or "engine error"))
            errors += 1
        elif judge(r, output) is Judgement.WRONG:
            text = xml_text(f"expected {r.expected}, got {prediction(r)}{answer_facts(r)}")
            failure = ET.SubElement(case, "failure", message=text)
            failure.text = xml_text(r.rationale or r.message or r.final)
            wrong += 1
    _count(cases, len(results), wrong, errors)
    _count(root, len(results) + 1, wrong + int(bool(failures)), errors)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def correct_cell(result: StoredResult, output: OutputFormat) -> str:
    """The CSV ``correct`` cell: 1 right, 0 wrong, empty when unscored."""
    judgement = judge(result, output)
    return "" if judgement is Judgement.UNSCORED else str(int(judgement is Judgement.RIGHT))


def results_csv(results: list[StoredResult], output: OutputFormat) -> str:
    """A run's results as CSV, one row per case (``CSV_COLUMNS``)."""
    rows = [
        [r.case_id, r.expected, prediction(r), r.status, correct_cell(r, output), r.violates,
         int(r.cached), " ".join(r.rule_codes), r.rationale, r.message,
         r.tier or "", int(r.escalate), r.depiction or "", r.request or "", "; ".join(r.tags)]
        for r in results
    ]  # fmt: skip
    return csv_document(CSV_COLUMNS, rows)
