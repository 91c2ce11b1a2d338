"""The report formats other tools read: JUnit XML for CI, CSV for spreadsheets.

Both carry untrusted text (case ids, content, the model's answer), so both neutralise it:

* **CSV** (also the window's test-set export): a cell that a spreadsheet would run as a
  formula, one starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return, gets a ``'``
  in front (OWASP's rule for CSV injection). :func:`csv_cell_text` undoes it on import, so an
  exported test set reads back exactly: a cell that already starts with quotes before such a
  character gets one more quote, and reading removes exactly one.
* **XML**: characters XML 1.0 forbids (C0 controls other than tab, newline and carriage
  return, lone surrogates, U+FFFE/U+FFFF) would make the whole file unreadable to a CI
  system; :func:`xml_text` writes each as a visible ``\\xNN`` / ``\\uNNNN`` escape instead.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

from app.core.flips import prediction
from app.core.store_rows import StoredResult

_FORMULA = re.compile(r"'*[=+\-@\t\r]")
_XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
CSV_COLUMNS = [
    "case_id", "expected", "prediction", "status", "correct", "violates", "cached",
    "rule_codes", "rationale", "message",
    # added after the first release, so they come last: severity tier, escalation, and a
    # two-label answer's depiction and request tiers (empty where the policy has none)
    "tier", "escalate", "depiction", "request",
]  # fmt: skip


def csv_cell(value: object) -> str:
    """A value as a CSV cell that no spreadsheet runs as a formula (see the module notes)."""
    text = "" if value is None else str(value)
    return "'" + text if _FORMULA.match(text) else text


def csv_cell_text(cell: str) -> str:
    """The text :func:`csv_cell` was given: one protective quote removed, if it has one."""
    return cell[1:] if cell.startswith("'") and _FORMULA.match(cell) else cell


def csv_document(header: list[str], rows: list[list[object]], *, bom: bool = False) -> str:
    """A whole CSV document (CRLF rows, every cell through :func:`csv_cell`)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return ("\ufeff" if bom else "") + buffer.getvalue()


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


def junit_xml(results: list[StoredResult], failures: list[str], name: str) -> str:
    """One testcase per case (failure when wrong or without a verdict) plus the thresholds."""
    name = xml_text(name)
    suite = ET.Element("testsuite", name=name, tests=str(len(results) + 1))
    bad = 0
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=name, name=xml_text(r.case_id))
        if r.status == "error":
            ET.SubElement(case, "error", message=xml_text(r.message or "engine error"))
            bad += 1
        elif not r.correct:
            text = xml_text(f"expected {r.expected}, got {prediction(r)}{answer_facts(r)}")
            failure = ET.SubElement(case, "failure", message=text)
            failure.text = xml_text(r.rationale or r.final)
            bad += 1
    thresholds = ET.SubElement(suite, "testcase", classname=name, name="thresholds")
    for failure in failures:
        ET.SubElement(thresholds, "failure", message=xml_text(failure))
    suite.set("failures", str(bad + bool(failures)))
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def results_csv(results: list[StoredResult]) -> str:
    """A run's results as CSV, one row per case (``CSV_COLUMNS``)."""
    rows = [
        [r.case_id, r.expected, prediction(r), r.status, int(r.correct), r.violates,
         int(r.cached), " ".join(r.rule_codes), r.rationale, r.message,
         r.tier or "", int(r.escalate), r.depiction or "", r.request or ""]
        for r in results
    ]  # fmt: skip
    return csv_document(CSV_COLUMNS, rows)
