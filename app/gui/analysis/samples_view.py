"""The k answers of one case after *Run ×k*, and the reasoning of each sample.

``SamplesView`` lists the samples (seed and answer; the majority's rows marked) and shows the
selected sample's reasoning and final answer as plain text. It asks the
:class:`AnalysisController` for the samples of a case and shows them when they arrive.
"""

from __future__ import annotations

from PySide6.QtWidgets import QListWidget, QPlainTextEdit, QSplitter, QVBoxLayout, QWidget

from app.core.records import StoredResult
from app.gui.analysis.controller import AnalysisController
from app.gui.shared.widgets import plain_label
from app.scoring.outcome import answer_text
from app.scoring.stability import case_stability

SAMPLE_ROWS = 5


class SamplesView(QWidget):
    """A case's k sample answers; select one to read its reasoning."""

    def __init__(self, controller: AnalysisController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.case_id = ""
        self.samples: list[StoredResult] = []
        self.summary = plain_label("Run ×k to see each case's k answers.", "samplesSummary")
        self.summary.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("samplesList")
        # five samples in view: the Triage tab scrolls to them rather than squeezing them
        self.list.setMinimumHeight(SAMPLE_ROWS * (self.list.fontMetrics().height() + 4) + 8)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setObjectName("sampleReasoning")
        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(self.text)
        split.setSizes([220, 600])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        self.list.currentRowChanged.connect(self._show_sample)
        controller.samplesReady.connect(self.show_samples)

    def select_case(self, case_id: str) -> None:
        self.case_id = case_id
        analysis = self.controller.analysis
        if analysis is None or case_id not in analysis.stability:
            self.show_samples(case_id, [])
            return
        self.controller.request_samples(case_id)

    def show_samples(self, case_id: str, samples: list[StoredResult]) -> None:
        if case_id != self.case_id:
            return
        self.samples = list(samples)
        self.list.clear()
        self.text.clear()
        if not samples:
            self.summary.setText("One sample of this case; Run ×k shows how stable its label is.")
            return
        stability = case_stability(case_id, [answer_text(r) for r in samples])
        state = "unstable" if stability.unstable else "stable"
        self.summary.setText(
            f"{len(samples)} samples: {stability.votes}; majority {stability.majority}, "
            f"agreement {stability.agreement:.0%} ({state})."
        )
        seed = (
            self.controller.analysis.run.settings.get("seed", 0) if self.controller.analysis else 0
        )
        for index, result in enumerate(samples):
            mark = "●" if answer_text(result) == stability.majority else "○"
            self.list.addItem(
                f"{mark} sample {index + 1} (seed {seed + index}): {answer_text(result)}"
            )
        self.list.setCurrentRow(0)

    def _show_sample(self, row: int) -> None:
        if 0 <= row < len(self.samples):
            result = self.samples[row]
            self.text.setPlainText(f"Reasoning:\n{result.analysis}\n\nAnswer:\n{result.final}")
