"""The window's parts satisfy the ports its features are handed (app.gui.shared.ports)."""

from __future__ import annotations

from app.core.cases import TestCase
from app.gui.shared.ports import (
    AnalysedCases,
    EngineJobs,
    EngineTasks,
    PolicyView,
    ReviewedCases,
    RuleOutline,
    RunStarter,
    StoredCases,
    VariantCases,
)


def test_the_window_parts_satisfy_the_ports(workbench) -> None:
    win = workbench
    parts = [
        (win.case_panel, (AnalysedCases, StoredCases, VariantCases, ReviewedCases)),
        (win.policy_panel, (PolicyView,)),
        (win.policy_panel.outline, (RuleOutline,)),
        (win.controller, (EngineTasks, EngineJobs)),
        (win.runner, (RunStarter,)),
    ]
    missing = [
        f"{type(part).__name__} is no {port.__name__}"
        for part, ports in parts
        for port in ports
        if not isinstance(part, port)
    ]
    assert missing == []
    assert not isinstance(win.policy_panel, AnalysedCases)  # the check can tell them apart


def test_the_features_are_handed_the_window_parts(workbench) -> None:
    win = workbench
    ctx = win.analysis.ctx
    assert (ctx.cases, ctx.policy, ctx.runner) == (win.case_panel, win.policy_panel, win.runner)
    assert ctx.tasks is win.tasks is win.evaluation.tasks  # one short-job pool per window
    assert win.evaluation_actions.context.cases is win.case_panel
    assert win.review.ctx.cases is win.case_panel


def test_the_case_table_port_changes_the_test_set(workbench) -> None:
    panel = workbench.case_panel
    panel.set_cases([TestCase("a", "one", "0"), TestCase("b", "two", "1")])
    panel.set_expected("a", "1")
    assert (panel.expected_label("a"), panel.expected_label("missing")) == ("1", "")
    panel.filter_cases(["b"])
    assert panel.visible_case_ids() == ["b"]
    panel.keep_cases(["a"])
    assert [case.id for case in panel.cases()] == ["a"] and panel.is_modified()


def test_replacing_the_policy_text_is_one_undo_step(workbench) -> None:
    policy = workbench.policy_panel
    before = policy.text()
    policy.replace_text(before + "\nA new line.\n")
    assert policy.text().endswith("A new line.\n")
    policy.editor.undo()
    assert policy.text() == before
