"""Small widgets every feature builds the same way."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QLabel,
    QMessageBox,
    QScrollArea,
    QSpinBox,
    QWidget,
)

from app.core.setting_limits import Limit

# Keys a focused QComboBox would use to change its value without showing it.
_SILENT_KEYS = {
    Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown,
    Qt.Key.Key_Home, Qt.Key.Key_End,
}  # fmt: skip


class GuardedComboBox(QComboBox):
    """A combo box that changes a stored value only through its open list: arrow keys,
    letters and the wheel open the list (or scroll the page) instead of silently changing
    what is selected, so Tab landing on it and a stray Down never rewrite data."""

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if plain and (event.key() in _SILENT_KEYS or event.text().strip()):
            self.showPopup()
            return
        super().keyPressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 (Qt override)
        event.ignore()  # the page scrolls; the value stays


def plain_label(text: str = "", name: str = "") -> QLabel:
    """A QLabel that never interprets its text as rich text."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if name:
        label.setObjectName(name)
    return label


def notice_box(parent: QWidget, title: str, text: str, informative: str = "") -> QMessageBox:
    """A non-modal warning in plain text (the user can keep working), shown at once."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, "", parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    box.setInformativeText(informative)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setModal(False)
    box.show()
    return box


def scrolling(widget: QWidget) -> QScrollArea:
    """``widget`` in a frameless scroll area, so a small screen scrolls it instead of
    the whole window growing past the screen."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(widget)
    return area


def limited_spin(limit: Limit) -> QAbstractSpinBox:
    """A spin box over a setting's range in :mod:`app.core.setting_limits`, from its numeric
    special value where it has one (0 threads: automatic). A whole-number range past a
    32-bit int (the seed's) gets a spin box without decimals that holds it."""
    bottom = limit.special if isinstance(limit.special, int) else limit.low
    if isinstance(limit.high, float) or limit.high > 2**31 - 1:
        spin = QDoubleSpinBox()
        spin.setDecimals(2 if isinstance(limit.high, float) else 0)
    else:
        spin = QSpinBox()
    spin.setRange(bottom, limit.high)
    return spin


def align_forms(forms: list[QFormLayout]) -> None:
    """Stacked forms read as one: every label column as wide as the widest label, so the
    fields of all of them start at the same x (a dialog built of several forms had its
    fields in two columns)."""
    labels = [
        item.widget()
        for form in forms
        for row in range(form.rowCount())
        if (item := form.itemAt(row, QFormLayout.ItemRole.LabelRole)) and item.widget()
    ]
    width = max((label.sizeHint().width() for label in labels), default=0)
    for label in labels:
        label.setMinimumWidth(width)
