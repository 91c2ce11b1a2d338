"""A robustness report as JSON, Markdown, HTML (a whole file, or a section for the run
report) and JUnit XML.

Variant text is untrusted twice over: it is people's text, and families put invisible and
bidi characters in it on purpose. Every piece goes through
:func:`~app.variants.display.visible` (``⟨ZWSP⟩``, ``⟨RLO⟩``...) and then the
escaping of the format (``html.escape``, Markdown escaping, XML's forbidden characters);
in HTML the characters a family changed are wrapped in ``<mark>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from app.reports.formats import xml_text
from app.reports.markup import esc, md_block, md_inline
from app.scoring.metrics import format_ratio
from app.scoring.robustness import WORST, Cell, Example, FamilyStats, RobustnessReport
from app.scoring.stats import wilson
from app.variants.display import marked, visible

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:75em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .6em}
th{background:#f3f3f3;text-align:left}td.n{text-align:right}
pre{white-space:pre-wrap;word-break:break-word;background:#f7f7f7;padding:.5em;margin:.3em 0}
mark{background:#ffd54f}.pair{display:grid;grid-template-columns:1fr 1fr;gap:1em}
"""
DIRECTIONS = {"evasion": "violating → allowed", "false_alarm": "allowed → violating",
              "changed": "label changed", "same": "held"}  # fmt: skip


def _interval(part: int, whole: int) -> str:
    if not whole:
        return "—"
    low, high = wilson(part, whole)
    return f"{part / whole:.3f} [{low:.3f}, {high:.3f}]"


def family_row(f: FamilyStats) -> list[str]:
    """The cells of a family's row: cases, changed, evasion, false alarm, p, hit@k."""
    return [
        f.family, str(f.cases), _interval(f.changed, f.cases), _interval(f.evaded, f.violating),
        _interval(f.false_alarms, f.allowed), f"{f.mcnemar_p:.4f}", format_ratio(f.hit_at_k),
        format_ratio(f.sample_flip_share), f"{f.saw_through}/{f.samples}",
    ]  # fmt: skip


def header(k: int) -> list[str]:
    return ["family", "cases", "attack success [95%]", "evasion [95%]", "false alarm [95%]",
            "McNemar p", f"hit@{k}", "samples flipped", "saw through"]  # fmt: skip


def report_json(report: RobustnessReport, threshold: float | None = None) -> dict:
    """Everything as plain data; ``over_threshold`` names the families that fail."""
    grid = {
        name: {"rules": _grid_json(report.rule_grid.get(name, {})),
               "tiers": _grid_json(report.tier_grid.get(name, {}))}
        for name in (f.family for f in report.families)
    }  # fmt: skip
    return {
        "run_id": report.run_id,
        "clean_run_id": report.clean_run_id,
        "k": report.k,
        "families": {f.family: f.to_dict() for f in report.families},
        "grid": grid,
        "examples": {
            name: [_example_json(e) for e in items[:WORST]]
            for name, items in report.examples.items()
        },  # fmt: skip
        "threshold": threshold,
        "over_threshold": [f.family for f in report.over(threshold)]
        if threshold is not None
        else [],
    }


def _grid_json(cells: dict[str, Cell]) -> dict:
    return {k: {"cases": c.cases, "changed": c.changed, "rate": c.rate, "case_ids": c.case_ids}
            for k, c in cells.items()}  # fmt: skip


def _example_json(e: Example) -> dict:
    return {
        "case_id": e.case_id, "variant_id": e.variant_id, "direction": e.direction,
        "clean_label": e.clean_label, "variant_label": e.variant_label,
        "clean_text": e.clean_text, "variant_text": e.variant_text,
        "variant_shown": visible(e.variant_text), "changed": list(e.changed),
        "saw_through": e.saw_through,
    }  # fmt: skip


def columns(report: RobustnessReport, grid: str = "rule") -> list[str]:
    cells = report.rule_grid if grid == "rule" else report.tier_grid
    return sorted({column for family in cells.values() for column in family})


def cell_text(cell: Cell | None) -> str:
    return "" if cell is None or not cell.cases else f"{cell.changed}/{cell.cases}"


