"""Help ▸ About: the version, the llama.cpp build, Python and Qt, the folders, the licences.

Every label is plain text (``Qt.PlainText``) and selectable, so paths can be copied. The
facts come from a worker thread: the dialog opens at once with "…" and fills in when
:meth:`AboutDialog.set_facts` is called.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.core.resources import resource_path
from app.core.storage_paths import APP_DISPLAY_NAME
from app.gui.help.facts import APP_LICENCE, MODEL_LICENCE, AppFacts, about_rows

TAGLINE = "Write content policies beside test content and check them with gpt-oss-safeguard."
WIDTH = 600
ROW_LABELS = (
    "Version",
    "llama.cpp",
    "GPU",
    "Python / Qt",
    "Data folder",
    "Models folder",
    "Installed as",
)


def _plain(text: str = "", *, wrap: bool = True, name: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    return label


class AboutDialog(QDialog):
    """Non-modal About box; ``set_facts`` fills in what the worker thread found."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"About {APP_DISPLAY_NAME}")
        self.setMinimumWidth(WIDTH)
        icon = QLabel()
        icon.setPixmap(QIcon(str(resource_path("icon.svg"))).pixmap(72, 72))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        title = _plain(APP_DISPLAY_NAME, name="aboutTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        heading = QVBoxLayout()
        heading.addWidget(title)
        heading.addWidget(_plain(TAGLINE))
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addLayout(heading, 1)

        self.values: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        for name in ROW_LABELS:
            value = _plain(__version__ if name == "Version" else "…", name=f"about{name}")
            self.values[name] = value
            form.addRow(_plain(f"{name}:", wrap=False), value)

        self.model_note = _plain(MODEL_LICENCE, name="aboutModelLicence")
        self.app_note = _plain(APP_LICENCE)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        buttons.accepted.connect(self.close)

        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addLayout(top)
        layout.addLayout(form)
        layout.addWidget(self.model_note)
        layout.addWidget(self.app_note)
        layout.addWidget(buttons)
        self._fit_height()

    def set_facts(self, facts: AppFacts) -> None:
        for name, value in about_rows(facts):
            self.values[name].setText(value)
        self._fit_height()

    def _fit_height(self) -> None:
        """As tall as the wrapped text needs at the dialog's width, no taller."""
        width = max(self.width(), WIDTH)
        self.resize(width, self.heightForWidth(width))

    def set_problem(self, message: str) -> None:
        """The facts could not be gathered: say so where the backend would be."""
        self.values["llama.cpp"].setText(f"unknown ({message})")

    def text(self) -> str:
        """Everything the dialog shows, as plain text (tests, copy)."""
        rows = [f"{name}: {label.text()}" for name, label in self.values.items()]
        return "\n".join([APP_DISPLAY_NAME, TAGLINE, *rows, MODEL_LICENCE, APP_LICENCE])
