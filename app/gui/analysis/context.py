"""What the analysis views need from the window, handed over once (no look-ups later).

:class:`AnalysisContext` names each collaborator the analysis views call: the store, the
settings, the window's task pool and engine controller, the run coordinator, the case panel,
the policy outline and text, the tabs and the Metrics splitter to put views in, the menu bar,
the signal that a run's metrics are loaded, and a few callables. ``app.gui.app`` builds it
from the window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSettings, SignalInstance
from PySide6.QtWidgets import QMenuBar, QSplitter, QTabWidget, QWidget

from app.gui.shared.tasks import TaskRunner
from app.store import Store


@dataclass(frozen=True)
class AnalysisContext:
    parent: QWidget  # the window: parent of dialogs and actions
    store: Store
    settings: QSettings
    tasks: TaskRunner  # the window's short-job pool (stopped by the window's shutdown)
    engine: Any  # the window's one EngineController: start_task / taskEnded
    runner: Any  # the RunCoordinator: run_suite, samples
    case_panel: Any  # CasePanel: model, proxy, selection, focus filter
    outline: Any  # PolicyOutline: set_rule_heat, ruleClicked
    tabs: QTabWidget  # Result | Metrics | …: the analysis tabs join them
    metrics_splitter: QSplitter  # the Metrics tab: the heat map joins it
    menu_bar: QMenuBar
    run_metrics_ready: SignalInstance  # a stored run's metrics are loaded (RunMetrics)
    policy_text: Callable[[], str]
    restore_text: Callable[[str], None]  # replace the policy as one undoable edit
    policy_path: Callable[[], str]
    cases_path: Callable[[], str]
    effort: Callable[[], str]
    show_message: Callable[[str], None]
