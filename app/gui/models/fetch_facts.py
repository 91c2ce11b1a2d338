"""What to fetch on another computer for a catalog model: repository, file, size, checksum.

The offline-laptop path: a laptop without network shows, for the selected catalog entry,
the Hugging Face repository, the file name, the size and the SHA-256 (where the catalog
knows them) and the direct link, as selectable text with a *Copy* button, so the file can
be fetched elsewhere, checked and brought over; *Add file…* then registers it. Plain text
only.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from app.library.catalog import READY, CatalogEntry, LibraryItem
from app.library.modelfile import format_bytes

HUB = "https://huggingface.co"


def fetch_facts(entry: CatalogEntry) -> str:
    """The lines someone needs to fetch ``entry`` by hand and check it."""
    if entry.size_bytes:
        exact = "" if entry.size_exact else "about "
        size = f"{exact}{format_bytes(entry.size_bytes)} ({entry.size_bytes:,} bytes)"
    else:
        size = "not known"
    return "\n".join(
        [
            f"Repository: {HUB}/{entry.repo_id}",
            f"File: {entry.filename}",
            f"Size: {size}",
            f"SHA-256: {entry.sha256 or 'not published in the catalog'}",
            f"Direct link: {HUB}/{entry.repo_id}/resolve/main/{entry.filename}",
        ]
    )


class FetchFacts(QWidget):
    """The facts of the selected catalog model, selectable, with a Copy button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fetchFacts")
        self.label = QLabel()
        self.label.setObjectName("fetchFactsText")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip(
            "Copy these facts to fetch the file on another computer; bring it here and "
            "press Add file…"
        )
        self.copy_button.clicked.connect(self.copy)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignTop)
        self.show_entry(None)

    def show_entry(self, entry: CatalogEntry | None) -> None:
        """The facts of ``entry`` (hidden for a file that is not from the catalog)."""
        self.label.setText(
            "To fetch it on another computer:\n" + fetch_facts(entry) if entry else ""
        )
        self.setVisible(entry is not None)

    def show_item(self, item: LibraryItem | None) -> None:
        """The facts of a catalog model that is not here yet (hidden otherwise)."""
        fetchable = item is not None and item.entry is not None and item.state != READY
        self.show_entry(item.entry if fetchable and item is not None else None)

    @Slot()
    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.label.text())
