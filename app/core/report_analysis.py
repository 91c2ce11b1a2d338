"""The analysis sections of a run report: stability, rule heat map, triage, comparison,
robustness.

:func:`analysis_sections` renders them as HTML blocks that :mod:`app.core.report` puts
before the cases; :func:`comparison_markdown` is ``compare --markdown``. The comparison is
with the run before this one over the same test set, when there is one; the robustness
section is that of the newest robustness run measured against this run (its families,
the family × rule grid, the worst examples), when there is one. Every piece of
content and model output is escaped as in the rest of the report.
"""

from __future__ import annotations

from app.core.markup import esc, md_block, md_inline
from app.core.policy import Policy
from app.core.records import RunRecord, StoredResult
from app.core.robustness.render import html_section
from app.runs.history import output_of
from app.runs.robustness_stored import linked_report
from app.runs.run_facts import previous_suite_run
from app.runs.triage_book import KIND_NAMES, summary_line, triage_entries
from app.scoring.flips import outcome, prediction
from app.scoring.metrics import format_ratio
from app.scoring.outcome import is_wrong
from app.scoring.rule_heat import ranked, rule_heat
from app.scoring.run_compare import RunComparison, compare_runs
from app.scoring.stability import stabilities, summarize
from app.store import Store


def _table(header: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def stability_section(store: Store, run: RunRecord, policy: Policy, results) -> str:
    links = store.sample_runs(run.id)
    if not links:
        return ""
    table = stabilities([store.results(sample_run) for _, _, sample_run in links])
    summary = summarize(table, [outcome(r) for r in results], policy.output)
    share = format_ratio(summary.share_unstable)
    out = [
        f"<h2>Label stability (k = {len(links)})</h2>",
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


def triage_section(
    store: Store, run: RunRecord, policy: Policy, results: list[StoredResult]
) -> str:
    failures = [r.case_id for r in results if is_wrong(r, policy.output)]
    if not failures:
        return ""
    entries = triage_entries(store, run.cases_path, run.policy_hash)
    filed = [entries[cid] for cid in failures if cid in entries]
    out = ["<h2>Triage</h2>", f"<p>{esc(summary_line(len(failures), filed).capitalize())}.</p>"]
    if filed:
        rows = [
            [e.case_id, KIND_NAMES[e.kind], e.rule_code, e.note,
             f"{e.old_label} → {e.new_label}" if e.kind == "gold" else ""]
            for e in filed
        ]  # fmt: skip
        out.append(_table(["case", "filed as", "rule", "note", "gold label"], rows))
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


def analysis_sections(
    store: Store, run: RunRecord, policy: Policy, results: list[StoredResult]
) -> list[str]:
    """The HTML sections for one run's report, empty ones left out."""
    sections = [
        stability_section(store, run, policy, results),
        heat_section(policy, results),
        triage_section(store, run, policy, results),
    ]
    robustness = linked_report(store, run)  # the newest robustness run against this one
    if robustness is not None and robustness.families:
        sections.append(html_section(robustness))
    before = previous_suite_run(store, run)
    if before is not None:
        cmp = compare_runs(
            store.results(before.id), results, output_of(store, before.id), policy.output,
            run_a=before.id, run_b=run.id,
        )  # fmt: skip
        if cmp.cases:
            sections.append(comparison_html(cmp))
    return [section for section in sections if section]


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
