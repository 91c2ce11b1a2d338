"""The *Review* section of a run report: how people who checked the model's answers agree
with it, and with each other (:mod:`app.scoring.review_agreement`).

Short by design: how many answers were reviewed and corrected; reviewer vs model accuracy
and Cohen's κ with their 95% intervals; where the model and reviewers disagree most (a rule,
else a label); between reviewers, when two or more labelled the same cases, κ, Krippendorff's
α and Gwet's AC1; each reviewer's accuracy on gold items. Reviewer names, labels and rule
codes are people's text: in HTML every value is escaped (quotes too), in Markdown it goes
through the report's Markdown escaping (:mod:`app.reports.markup`).
"""

from __future__ import annotations

from app.reports.markup import esc, md_inline
from app.scoring.review_agreement import Figure, ReviewAgreement

BETWEEN_NAMES = {
    "agreement": "percent agreement", "kappa": "Cohen's κ (first two reviewers)",
    "alpha": "Krippendorff's α (nominal)", "alpha_ordinal": "Krippendorff's α (ordinal, tiers)",
    "ac1": "Gwet's AC1",
}  # fmt: skip


def review_rows(agreement: ReviewAgreement) -> list[tuple[str, str]]:
    """The section as (figure, value) rows, in the order both formats show them."""
    rows = [
        ("reviewed", str(agreement.reviewed)),
        ("corrected", str(agreement.corrected)),
        ("reviewer vs model: accuracy", _figure(agreement.accuracy)),
        ("reviewer vs model: Cohen's κ", _figure(agreement.kappa)),
    ]
    worst = agreement.worst()
    if worst is not None:
        kind = "rule" if worst in agreement.per_rule else "model label"
        rows.append(
            (f"disagree most on {kind} {worst.key}", f"{worst.agreed} of {worst.n} accepted")
        )
    rows += [
        (f"between reviewers: {BETWEEN_NAMES.get(name, name)}", _figure(fig))
        for name, fig in agreement.between.items()
    ]
    rows += [(f"gold items: {who}", _figure(fig)) for who, fig in agreement.gold.items()]
    return rows


def _figure(figure: Figure) -> str:
    return f"{figure.text()} (n = {figure.n})" if figure.value is not None else "n/a"


def review_html(agreement: ReviewAgreement | None) -> list[str]:
    """The HTML section (escaped), or nothing when the run has no reviews."""
    if agreement is None:
        return []
    who = ", ".join(agreement.reviewers) or "—"
    out = ["<h2>Review</h2>", f"<p>Reviewed by {esc(who)}; intervals are 95% (bootstrap).</p>"]
    out.append("<table><tr><th>figure</th><th>value</th></tr>")
    out += [
        f'<tr><td>{esc(k)}</td><td class="n">{esc(v)}</td></tr>' for k, v in review_rows(agreement)
    ]
    return out + ["</table>"]


def review_markdown(agreement: ReviewAgreement | None) -> list[str]:
    """The Markdown section (values escaped for a Markdown line), or nothing without reviews."""
    if agreement is None:
        return []
    who = ", ".join(agreement.reviewers) or "—"
    lines = ["", "## Review", "", f"Reviewed by {md_inline(who)}; intervals are 95% (bootstrap)."]
    lines += ["", "| figure | value |", "|---|---|"]
    return lines + [f"| {md_inline(k)} | {md_inline(v)} |" for k, v in review_rows(agreement)]
