"""Where the workbench's panels sit: the policy on the left; the cases above "Result |
Metrics | …" on the right; the start page in their place while no policy is open.

:class:`WorkbenchLayout` builds the panels and the splitters between them, and names every
splitter whose position persists with its default sizes. The window puts ``central`` in the
middle and wires the panels; the features add their tabs to ``right_tabs``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QStackedWidget, QTabWidget

from app.gui.cases.panel import CasePanel
from app.gui.evaluation.metrics_panel import MetricsPanel
from app.gui.policy.panel import PolicyPanel
from app.gui.policy.start_page import StartPage
from app.gui.running.result_view import ResultView
from app.gui.shared.widgets import scrolling


class WorkbenchLayout:
    """The panels of one window and the splitters that hold them."""

    def __init__(self) -> None:
        self.policy_panel = PolicyPanel()
        self.case_panel = CasePanel()
        self.result_view = ResultView()
        self.metrics_panel = MetricsPanel()
        self.right_tabs = QTabWidget()
        self.right_tabs.setObjectName("rightTabs")
        self.right_tabs.setDocumentMode(True)
        self.right_tabs.addTab(self.result_view, "Result")
        self.right_tabs.addTab(scrolling(self.metrics_panel), "Metrics")
        self.right_splitter = _splitter(Qt.Orientation.Vertical, "rightSplitter")
        self.right_splitter.addWidget(self.case_panel)
        self.right_splitter.addWidget(self.right_tabs)
        self.right_splitter.setStretchFactor(0, 5)
        self.right_splitter.setStretchFactor(1, 4)
        self.main_splitter = _splitter(Qt.Orientation.Horizontal, "mainSplitter")
        self.main_splitter.addWidget(self.policy_panel)
        self.main_splitter.addWidget(self.right_splitter)
        self.main_splitter.setStretchFactor(0, 1)
        self.main_splitter.setStretchFactor(1, 1)
        self.main_splitter.setContentsMargins(6, 4, 6, 0)
        self.start_page = StartPage()  # instead of the workbench while no policy is open
        self.central = QStackedWidget()
        self.central.addWidget(self.start_page)
        self.central.addWidget(self.main_splitter)

    def splitters(self) -> dict[QSplitter, list[int] | None]:
        """Every splitter whose position persists, with its default sizes (None: the
        policy panel's splitters keep the sizes the panel gave them)."""
        own = {
            self.main_splitter: [560, 720],
            self.right_splitter: [420, 340],
            self.case_panel.splitter: [260, 160],
        }
        return own | dict.fromkeys(self.policy_panel.splitters())


def _splitter(orientation: Qt.Orientation, name: str) -> QSplitter:
    splitter = QSplitter(orientation)
    splitter.setObjectName(name)
    splitter.setChildrenCollapsible(False)
    return splitter
