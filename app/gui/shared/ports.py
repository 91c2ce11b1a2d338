"""The seams between the window's features: what one feature may call on another's parts.

A feature's context (``AnalysisContext``, ``EvaluationContext``, ``RobustnessContext``,
``ReviewContext``) holds these small protocols instead of another feature's widgets, so a
feature calls one method on a port and never reaches into a panel's model or proxy. Each
port names only the methods its users call; the concrete parts (the case panel, the policy
panel, its outline, the engine controller, the run coordinator) satisfy them structurally,
without importing this module (``tests/gui/window/test_window_ports.py`` checks that they do).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

from PySide6.QtCore import SignalInstance
from PySide6.QtGui import QUndoStack

from app.core.cases import TestCase
from app.core.policy import Policy
from app.core.run_types import ClassifyResult
from app.runs.backends.config import BackendConfig
from app.runs.pipeline.service import RunService
from app.scoring.rule_heat import RuleHeat
from app.scoring.stability import CaseStability

# (case id, policy text, content, result, stale): one stored result for the case table
ResultRow = tuple[str, str, str, ClassifyResult, bool]


@runtime_checkable
class CaseTable(Protocol):
    """The test set on screen: its cases and which of them the user picked or sees."""

    def cases(self) -> list[TestCase]: ...
    def current_case_id(self) -> str: ...
    def selected_ids(self) -> list[str]: ...
    def visible_case_ids(self) -> list[str]: ...
    def select_case(self, case_id: str) -> bool: ...


@runtime_checkable
class FilteredCases(CaseTable, Protocol):
    """A case table that shows only some cases (a confusion cell, a rule, a triage group)."""

    def filter_cases(self, case_ids: list[str] | None) -> None: ...
    def describe_case_filter(self, note: str) -> None: ...
    def clear_case_filter(self) -> None: ...


@runtime_checkable
class LabelledCases(CaseTable, Protocol):
    """A case table whose expected labels another feature reads and changes."""

    @property
    def undo_stack(self) -> QUndoStack: ...  # the test set's edits: Edit ▸ Undo

    def expected_label(self, case_id: str) -> str: ...
    def set_expected(self, case_id: str, label: str) -> None: ...


@runtime_checkable
class AnalysedCases(FilteredCases, LabelledCases, Protocol):
    """What the analysis views use: the stability and triage columns, gold, filters."""

    @property
    def currentCaseChanged(self) -> SignalInstance: ...  # noqa: N802 (a Qt signal)

    def show_analysis(
        self, stability: dict[str, CaseStability], triage: dict[str, str], failed: set[str]
    ) -> None: ...


@runtime_checkable
class StoredCases(FilteredCases, Protocol):
    """What the evaluation views use: stored results shown in the table."""

    def has_result(self, case_id: str) -> bool: ...
    def set_results(self, items: list[ResultRow]) -> int: ...


@runtime_checkable
class VariantCases(CaseTable, Protocol):
    """What the robustness view uses: new cases added as one undoable step."""

    def expected_label(self, case_id: str) -> str: ...
    def add_cases(
        self, cases: list[TestCase], row: int | None = None, text: str = ""
    ) -> list[str]: ...


@runtime_checkable
class ReviewedCases(Protocol):
    """What Review mode changes in the window's copy of the test set."""

    def set_expected(self, case_id: str, label: str) -> None: ...
    def keep_cases(self, case_ids: list[str]) -> None: ...


@runtime_checkable
class PolicyView(Protocol):
    """The policy text in the editor."""

    def text(self) -> str: ...
    def replace_text(self, text: str) -> None: ...  # one undoable edit
    def parsed_policy(self, path: Path | None = None) -> Policy: ...  # its kept format; no disk


@runtime_checkable
class RuleOutline(Protocol):
    """The policy's outline: heat strips per rule, and a rule clicked."""

    @property
    def ruleClicked(self) -> SignalInstance: ...  # noqa: N802 (a Qt signal)

    def set_rule_heat(
        self, heats: list[RuleHeat], cases: int, notes: dict[str, list[str]]
    ) -> None: ...


# an engine task: (engine, model fingerprint, template hash, cancel event) -> its result
EngineTask = Callable[..., object]


@runtime_checkable
class EngineTasks(Protocol):
    """The window's one engine, for jobs that are not test-set runs."""

    @property
    def taskEnded(self) -> SignalInstance: ...  # noqa: N802 (result, or None and a message)

    def start_task(self, backend: BackendConfig, task: EngineTask, renderer: str = ...) -> bool: ...


@runtime_checkable
class EngineJobs(EngineTasks, Protocol):
    """The one engine for a job that runs through the run service (robustness)."""

    @property
    def service(self) -> RunService: ...

    def is_busy(self) -> bool: ...
    def cancel(self) -> None: ...


@runtime_checkable
class RunStarter(Protocol):
    """Starts a test-set run the way the Run menu does."""

    def run_suite(self, kind: str, samples: int = 1) -> bool: ...
