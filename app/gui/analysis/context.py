"""What the analysis views need from the window, handed over once (no look-ups later).

:class:`AnalysisContext` names each collaborator the analysis views call: the store, the
settings, the window's task runner, its engine (for suggestions and their checks), the run
starter (Run all ×k), the case table, the policy text and outline, the tabs and the Metrics
splitter to put views in, the Run menu to add to, the signal that a run's metrics are
loaded, and a few callables. The other features' parts come in as the ports of
:mod:`app.gui.shared.ports`. ``MainWindow`` builds it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QSettings, SignalInstance
from PySide6.QtWidgets import QMenu, QSplitter, QTabWidget, QWidget

from app.gui.shared.ports import AnalysedCases, EngineTasks, PolicyView, RuleOutline, RunStarter
from app.gui.shared.tasks import TaskRunner
from app.store import Store


@dataclass(frozen=True)
class AnalysisContext:
    parent: QWidget  # the window: parent of dialogs and actions
    store: Store
    settings: QSettings
    tasks: TaskRunner  # the window's short-job pool (stopped by the window's shutdown)
    engine: EngineTasks  # the window's one engine: suggestions and their checks
    runner: RunStarter  # Run all ×k
    cases: AnalysedCases  # the case table: analysis columns, gold labels, rule filters
    policy: PolicyView  # the policy text; Apply replaces it as one undoable edit
    outline: RuleOutline  # heat strips per rule; a rule clicked filters the cases
    tabs: QTabWidget  # Result | Metrics | …: the analysis tabs join them
    metrics_splitter: QSplitter  # the Metrics tab: the heat map joins it
    run_menu: QMenu  # Run all ×k, Samples per case, Suggest an edit
    run_metrics_ready: SignalInstance  # a stored run's metrics are loaded (RunMetrics)
    policy_path: Callable[[], str]
    cases_path: Callable[[], str]
    effort: Callable[[], str]
    show_message: Callable[[str], None]
