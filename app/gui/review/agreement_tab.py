"""The *Agreement* tab of the Review window: the figures of the run's reviews, and the two
ways to turn reviewed cases into a test set."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from app.scoring.review_agreement import ReviewAgreement


class AgreementTab(QWidget):
    keepRequested = Signal()
    saveRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.figures = QPlainTextEdit()
        self.figures.setObjectName("reviewFigures")
        self.figures.setReadOnly(True)
        self.figures.setPlainText("No reviews yet.")
        keep = QPushButton("&Keep reviewed only")
        keep.setToolTip("Keep only the reviewed cases in the window's test set (save to keep)")
        keep.clicked.connect(self.keepRequested)
        save = QPushButton("Save reviewed as a &new test set…")
        save.clicked.connect(self.saveRequested)
        buttons = QHBoxLayout()
        buttons.addWidget(keep)
        buttons.addWidget(save)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.figures, 1)
        layout.addLayout(buttons)

    def show_agreement(self, summary: ReviewAgreement) -> None:
        self.figures.setPlainText("\n".join(summary.lines()))

    def text(self) -> str:
        return self.figures.toPlainText()
