"""The analysis sections of a run report, rendered from data handed in: stability, rule
heat map, triage, comparison.

Each function renders one HTML block that :mod:`app.reports.report` puts before the cases
(:func:`app.runs.stored.report.analysis_sections` gathers what each needs from the store);
:func:`comparison_markdown` is ``compare --markdown``. Every piece of content and model
output is escaped as in the rest of the report.
"""

from __future__ import annotations

from app.core.policy import Policy
from app.core.records import StoredResult
from app.reports.markup import esc, md_block, md_inline
from app.scoring.metrics import format_ratio
from app.scoring.outcome import prediction
from app.scoring.rule_heat import ranked, rule_heat
from app.scoring.run_compare import RunComparison
from app.scoring.stability import CaseStability, StabilitySummary


def _table(header: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def stability_html(k: int, table: dict[str, CaseStability], summary: StabilitySummary) -> str:
    """Label stability over a run's k sample runs: the summary, then the unstable cases."""
    share = format_ratio(summary.share_unstable)
    out = [
        f"<h2>Label stability (k = {k})</h2>",
        f"<p>{summary.unstable} of {summary.cases} cases unstable (share {share}); "
        f"accuracy 95% interval {esc(summary.accuracy_ci.text())}, "
        f"F1 95% interval {esc(summary.f1_ci.text())}.</p>",
    ]
    unstable = [s for s in table.values() if s.unstable]
    if unstable:
        rows = [[s.case_id, s.votes, f"{s.agreement:.0%}"] for s in unstable]
        out.append(_table(["case", "answers", "agreement"], rows))
    return "\n".join(out)


def heat_section(policy: Policy, results: list[StoredResult]) -> str:
    heats = ranked(rule_heat(policy, results))
    if not heats:
        return ""
    rows = [
        [h.code, h.title, h.answer, h.reasoning, format_ratio(h.precision), h.wrong,
         h.false_positives, h.hint(len(results))]
        for h in heats
    ]  # fmt: skip
    header = ["rule", "title", "in answer", "in reasoning", "precision", "on wrong", "FP", "hint"]
    return "<h2>Rule heat map</h2>\n" + _table(header, rows)


def triage_html(summary: str, filed: list[list[object]]) -> str:
    """What was filed about a run's failures: the summary line, then one row per filed case
    (case, filed as, rule, note, gold label)."""
    out = ["<h2>Triage</h2>", f"<p>{esc(summary.capitalize())}.</p>"]
    if filed:
        out.append(_table(["case", "filed as", "rule", "note", "gold label"], filed))
    return "\n".join(out)


def comparison_html(cmp: RunComparison) -> str:
    out = [f"<h2>Compared with run {esc(cmp.run_a)}</h2>", f"<p>{esc(cmp.summary())}</p>"]
    rows = [[a] + [cmp.cell(a, b) for b in cmp.labels] for a in cmp.labels]
    out.append(_table(["earlier \\ this run", *cmp.labels], rows))
    out.append(_table(["", "earlier", "this run", "difference"], cmp.table_rows()))
    for d in cmp.disagreements:
        out.append(
            f'<div class="case"><h3>{esc(d.case_id)}</h3><p class="meta">expected '
            f"{esc(d.expected)} · earlier {esc(prediction(d.a))} · this run "
            f"{esc(prediction(d.b))}</p><table><tr><th>earlier</th><th>this run</th></tr>"
            f"<tr><td><pre>{esc(d.a.analysis)}</pre><pre>{esc(d.a.final)}</pre></td>"
            f"<td><pre>{esc(d.b.analysis)}</pre><pre>{esc(d.b.final)}</pre></td></tr>"
            "</table></div>"
        )
    return "\n".join(out)


def comparison_markdown(cmp: RunComparison) -> str:
    """A comparison as Markdown: summary, matrix, metrics, then each disagreement."""
    lines = [f"# Compare {md_inline(cmp.run_a)} (A) and {md_inline(cmp.run_b)} (B)", ""]
    lines += [md_inline(cmp.summary()), "", "| A \\\\ B | " + " | ".join(
        md_inline(b) for b in cmp.labels) + " |", "|---" * (len(cmp.labels) + 1) + "|"]  # fmt: skip
    for a in cmp.labels:
        lines.append(
            f"| {md_inline(a)} | " + " | ".join(str(cmp.cell(a, b)) for b in cmp.labels) + " |"
        )
    lines += ["", "| metric | A | B | B − A |", "|---|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in cmp.table_rows()]
    for d in cmp.disagreements:
        lines += ["", f"## {md_inline(d.case_id)}", ""]
        lines.append(
            f"Expected {md_inline(d.expected)}; A {md_inline(prediction(d.a))}, "
            f"B {md_inline(prediction(d.b))}."
        )
        for side, result in (("A", d.a), ("B", d.b)):
            lines += ["", f"{side} reasoning and answer:", "", md_block(result.analysis)]
            lines += ["", md_block(result.final)]
    return "\n".join(lines) + "\n"
