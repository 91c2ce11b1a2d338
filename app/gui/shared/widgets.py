"""Small widgets every feature builds the same way."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QMessageBox, QScrollArea, QWidget


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
