"""The start page of an empty window: what to do in the first minutes.

Shown instead of the editor and the cases while no policy is open (first launch, nothing
to reopen). It offers the four ways in: open a starter policy (one button per template,
with its test set), open a policy file, get the model (the Models dialog) and connect to a
server (Settings ▸ Backend), plus a blank policy. ``show_start_page`` swaps it in and out of
the window's central ``QStackedWidget``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.gui.policy.templates import list_templates
from app.gui.shared.widgets import plain_label


class StartPage(QWidget):
    """Buttons for the first steps; each emits what the window should do."""

    templateChosen = Signal(Path)
    openRequested = Signal()
    blankRequested = Signal()
    modelsRequested = Signal()
    serverRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("startPage")
        title = plain_label("Safeguard Studio", "startTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        intro = plain_label(
            "Write a content policy beside test cases and see how the gpt-oss-safeguard "
            "model labels them, on this computer. Start from a starter policy or your own "
            "file; the model runs locally (or on a server you point at)."
        )
        intro.setWordWrap(True)

        policies = QGroupBox("1. A policy to work on")
        grid = QGridLayout(policies)
        self.template_buttons: list[QPushButton] = []
        for number, template in enumerate(list_templates()):
            button = QPushButton(f"Starter: {template.name}")
            button.setToolTip(f"Open a copy of {template.path.parent.name} with its test cases")
            button.clicked.connect(lambda _=False, p=template.path: self.templateChosen.emit(p))
            grid.addWidget(button, number // 2, number % 2)
            self.template_buttons.append(button)
        row = (len(self.template_buttons) + 1) // 2
        self.open_button = self._button("Open a policy file…", self.openRequested)
        self.blank_button = self._button("Start a blank policy", self.blankRequested)
        grid.addWidget(self.open_button, row, 0)
        grid.addWidget(self.blank_button, row, 1)

        engine = QGroupBox("2. A model to run it")
        engine_layout = QVBoxLayout(engine)
        self.models_button = self._button(
            "Get the model or choose a .gguf file…", self.modelsRequested
        )
        self.server_button = self._button(
            "Connect to a server (llama-server, vLLM, Ollama)…", self.serverRequested
        )
        engine_layout.addWidget(self.models_button)
        engine_layout.addWidget(self.server_button)

        box = QWidget()
        box.setMaximumWidth(720)
        column = QVBoxLayout(box)
        column.addWidget(title)
        column.addWidget(intro)
        column.addSpacing(8)
        column.addWidget(policies)
        column.addWidget(engine)
        column.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(box, 1, Qt.AlignmentFlag.AlignHCenter)

    def _button(self, text: str, signal) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(lambda _=False: signal.emit())
        return button


def show_start_page(
    stack: QStackedWidget, path: Path | None, text: str, workbench_actions=()
) -> None:
    """In ``stack`` (the start page first, the workbench second), the start page while no
    policy is open (no file, nothing typed), else the workbench. ``workbench_actions`` work
    only on the workbench (find in the policy ...): disabled while the start page shows, so
    their keys never put the keyboard in a field nobody can see."""
    shown = path is None and not text.strip()
    stack.setCurrentIndex(0 if shown else 1)
    for action in workbench_actions:
        action.setEnabled(not shown)