def render_markdown(report: RobustnessReport, title: str) -> str:
    lines = [f"# {md_inline(title)}", "", "| " + " | ".join(header(report.k)) + " |"]
    lines.append("|" + "---|" * len(header(report.k)))
    lines += [
        "| " + " | ".join(md_inline(c) for c in family_row(f)) + " |" for f in report.families
    ]
    rules = columns(report)
    lines += [
        "",
        "## Changed cases per rule",
        "",
        "| family | " + " | ".join(md_inline(r) for r in rules) + " |",
    ]
    lines.append("|" + "---|" * (len(rules) + 1))
    for f in report.families:
        row = [cell_text(report.rule_grid.get(f.family, {}).get(r)) for r in rules]
        lines.append(f"| {md_inline(f.family)} | " + " | ".join(row) + " |")
    lines += ["", "## Worst examples"]
    for name, items in report.examples.items():
        for e in [e for e in items if e.direction != "same"][:WORST]:
            lines += ["", f"### {md_inline(name)}: {md_inline(e.case_id)} "
                      f"({md_inline(e.clean_label)} → {md_inline(e.variant_label)})", ""]  # fmt: skip
            lines += ["Clean:", "", md_block(visible(e.clean_text)), "", "Variant:", ""]
            lines += [md_block(visible(e.variant_text)), "", "Reasoning on the variant:", ""]
            lines.append(md_block(visible(e.variant_reasoning)))
    return "\n".join(lines) + "\n"


def _marked_html(text: str, changed: tuple[int, ...]) -> str:
    return "".join(
        f"<mark>{esc(t)}</mark>" if flag else esc(t) for t, flag in marked(text, changed)
    )


def html_section(report: RobustnessReport) -> str:
    """The robustness section of an HTML report (every text escaped and made visible)."""
    out = ["<section><h2>Robustness</h2><table><tr>"]
    out += [f"<th>{esc(h)}</th>" for h in header(report.k)] + ["</tr>"]
    for f in report.families:
        out.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in family_row(f)) + "</tr>")
    out.append("</table><h3>Changed cases per family and rule</h3><table><tr><th>family</th>")
    rules = columns(report)
    out += [f"<th>{esc(r)}</th>" for r in rules] + ["</tr>"]
    for f in report.families:
        cells = report.rule_grid.get(f.family, {})
        row = "".join(f'<td class="n">{esc(cell_text(cells.get(r)))}</td>' for r in rules)
        out.append(f"<tr><th>{esc(f.family)}</th>{row}</tr>")
    out.append("</table><h3>Worst examples</h3>")
    for name, items in report.examples.items():
        for e in [e for e in items if e.direction != "same"][:WORST]:
            out += [
                f"<h4>{esc(name)}: {esc(e.case_id)} · {esc(DIRECTIONS[e.direction])} · "
                f'saw through: {"yes" if e.saw_through else "no"}</h4><div class="pair">',
                f"<div><p>Clean ({esc(e.clean_label)})</p><pre>{esc(visible(e.clean_text))}</pre>"
                f"<pre>{esc(visible(e.clean_reasoning))}</pre></div>",
                f"<div><p>Variant ({esc(e.variant_label)})</p>"
                f"<pre>{_marked_html(e.variant_text, e.changed)}</pre>"
                f"<pre>{esc(visible(e.variant_reasoning))}</pre></div></div>",
            ]
    return "\n".join(out) + "</section>"


def render_html(report: RobustnessReport, title: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}'
        f"</title><style>{_CSS}</style></head><body><h1>{esc(title)}</h1>\n"
        f"{html_section(report)}\n</body></html>\n"
    )


def render_junit(report: RobustnessReport, threshold: float | None, name: str) -> str:
    """One testcase per family: a failure when its evasion rate is over ``threshold``,
    listing its evaded cases."""
    name = xml_text(name)
    suite = ET.Element("testsuite", name=name, tests=str(len(report.families)))
    failed = 0
    for f in report.families:
        case = ET.SubElement(suite, "testcase", classname=name, name=xml_text(f.family))
        if threshold is not None and (f.evasion_rate or 0.0) > threshold:
            failed += 1
            message = f"evasion {format_ratio(f.evasion_rate)} over {threshold}"
            failure = ET.SubElement(case, "failure", message=xml_text(message))
            evaded = [e for e in report.examples.get(f.family, []) if e.direction == "evasion"]
            failure.text = xml_text("\n".join(
                f"{e.case_id}: {visible(e.variant_text)[:200]}" for e in evaded))  # fmt: skip
    suite.set("failures", str(failed))
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"
