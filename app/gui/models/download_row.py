"""The download progress row of the models dialog: bar, amount, speed, ETA and Cancel.

A plain widget: the dialog calls ``start``, ``show_progress`` and ``finish`` from the
controller's signals, and listens to ``cancelRequested``. Sizes are decimal (GB), like
download pages.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from app.library.modelfile import format_bytes


def format_duration(seconds: float) -> str:
    """'5s', '4m 05s', '1h 02m'; '--' when unknown (negative)."""
    if seconds < 0:
        return "--"
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds}s"


def progress_text(done: int, total: int | None, speed: float, eta: float, checking: bool) -> str:
    """'6.3 GB of 15.8 GB · 38.4 MB/s · ETA 4m 09s' ('checking …' while verifying)."""
    amount = f"{format_bytes(done)} of {format_bytes(total)}" if total else format_bytes(done)
    if checking:
        amount = f"checking {amount}"
    return f"{amount} · {format_bytes(speed)}/s · ETA {format_duration(eta)}"


class DownloadRow(QWidget):
    """Hidden until ``start``; emits ``cancelRequested`` when Cancel is pressed."""

    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.label = QLabel()
        self.label.setObjectName("progressLabel")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.cancel_button = QPushButton("Cancel download")
        self.cancel_button.setToolTip("Pause the download; the part already here is kept")
        self.cancel_button.clicked.connect(self.cancelRequested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.label)
        layout.addWidget(self.cancel_button)
        self.setVisible(False)

    def start(self) -> None:
        self.bar.setRange(0, 0)  # busy until the first report
        self.label.setText("Connecting…")
        self.cancel_button.setEnabled(True)
        self.setVisible(True)

    def show_progress(
        self, done: int, total: int | None, speed: float, eta: float, checking: bool = False
    ) -> None:
        if total:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * min(done / total, 1.0)))
            self.bar.setFormat(f"{done / total:.1%}")
        self.label.setText(progress_text(done, total, speed, eta, checking))

    def finish(self) -> None:
        self.setVisible(False)
