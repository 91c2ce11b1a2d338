"""Run reports: a self-contained HTML file and Markdown, over a run handed in.

Content and model output are untrusted text. In HTML every piece of it goes through
``html.escape`` (quotes too) and sits in ``<pre>`` or table cells; there is no script and
the CSS is inline, so the file opens anywhere offline. In Markdown, one-line values are
backslash-escaped and HTML-escaped (a renderer that allows raw HTML shows ``<script>`` as
text); multi-line text goes into a fenced block whose fence is longer than any run of
backticks inside it. Nothing here opens a store: :func:`app.runs.stored.report.build_run_report`
gathers a stored run into a :class:`RunReport`.

A report is the run as the window shows it: its title names the policy, its version, the
test set, the model, the effort and the start time (every run its own title); it carries the
metrics (accuracy as :mod:`app.scoring.metrics` defines it), the tier matrix when the test set
expects tiers, the settings as words, the agreement of people who reviewed its answers
(:mod:`app.reports.review`, when anyone did), every case marked right or wrong by
:func:`app.scoring.outcome.judge`, and the policy text of the version the run used.
"""

from __future__ import annotations

import errno
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.core.errors import UserError
from app.core.policy import OutputFormat, Policy
from app.core.records import RunRecord, StoredResult
from app.core.storage_paths import atomic_write_text
from app.reports.formats import answer_facts
from app.reports.markup import esc, md_block, md_inline
from app.reports.review import review_html, review_markdown
from app.scoring.metrics import Metrics, TierMetrics, format_ratio
from app.scoring.outcome import Judgement, judge, prediction
from app.scoring.review_agreement import ReviewAgreement

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .6em}
th{background:#f3f3f3;text-align:left}td.n{text-align:right}
pre{white-space:pre-wrap;word-break:break-word;background:#f7f7f7;padding:.5em;margin:.3em 0}
.case{border:1px solid #ddd;border-radius:4px;padding:.5em 1em;margin:1em 0}
.wrong{border-left:5px solid #c0392b}.right{border-left:5px solid #27ae60}
.nov{border-left:5px solid #e67e22}.meta{color:#666}
mark{background:#ffd54f}.pair{display:grid;grid-template-columns:1fr 1fr;gap:1em}
"""


SETTING_WORDS = {
    "effort": "reasoning effort", "seed": "seed", "temperature": "temperature",
    "top_p": "top-p", "max_tokens": "token budget", "date": "current date",
    "renderer": "prompt renderer", "grammar": "grammar",
}  # fmt: skip


def settings_text(settings: dict) -> str:
    """Run settings as words: "reasoning effort medium · seed 1234 · token budget 1024"."""
    parts = []
    for key, value in settings.items():
        if value is None or value == "":
            continue
        shown = "yes" if value is True else "no" if value is False else value
        parts.append(f"{SETTING_WORDS.get(key, key.replace('_', ' '))} {shown}")
    return " · ".join(parts) or "default settings"


@dataclass
class RunReport:
    """Everything a report shows about one run."""

    run: RunRecord
    policy_name: str
    metrics: Metrics
    results: list[StoredResult] = field(default_factory=list)
    title: str = ""
    sections: list[str] = field(default_factory=list)  # analysis sections (HTML, escaped)
    label: str = ""  # "v3 · medium · tiny.gguf · 30 Nov 16:47" (run_labels)
    policy: Policy | None = None  # the policy version the run used
    policy_text: str = ""  # its text, as stored
    review: ReviewAgreement | None = None  # people's checks of its answers, if any

    @property
    def output(self) -> OutputFormat:
        return self.policy.output if self.policy is not None else OutputFormat()


def report_title(report: RunReport) -> str:
    """The heading: the given title, else policy, version, test set, model, effort, time."""
    if report.title:
        return report.title
    test_set = Path(report.run.cases_path).name if report.run.cases_path else "no test set"
    return f"{report.policy_name} {report.label or report.run.id} · {test_set}"


def _when(stamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp)) if stamp else "—"


def _metric_rows(metrics: Metrics) -> list[tuple[str, str]]:
    rows = [(name, format_ratio(value)) for name, value in metrics.headline().items()]
    rows += [("scored cases", str(metrics.scored)), ("unscored cases", str(metrics.unscored))]
    rows += [(f"status {s}", str(n)) for s, n in metrics.status_counts.items()]
    return rows


def _case_class(result: StoredResult, output: OutputFormat) -> str:
    if result.status != "ok":
        return "nov"
    return "right" if judge(result, output) is Judgement.RIGHT else "wrong"


def _matrix_html(rows: list[str], columns: list[str], counts: list[list[int]]) -> list[str]:
    out = ["<table><tr><th>expected \\ predicted</th>"]
    out += [f"<th>{esc(col)}</th>" for col in columns]
    out.append("</tr>")
    for row, line in zip(rows, counts, strict=True):
        nums = "".join(f'<td class="n">{n}</td>' for n in line)
        out.append(f"<tr><th>{esc(row)}</th>{nums}</tr>")
    return out + ["</table>"]


def _tiers_html(tiers: TierMetrics | None) -> list[str]:
    if tiers is None:
        return []
    out = ["<h2>Tier matrix</h2>", f"<p>{esc(tiers.summary())}</p>"]
    return out + _matrix_html(
        tiers.confusion.rows, tiers.confusion.columns, tiers.confusion.matrix()
    )


def render_html(report: RunReport) -> str:
    """The whole report as one HTML document (escaped; see the module notes)."""
    m, run = report.metrics, report.run
    title = report_title(report)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f'<p class="meta">Model {esc(run.model)} · started {esc(_when(run.started))} · '
        f"finished {esc(_when(run.finished))} · status {esc(run.status)} · "
        f"{esc(settings_text(run.settings))} · test set {esc(run.cases_path or '—')} · "
        f"run id {esc(run.id)}</p>",
        "<h2>Metrics</h2><table><tr><th>metric</th><th>value</th></tr>",
    ]
    out += [f'<tr><td>{esc(k)}</td><td class="n">{esc(v)}</td></tr>' for k, v in _metric_rows(m)]
    out.append("</table>")
    if len(m.per_class) > 2:
        out.append("<h2>Per class</h2><table><tr><th>label</th><th>support</th>")
        out.append("<th>precision</th><th>recall</th><th>F1</th></tr>")
        for c in m.per_class:
            cells = [c.support, format_ratio(c.precision), format_ratio(c.recall)]
            cells.append(format_ratio(c.f1))
            nums = "".join(f'<td class="n">{esc(x)}</td>' for x in cells)
            out.append(f"<tr><td>{esc(c.label)}</td>{nums}</tr>")
        out.append("</table>")
    cm = m.confusion
    out.append("<h2>Confusion matrix</h2>")
    out += _matrix_html(cm.rows, cm.columns, cm.matrix())
    out += _tiers_html(m.tiers)
    if m.tags:
        out.append("<h2>Agreement per tag</h2><table><tr><th>tag</th><th>cases</th>")
        out.append("<th>agree</th><th>no verdict</th><th>agreement</th></tr>")
        for t in m.tags:
            cells = [t.cases, t.agree, t.no_verdict, format_ratio(t.agreement)]
            nums = "".join(f'<td class="n">{esc(x)}</td>' for x in cells)
            out.append(f"<tr><td>{esc(t.tag)}</td>{nums}</tr>")
        out.append("</table>")
    out += review_html(report.review)
    out += report.sections
    out.append(f"<h2>Cases ({len(report.results)})</h2>")
    for r in report.results:
        cached = " · cached" if r.cached else ""
        out += [
            f'<div class="case {_case_class(r, report.output)}"><h3>{esc(r.case_id)}</h3>',
            f'<p class="meta">expected {esc(r.expected)} · predicted {esc(prediction(r))}'
            f"{esc(answer_facts(r))}{cached} · rule codes {esc(', '.join(r.rule_codes) or '—')}</p>",
            f"<p>Content</p><pre>{esc(r.content)}</pre>",
        ]
        if r.message:
            out.append(f"<p>Message</p><pre>{esc(r.message)}</pre>")
        out.append(f"<p>Reasoning</p><pre>{esc(r.analysis)}</pre>")
        out.append(f"<p>Answer</p><pre>{esc(r.final)}</pre></div>")
    if report.policy_text:
        out.append(f"<h2>Policy text of this version</h2><pre>{esc(report.policy_text)}</pre>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def render_markdown(report: RunReport) -> str:
    """The report as Markdown: metrics, confusion matrix, then every case."""
    m, run = report.metrics, report.run
    lines = [f"# {md_inline(report_title(report))}", ""]
    lines += [
        f"Model {md_inline(run.model)}, started {_when(run.started)}, status {run.status}, "
        f"{md_inline(settings_text(run.settings))}, test set {md_inline(run.cases_path or '—')}, "
        f"run id {run.id}."
    ]
    lines += ["", "| metric | value |", "|---|---|"]
    lines += [f"| {md_inline(k)} | {v} |" for k, v in _metric_rows(m)]
    cm = m.confusion
    lines += _matrix_md(cm.rows, cm.columns, cm.matrix())
    if m.tiers is not None:
        lines += ["", "## Tier matrix", "", md_inline(m.tiers.summary())]
        tiers = m.tiers.confusion
        lines += _matrix_md(tiers.rows, tiers.columns, tiers.matrix())
    lines += review_markdown(report.review)
    for r in report.results:
        lines += ["", f"## {md_inline(r.case_id)}", ""]
        lines.append(
            f"Expected {md_inline(r.expected)}, predicted {md_inline(prediction(r))}"
            + md_inline(answer_facts(r, sep=", "))
            + (", cached" if r.cached else "")
            + f", {_MD_MARK[judge(r, report.output)]}."
        )
        lines += ["", md_block(r.content), "", "Reasoning:", "", md_block(r.analysis)]
        lines += ["", "Answer:", "", md_block(r.final)]
    if report.policy_text:
        lines += ["", "## Policy text of this version", "", md_block(report.policy_text)]
    return "\n".join(lines) + "\n"


_MD_MARK = {Judgement.RIGHT: "correct", Judgement.WRONG: "wrong", Judgement.UNSCORED: "unscored"}


def _matrix_md(rows: list[str], columns: list[str], counts: list[list[int]]) -> list[str]:
    lines = ["", "| expected \\\\ predicted | " + " | ".join(map(md_inline, columns)) + " |"]
    lines.append("|---" * (len(columns) + 1) + "|")
    for row, line in zip(rows, counts, strict=True):
        lines.append(f"| {md_inline(row)} | " + " | ".join(map(str, line)) + " |")
    return lines


class ReportError(UserError):
    """A report file that cannot be written; str() names the path and the fix."""


def check_report_path(path: Path | str) -> None:
    """Refuse a report path that cannot be a file, before any work is done."""
    if Path(path).is_dir():
        raise ReportError(f"The report path {path} is a folder; give a file name inside it.")


def write_report_text(path: Path | str, text: str) -> None:
    """Write a report atomically; a failure is one sentence (the run stays stored)."""
    check_report_path(path)
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            fix = "the disk is full; free some space and write it again"
        elif isinstance(exc, PermissionError) or exc.errno == errno.EROFS:
            fix = "the folder cannot be written; choose another folder"
        else:
            fix = f"{exc.strerror or exc}; choose another path"
        raise ReportError(f"Cannot write the report {path}: {fix}.") from None


def write_html(path: Path | str, report: RunReport) -> None:
    write_report_text(path, render_html(report))


def write_markdown(path: Path | str, report: RunReport) -> None:
    write_report_text(path, render_markdown(report))
