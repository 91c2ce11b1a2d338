"""What the case table answers per role (each role read by one method of the models)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402

from app.core.cases import TestCase  # noqa: E402
from app.core.run_types import ClassifyResult, Timings, TokenCounts  # noqa: E402
from app.core.verdict import Verdict, VerdictStatus  # noqa: E402
from app.gui.cases.analysis_model import FOCUS_ROLE, AnalysedCaseModel, AnalysisColumn  # noqa: E402
from app.gui.cases.model import CaseRole, Column  # noqa: E402
from app.scoring.stability import CaseStability  # noqa: E402

R = Qt.ItemDataRole
POLICY = "# Policy\n"


def _result(case_id: str, verdict: Verdict) -> ClassifyResult:
    return ClassifyResult(case_id, verdict, "why", "1", "return", TokenCounts(), Timings(), "m")


def _model() -> AnalysedCaseModel:
    model = AnalysedCaseModel()
    model.set_cases([
        TestCase("ok", "Buy cheap pills now " * 40, "1", "a note"),
        TestCase("bad", "Hello there", "0"),
        TestCase("none", "Not run yet", "1"),
    ])  # fmt: skip
    model.set_policy_text(POLICY)
    model.set_results([
        ("ok", POLICY, model.case("ok").content, _result("ok", Verdict(VerdictStatus.OK, "1")), False),
        ("bad", POLICY, "Hello there",
         _result("bad", Verdict(VerdictStatus.ERROR, message="The engine stopped.")), False),
    ])  # fmt: skip
    return model


def _data(model, case_id: str, column: int, role: int):
    return model.index(model.row_of(case_id), column).data(role)


def test_the_case_columns_answer_each_role(qapp) -> None:
    model = _model()
    assert _data(model, "ok", Column.AGREEMENT, R.DisplayRole) == "✓"
    assert _data(model, "ok", Column.EXPECTED, CaseRole.SORT) == "1"
    assert _data(model, "ok", Column.STATUS, CaseRole.CASE_ID) == "ok"
    assert _data(model, "ok", Column.STATUS, CaseRole.CASE).notes == "a note"
    assert _data(model, "none", Column.STATUS, CaseRole.ENTRY) is None
    assert "a note" in _data(model, "ok", Column.PREVIEW, CaseRole.FILTER_TEXT)
    assert len(_data(model, "ok", Column.PREVIEW, R.ToolTipRole)) == 600  # the content, cut
    assert _data(model, "bad", Column.STATUS, R.ToolTipRole) == "The engine stopped."
    assert _data(model, "none", Column.STATUS, R.ToolTipRole) is None
    assert _data(model, "ok", Column.AGREEMENT, R.TextAlignmentRole) == int(
        Qt.AlignmentFlag.AlignCenter
    )
    assert _data(model, "ok", Column.STATUS, R.TextAlignmentRole) is None
    assert _data(model, "ok", Column.STATUS, R.FontRole) is None  # fresh: plain
    assert _data(model, "ok", Column.STATUS, R.DecorationRole) is None  # a role not answered

    model.set_policy_text(POLICY + "\nA new rule.\n")  # the result is stale now
    assert _data(model, "ok", Column.STATUS, CaseRole.STALE)
    assert _data(model, "ok", Column.STATUS, R.FontRole).italic()
    assert _data(model, "ok", Column.STATUS, R.ForegroundRole).name() == "#808080"
    assert _data(model, "ok", Column.STATUS, R.ToolTipRole).startswith("Stale:")
    assert _data(model, "ok", Column.PREVIEW, R.FontRole) is None  # the case's own text


def test_the_analysis_columns_answer_each_role(qapp) -> None:
    model = _model()
    unstable = CaseStability("ok", ("1", "0", "1"), "1", 0, 2 / 3, True)
    model.set_analysis({"ok": unstable}, {"bad": "gold"}, {"bad", "ok"})
    stability, triage = AnalysisColumn.STABILITY, AnalysisColumn.TRIAGE
    assert _data(model, "ok", stability, R.DisplayRole) == "unstable 2/3"
    assert _data(model, "bad", triage, R.DisplayRole) == "gold label"
    assert _data(model, "ok", stability, CaseRole.SORT) == 2 / 3
    assert _data(model, "none", stability, CaseRole.SORT) == -1.0
    assert _data(model, "bad", triage, CaseRole.SORT) == "gold"
    assert _data(model, "bad", triage, CaseRole.CASE_ID) == "bad"
    assert _data(model, "ok", stability, R.ToolTipRole) == "3 samples: 1 ×2, 0 ×1"
    assert _data(model, "bad", stability, R.ToolTipRole).startswith("Filed as ")
    assert _data(model, "none", triage, R.ToolTipRole) is None
    assert _data(model, "ok", stability, R.ForegroundRole).name() == "#c0392b"
    assert _data(model, "ok", triage, R.ForegroundRole) is None
    assert _data(model, "bad", stability, R.ForegroundRole) is None
    assert _data(model, "ok", triage, R.TextAlignmentRole) == int(Qt.AlignmentFlag.AlignCenter)
    assert _data(model, "ok", Column.STATUS, FOCUS_ROLE) == "unstable failed untriaged"
    assert _data(model, "bad", triage, FOCUS_ROLE) == "failed gold"
    assert _data(model, "ok", stability, CaseRole.CASE) is None  # not in these columns
