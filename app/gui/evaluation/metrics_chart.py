"""A line chart of accuracy, precision, recall and F1 across a policy's versions (QPainter).

x is the version order (``v1``, ``v2``...; the date and note are the tooltip of each
column), y runs 0..1 with grid lines every 0.25. A metric undefined in a version leaves a
gap in its line. The series colours were picked to read on both the light and the dark
palette; axis text and grid come from the widget's palette. Empty and one-version charts
paint a sentence or a single set of markers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QHelpEvent, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

SERIES = (
    ("accuracy", "Accuracy", QColor("#3b82f6")),
    ("precision", "Precision", QColor("#f59e0b")),
    ("recall", "Recall", QColor("#10b981")),
    ("f1", "F1", QColor("#e0559b")),
)


@dataclass
class ChartPoint:
    """One policy version on the x axis."""

    label: str  # short axis label, e.g. "v3"
    tooltip: str = ""  # time and note
    values: dict[str, float | None] = field(default_factory=dict)


class MetricsChart(QWidget):
    """Paints the metric lines; :meth:`set_points` replaces the data."""

    MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 40, 14, 28, 26

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._points: list[ChartPoint] = []
        self.setMinimumSize(260, 150)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:
        return QSize(420, 200)

    def set_points(self, points: list[ChartPoint]) -> None:
        self._points = list(points)
        self.update()

    def points(self) -> list[ChartPoint]:
        return list(self._points)

    # --- geometry -------------------------------------------------------------------
    def plot_rect(self) -> QRectF:
        return QRectF(self.rect()).adjusted(
            self.MARGIN_LEFT, self.MARGIN_TOP, -self.MARGIN_RIGHT, -self.MARGIN_BOTTOM
        )

    def x_of(self, index: int) -> float:
        plot = self.plot_rect()
        if len(self._points) <= 1:
            return plot.center().x()
        step = plot.width() / (len(self._points) - 1)
        return plot.left() + index * step

    def y_of(self, value: float) -> float:
        plot = self.plot_rect()
        return plot.bottom() - max(0.0, min(1.0, value)) * plot.height()

    def index_at(self, x: float) -> int:
        """The version nearest to x, or -1 without versions."""
        if not self._points:
            return -1
        return min(range(len(self._points)), key=lambda i: abs(self.x_of(i) - x))

    # --- painting -------------------------------------------------------------------
    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        grid = QColor(text)
        grid.setAlpha(45)
        plot = self.plot_rect()
        metrics = QFontMetrics(self.font())
        painter.setPen(QPen(grid, 1))
        for step in range(5):
            y = self.y_of(step / 4)
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.setPen(text)
        for step in range(5):
            y = self.y_of(step / 4)
            label = f"{step / 4:.2f}"
            painter.drawText(
                QRectF(0, y - metrics.height() / 2, self.MARGIN_LEFT - 6, metrics.height()),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
        self._paint_legend(painter, metrics, text)
        if not self._points:
            painter.drawText(
                plot, Qt.AlignmentFlag.AlignCenter, "No runs yet: run the test set to chart it."
            )
            painter.end()
            return
        self._paint_x_labels(painter, metrics, text)
        for key, _name, colour in SERIES:
            self._paint_series(painter, key, colour)
        painter.end()

    def _paint_legend(self, painter: QPainter, metrics: QFontMetrics, text: QColor) -> None:
        x = float(self.MARGIN_LEFT)
        y = (self.MARGIN_TOP - metrics.height()) / 2
        for _key, name, colour in SERIES:
            painter.setPen(QPen(colour, 3))
            mid = y + metrics.height() / 2
            painter.drawLine(QPointF(x, mid), QPointF(x + 16, mid))
            painter.setPen(text)
            painter.drawText(QPointF(x + 20, y + metrics.ascent()), name)
            x += 20 + metrics.horizontalAdvance(name) + 16

    def _paint_x_labels(self, painter: QPainter, metrics: QFontMetrics, text: QColor) -> None:
        plot = self.plot_rect()
        every = max(1, int(len(self._points) * 40 / max(1.0, plot.width())) + 1)
        painter.setPen(text)
        for index, point in enumerate(self._points):
            if index % every and index != len(self._points) - 1:
                continue
            width = metrics.horizontalAdvance(point.label)
            x = min(max(self.x_of(index) - width / 2, 0.0), self.width() - width - 1.0)
            painter.drawText(QPointF(x, plot.bottom() + 6 + metrics.ascent()), point.label)

    def _paint_series(self, painter: QPainter, key: str, colour: QColor) -> None:
        path, drawing, dots = QPainterPath(), False, []
        for index, point in enumerate(self._points):
            value = point.values.get(key)
            if value is None:
                drawing = False
                continue
            spot = QPointF(self.x_of(index), self.y_of(value))
            if drawing:
                path.lineTo(spot)
            else:
                path.moveTo(spot)
                drawing = True
            dots.append(spot)
        painter.setPen(QPen(colour, 2.2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        painter.setBrush(colour)
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Base), 1.2))
        for spot in dots:
            painter.drawEllipse(spot, 3.6, 3.6)

    # --- tooltips -------------------------------------------------------------------
    def tooltip_at(self, x: float) -> str:
        index = self.index_at(x)
        if index < 0:
            return ""
        point = self._points[index]
        lines = [point.label + (f" — {point.tooltip}" if point.tooltip else "")]
        for key, name, _colour in SERIES:
            value = point.values.get(key)
            lines.append(f"{name}: {'n/a' if value is None else f'{value:.3f}'}")
        return "\n".join(lines)

    def event(self, event) -> bool:
        if event.type() == event.Type.ToolTip and isinstance(event, QHelpEvent):
            tip = self.tooltip_at(float(event.pos().x()))
            if tip:
                QToolTip.showText(event.globalPos(), tip, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)
