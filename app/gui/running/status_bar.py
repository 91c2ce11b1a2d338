"""The status bar: engine state indicator, suite progress with ETA, and a Cancel button."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal, Slot
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar, QWidget

from app.gui.shared.theme import palette_is_dark

# state -> (text, colour on a light window, colour on a dark one); the model name follows
ENGINE_STATES = {
    "no_model": ("No model", "#607d8b", "#a7b6bd"),
    "loading": ("Loading model…", "#a15c00", "#ffb74d"),
    "ready": ("Ready", "#2e7d32", "#81c784"),
    "running": ("Running", "#1565c0", "#7fb3ff"),
    "error": ("Engine error", "#c62828", "#ff8a80"),
}


def format_eta(seconds: float) -> str:
    """'ETA 1:05' style text; '' when unknown."""
    if seconds < 0:
        return ""
    seconds = int(round(seconds))
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"ETA {hours}:{minutes:02d}:{seconds:02d}"
    return f"ETA {minutes}:{seconds:02d}"


class EngineIndicator(QLabel):
    """The "● No model" / "● Ready · tiny.gguf" label; a click opens the Models dialog."""

    clicked = Signal()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()


class RunStatusBar(QStatusBar):
    """Status bar widgets; emits ``cancelRequested`` when Cancel is pressed."""

    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.progress = QProgressBar()
        self.progress.setFixedWidth(180)
        self.progress.setTextVisible(True)
        self.progress.setFormat("%v / %m")
        self.eta_label = QLabel()
        self.eta_label.setTextFormat(Qt.TextFormat.PlainText)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the run (Esc)")
        self.cancel_button.clicked.connect(self.cancelRequested)
        self._shown: tuple[str, str] | None = None
        self.engine_label = EngineIndicator()
        self.engine_label.setCursor(Qt.CursorShape.PointingHandCursor)
        self.modelsRequested = self.engine_label.clicked
        self.engine_label.setObjectName("engineIndicator")
        self.engine_label.setTextFormat(Qt.TextFormat.PlainText)
        for widget in (self.progress, self.eta_label, self.cancel_button):
            self.addPermanentWidget(widget)
        self.addPermanentWidget(self.engine_label)
        self.set_running(False)
        self.set_engine_state("no_model", "")

    @Slot(str, str)
    def showMessage(self, text: str, timeout: int = 0) -> None:  # noqa: N802 (Qt override)
        """A fault's sentence names a path and a fix: a long one stays longer, and all of
        it is the tooltip when the bar is too narrow to show it."""
        super().showMessage(text, max(timeout, 80 * len(text)) if timeout else 0)
        self.setToolTip(text)

    def set_engine_state(self, state: str, detail: str) -> None:
        text, light, dark = ENGINE_STATES.get(state, (state, "#607d8b", "#a7b6bd"))
        colour = dark if palette_is_dark(self.palette()) else light
        if state == "no_model" and detail == "no model":  # nothing chosen yet: say only that
            detail = ""
        elif state == "no_model" and detail:
            text = "Model not loaded"
        if state == "error":
            label = f"● {text}"
            tip = detail
        else:
            label = f"● {text}" + (f" · {detail}" if detail else "")
            tip = detail or "No model yet: get one or choose a .gguf file in Models."
        self.engine_label.setText(label)
        self.engine_label.setToolTip(f"{tip}\nClick to choose or get a model.".strip())
        self.engine_label.setProperty("state", state)
        self.engine_label.setStyleSheet(
            f"QLabel#engineIndicator {{ color: {colour}; font-weight: 600; }}"
        )
        if state == "error" and detail and (state, detail) != self._shown:
            self.showMessage(detail, 15000)
        self._shown = (state, detail)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self._shown:
            self.set_engine_state(*self._shown)  # pick the colour for the new palette

    def engine_state(self) -> str:
        return str(self.engine_label.property("state") or "")

    @Slot(bool)
    def set_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.eta_label.setVisible(running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        if running:
            self.progress.setRange(0, 0)  # busy until the first progress report
            self.eta_label.setText("")

    @Slot(int, int, float)
    def set_progress(self, done: int, total: int, eta: float) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)
        self.eta_label.setText(format_eta(eta) if done < total else "")
