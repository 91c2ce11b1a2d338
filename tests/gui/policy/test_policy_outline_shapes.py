"""The outline and rule links on the published shapes (pytest-qt, offscreen): emoji tier
lines are sections with their rule codes under them, plain ``LS0.a …`` lines are rules, a
rule link jumps to a plain line, and the heat map's strips reach tier and rule entries."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from app.core.policy import parse_policy  # noqa: E402
from app.core.records import StoredResult  # noqa: E402
from app.gui.policy.outline import CODE_ROLE, outline_entries  # noqa: E402
from app.gui.policy.panel import PolicyPanel  # noqa: E402
from app.scoring.rule_heat import rule_heat  # noqa: E402

SAMPLES = Path(__file__).parents[2] / "support" / "policies"
SCAMS = (SAMPLES / "listing_scams.txt").read_text(encoding="utf-8")


@pytest.fixture
def panel(qtbot) -> PolicyPanel:
    widget = PolicyPanel()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_plain_text_outline_has_tier_sections_with_their_rules() -> None:
    entries = [(e.kind, e.title) for e in outline_entries(SCAMS)]
    assert entries[:4] == [
        ("heading", "DEFINITIONS"),
        ("heading", "✅ Allowed Content (LS0 – Honest listings or very weak signals of a scam)"),
        ("rule", "LS0  Allowed Content – Honest listings or very weak signals of a scam"),
        ("rule", "LS0.a  Plain sale – “Selling my old bike, collection in town.”"),
    ]
    headings = [title for kind, title in entries if kind == "heading"]
    assert headings[-3:] == [
        "🚨 Fraud (LS4 – Highest severity)",
        "LABEL FORMAT",
        "AMBIGUITY & ESCALATION",
    ]
    rules = [title.split()[0] for kind, title in entries if kind == "rule"]
    assert rules == [
        "LS0", "LS0.a", "LS0.b", "LS0.c", "LS0.d", "LS2", "LS2.a", "LS2.b",
        "LS3", "LS3.a", "LS3.b", "LS4", "LS4.a", "LS4.b",
    ]  # fmt: skip


def test_outline_tree_links_and_heat_on_the_published_shape(panel: PolicyPanel) -> None:
    panel.set_text(SCAMS)
    tree = panel.outline
    tops = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert tops[1].startswith("✅ Allowed Content (LS0")
    fraud = tree.topLevelItem(4)
    children = [fraud.child(i).data(0, CODE_ROLE) for i in range(fraud.childCount())]
    assert children == ["LS4", "LS4.a", "LS4.b"]
    assert panel.jump_to_rule("LS2.a")
    assert (
        panel.editor.textCursor().blockNumber() + 1
        == SCAMS.splitlines().index(
            "LS2.a Pay elsewhere – “Message me, I only take bank transfer.”"
        )
        + 1
    )
    policy = parse_policy(SCAMS)
    wrong = StoredResult("r", "c1", "k", "ok", "LS0", "INVALID", rule_codes=["LS2", "LS2.a"])
    heats = rule_heat(policy, [wrong])
    cited = {h.code for h in heats if h.case_ids}
    assert cited == {"LS2", "LS2.a"}
    tree.set_rule_heat(heats, 1, {})
    items = {item.data(0, CODE_ROLE): item for item in tree.findItems("LS", _recursive())}
    assert "Cited in 1 answers" in items["LS2.a"].toolTip(0)
    assert "Cited in 1 answers" in items["LS2"].toolTip(0)  # a tier is a rule of the heat map
    assert "Cited in 0 answers" in items["LS4"].toolTip(0)


def _recursive():
    from PySide6.QtCore import Qt

    return Qt.MatchFlag.MatchStartsWith | Qt.MatchFlag.MatchRecursive
