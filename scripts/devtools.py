"""Helpers for the screenshot script and the GUI benchmarks (not used by the app itself).

They keep Qt calls inside ``app.gui``: pumping the event loop until a condition holds,
saving a window to PNG, switching the theme, and measuring event-loop stalls with a fast
timer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEventLoop, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from app.gui.shared.theme import apply_theme


def pump(seconds: float = 0.05) -> None:
    """Process events for a while (lets timers, queued signals and layouts run)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
        time.sleep(0.002)


def wait_until(predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
    """Process events until predicate() is true; False on timeout."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
        if predicate():
            return True
        time.sleep(0.002)
    return predicate()


def run_until(signal, timeout_s: float) -> bool:
    """Run a real (nested) event loop until signal fires; False on timeout."""
    loop = QEventLoop()
    fired: list[bool] = []
    signal.connect(loop.quit)
    signal.connect(lambda *_: fired.append(True))
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    return bool(fired)


def save_png(widget: QWidget, path: Path) -> Path:
    """Render a widget (with its children) to a PNG file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pump(0.1)
    if not widget.grab().save(str(path), "PNG"):
        raise OSError(f"could not write {path}")
    return path


def set_theme(theme: str) -> None:
    app = QApplication.instance()
    if app is not None:
        apply_theme(app, theme)  # type: ignore[arg-type]
        pump(0.05)


class StallMeter(QObject):
    """Measures the longest gap between ticks of a fast timer on the GUI thread.

    A timer asked to fire every ``interval_ms`` that fires late means the event loop was
    busy; the longest gap minus the interval is the worst stall the user would feel.
    """

    def __init__(self, interval_ms: int = 5) -> None:
        super().__init__()
        self.interval_ms = interval_ms
        self.gaps: list[float] = []
        self._clock = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.gaps.clear()
        self._clock.start()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        self.gaps.append(self._clock.nsecsElapsed() / 1e6)
        self._clock.restart()

    @property
    def longest_ms(self) -> float:
        return max(self.gaps, default=0.0)

    def percentile_ms(self, fraction: float) -> float:
        if not self.gaps:
            return 0.0
        ordered = sorted(self.gaps)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]
