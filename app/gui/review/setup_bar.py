"""The queue's choices above the Review window: reviewer, sampling, share, gold, blind mode.

Every choice is reachable from the keyboard (Tab between them, arrows in the lists) and
Ctrl+Enter, or Enter on *Start review*, builds the queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from app.gui.shared.widgets import plain_label
from app.runs.review.queue import SAMPLING_NAMES, SAMPLINGS


@dataclass(frozen=True)
class QueueChoice:
    reviewer: str
    sampling: str
    share: float
    gold_share: float
    blind: bool
    seed: int = 0


class SetupBar(QWidget):
    startRequested = Signal()

    def __init__(self, reviewer: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reviewer = QLineEdit(reviewer)
        self.reviewer.setObjectName("reviewerName")
        self.reviewer.setPlaceholderText("your name")
        self.reviewer.setMaximumWidth(160)
        self.sampling = QComboBox()
        self.sampling.setObjectName("reviewSampling")
        for key in SAMPLINGS:
            self.sampling.addItem(SAMPLING_NAMES[key], key)
        self.share = QSpinBox()
        self.share.setObjectName("reviewShare")
        self.share.setRange(1, 100)
        self.share.setValue(100)
        self.share.setSuffix(" %")
        self.gold = QSpinBox()
        self.gold.setObjectName("reviewGold")
        self.gold.setRange(0, 50)
        self.gold.setSuffix(" % gold")
        self.gold.setToolTip("Cases with known labels mixed in unmarked, to measure you")
        self.blind = QCheckBox("&Blind")
        self.blind.setToolTip("Hide the model's answer until you have chosen")
        self.start = QPushButton("&Start review")
        self.start.setDefault(True)
        self.start.clicked.connect(self.startRequested)
        self.reviewer.returnPressed.connect(self.startRequested)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.startRequested.emit)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for label, widget in (("Reviewer", self.reviewer), ("Queue", self.sampling),
                              ("Share", self.share), ("", self.gold)):  # fmt: skip
            if label:
                layout.addWidget(plain_label(label))
            layout.addWidget(widget)
        layout.addWidget(self.blind)
        layout.addStretch(1)
        layout.addWidget(self.start)

    def choice(self) -> QueueChoice:
        return QueueChoice(
            self.reviewer.text(), self.sampling.currentData(), self.share.value() / 100,
            self.gold.value() / 100, self.blind.isChecked(),
        )  # fmt: skip
