"""The status bar: engine state indicator, suite progress with ETA, and a Cancel button.

A message (a fault's sentence that names a path and a fix) is read whole: it sits in a
word-wrapped label left of the indicators, and the bar grows to the lines it needs on a
narrow window instead of cutting the sentence where the indicators begin (QStatusBar paints
its own message on one line, clipped at the first permanent widget).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, Signal, Slot
from PySide6.QtGui import QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QSizePolicy, QStatusBar, QWidget

from app.gui.running.engine_badge import EngineBadge
from app.gui.shared.theme import palette_is_dark
from app.runs.backends.config import BackendConfig
from app.runs.backends.model_checks import stored_check

# state -> (text, colour on a light window, colour on a dark one); the model name follows
ENGINE_STATES = {
    "no_model": ("No model", "#607d8b", "#a7b6bd"),
    "loading": ("Loading model…", "#a15c00", "#ffb74d"),
    "ready": ("Ready", "#2e7d32", "#81c784"),
    "running": ("Running", "#1565c0", "#7fb3ff"),
    "waiting": ("Waiting for the server", "#a15c00", "#ffb74d"),  # detail: "40 s"
    "check_failed": ("Self-check failed", "#c62828", "#ff8a80"),
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


def check_problem(config: BackendConfig) -> str:
    """Why the active local model failed its stored self-check; '' when it passed, was
    never checked, or a server runs the model."""
    if config.kind != "local" or not config.engine.model_path:
        return ""
    checked = stored_check(config.engine.model_path)
    return "" if checked is None or checked.report.ok else checked.report.message


class EngineIndicator(QLabel):
    """The "● No model" / "● Ready · tiny.gguf" label; a click opens the Models dialog."""

    clicked = Signal()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()


class MessageLabel(QLabel):
    """The status bar's message, word-wrapped; its height follows the lines the text takes
    at the width the bar gives it (a status bar sizes its items by their one-line hint)."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("statusMessage")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    @Slot(str)
    def show_text(self, text: str) -> None:
        self.setText(text)
        self._fit()

    def _fit(self) -> None:
        """The height of the wrapped text (QLabel.heightForWidth never goes below the
        minimum height set here, so a bar that grew would never shrink back)."""
        if not self.text():
            self.setMinimumHeight(0)
            return
        room = self.contentsRect().adjusted(self.margin(), 0, -self.margin(), 0).width()
        flags = Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft
        text = self.fontMetrics().boundingRect(0, 0, max(1, room), 1 << 20, flags, self.text())
        self.setMinimumHeight(text.height() + 2 * self.margin() + self.frameWidth() * 2)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit()


class RunStatusBar(QStatusBar):
    """Status bar widgets; emits ``cancelRequested`` when Cancel is pressed."""

    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.progress = QProgressBar()
        self.progress.setFixedWidth(180)
        self.progress.setTextVisible(True)
        self.progress.setFormat("%v / %m")
        self.message_label = MessageLabel()
        self.messageChanged.connect(self.message_label.show_text)
        self.eta_label = QLabel()
        self.eta_label.setTextFormat(Qt.TextFormat.PlainText)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the run (Esc)")
        self.cancel_button.clicked.connect(self.cancelRequested)
        self._shown: tuple[str, str] | None = None
        self._check_problem = ""
        self._checked_for: tuple[str, str] | None = None  # (backend kind, model path) read
        self.engine_label = EngineIndicator()
        self.engine_label.setCursor(Qt.CursorShape.PointingHandCursor)
        self.modelsRequested = self.engine_label.clicked
        self.engine_label.setObjectName("engineIndicator")
        self.engine_label.setTextFormat(Qt.TextFormat.PlainText)
        # the message label is the first permanent widget, so QStatusBar's own one-line
        # painting of the message has no room left and only the label shows it
        self.addPermanentWidget(self.message_label, 1)
        for widget in (self.progress, self.eta_label, self.cancel_button):
            self.addPermanentWidget(widget)
        self.addPermanentWidget(self.engine_label)
        self.engine_badge = EngineBadge()  # where the model runs and how fast it ran last
        self.addPermanentWidget(self.engine_badge)
        # the backend now (the window's settings): its model's failed self-check is shown
        self.check_source: Callable[[], BackendConfig] | None = None
        self.set_running(False)
        self.set_engine_state("no_model", "")

    @Slot(str, str)
    def showMessage(self, text: str, timeout: int = 0) -> None:  # noqa: N802 (Qt override)
        """A fault's sentence names a path and a fix: a long one stays longer, and all of
        it shows (wrapped when the bar is too narrow for one line)."""
        super().showMessage(text, max(timeout, 80 * len(text)) if timeout else 0)

    @Slot()
    def refresh_check(self, *_args) -> None:
        """Read the active model's stored self-check again (after a check ran): a failed
        one shows instead of a green Ready, with the reason on hover."""
        self._check_problem = self._read_check(fresh=True)
        if self._shown:
            self._show(*self._shown)

    def _read_check(self, fresh: bool = False) -> str:
        """The active model's stored self-check problem, read from disk (a hash of the
        file's head, the checks file) only when ``fresh`` or the backend or model changed
        since the last read: engine states come many times a run, on the GUI thread."""
        if self.check_source is None:
            return ""
        config = self.check_source()
        key = (config.kind, config.engine.model_path)
        if fresh or key != self._checked_for:
            self._checked_for, self._check_problem = key, check_problem(config)
        return self._check_problem

    def _label_and_tip(self, state: str, detail: str) -> tuple[str, str, str]:
        """The state shown (a failed self-check overrides ready), the label and the tip."""
        if self._check_problem and state in ("ready", "no_model"):
            name = detail if state == "ready" else ""
            tip = (
                f"The model's self-check failed: {self._check_problem} Answers may be wrong "
                "because of the model, not the policy; see Models."
            )
            return "check_failed", "● Self-check failed" + (f" · {name}" if name else ""), tip
        text = ENGINE_STATES.get(state, (state,))[0]
        if state == "no_model" and detail == "no model":  # nothing chosen yet: say only that
            detail = ""
        elif state == "no_model" and detail:
            text = "Model not loaded"
        if state == "error":
            return state, f"● {text}", detail
        if state == "waiting":
            tip = "The server took the case and has sent nothing back yet."
            return state, f"● {text} · {detail}", tip
        tip = detail or "No model yet: get one or choose a .gguf file in Models."
        return state, f"● {text}" + (f" · {detail}" if detail else ""), tip

    def set_engine_state(self, state: str, detail: str) -> None:
        if state == "no_model":  # another backend or model: the last one's speed goes too
            self.engine_badge.clear()
        if state in ("ready", "no_model"):
            self._check_problem = self._read_check()
        self._show(state, detail)

    def _show(self, state: str, detail: str) -> None:
        shown, label, tip = self._label_and_tip(state, detail)
        _text, light, dark = ENGINE_STATES.get(shown, (shown, "#607d8b", "#a7b6bd"))
        colour = dark if palette_is_dark(self.palette()) else light
        self.engine_label.setText(label)
        self.engine_label.setToolTip(f"{tip}\nClick to choose or get a model.".strip())
        self.engine_label.setProperty("state", state)
        self.engine_label.setProperty("shown", shown)
        self.engine_label.setStyleSheet(
            f"QLabel#engineIndicator {{ color: {colour}; font-weight: 600; }}"
        )
        if state == "error" and detail and (state, detail) != self._shown:
            self.showMessage(detail, 15000)
        self._shown = (state, detail)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self._shown:
            self._show(*self._shown)  # pick the colour for the new palette

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
