"""The models dialog: the catalog and local GGUF files, their state, size and memory fit.

Shows the hardware (the backend llama.cpp was built with, RAM, VRAM where readable), a
table of models (``ModelTableModel``) with each file's stored self-check (passed / failed,
its sentence under the table for the selected model), and buttons to download (with progress, speed, ETA
and Cancel; a partial file resumes), add a file from disk, make a model the active one and
open the models folder (and, for a catalog model not here, what to fetch elsewhere). Every job goes through the ``ModelsController``; the dialog only
reacts to its signals, so it never waits. The dialog is modeless, and a download goes on
when it is closed (the controller belongs to the window).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core import setting_limits as limits
from app.gui.models.controller import ModelsController, hardware_summary
from app.gui.models.download_row import DownloadRow
from app.gui.models.fetch_facts import FetchFacts
from app.gui.models.table import (
    Column,
    ModelTableModel,
    check_text,
    is_server_class,
    memory_text,
    state_tooltip,
)
from app.gui.shared.file_dialogs import open_file
from app.gui.shared.screen_fit import fit_to_screen
from app.gui.shared.table_views import row_table
from app.library import catalog
from app.library.download import is_offline

GGUF_FILTER = "GGUF model files (*.gguf)"
OFFLINE_TEXT = (
    "Offline: HF_HUB_OFFLINE is set, so nothing is downloaded. Copy a .gguf file here "
    "by hand and register it with Add file…"
)
SERVER_TIP = (
    "Server-class model: too large for one laptop. Run it on a server (vLLM or llama-server) "
    "and choose the remote backend in Settings."
)


def _label(text: str = "", *, wrap: bool = True, name: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    if name:
        label.setObjectName(name)
    return label


class ModelsDialog(QDialog):
    """Lists models and drives the ModelsController; see the module docstring."""

    def __init__(
        self,
        controller: ModelsController,
        n_ctx: int = limits.N_CTX.default,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Models")
        fit_to_screen(self, 1060, 500)
        self.controller = controller
        self.n_ctx = n_ctx
        self.hardware_label = _label("Detecting hardware…", name="hardwareLabel")
        self.offline_label = _label(OFFLINE_TEXT, name="offlineBanner")
        self.offline_label.setStyleSheet(
            "QLabel#offlineBanner { background: #fff3cd; color: #5c4400; padding: 6px;"
            " border: 1px solid #e0c060; border-radius: 4px; }"
        )
        self.offline_label.setVisible(is_offline())
        self.context_label = _label(name="contextLabel")
        self.model = ModelTableModel(self)
        self.table = row_table(self.model)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.MEMORY, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(self._use_index)
        self.detail_label = _label(name="detailLabel")
        self.fetch_facts = FetchFacts()  # repository, file, size, checksum: fetch elsewhere
        self.message_label = _label(name="messageLabel")

        self.download_row = DownloadRow()
        self.download_row.cancelRequested.connect(self.controller.cancel_download)

        self.download_button = QPushButton("Download")
        self.use_button = QPushButton("Use")
        self.add_button = QPushButton("Add file…")
        self.folder_button = QPushButton("Open folder")
        self.close_button = QPushButton("Close")
        self.download_button.clicked.connect(self._download)
        self.use_button.clicked.connect(self._use)
        self.add_button.clicked.connect(self._add_file)
        self.folder_button.clicked.connect(self._open_folder)
        self.close_button.clicked.connect(self.close)
        self.add_button.setToolTip("Register a .gguf file that is already on this computer")
        self.folder_button.setToolTip("Show the models folder in the file manager")
        buttons = QHBoxLayout()
        for button in (self.download_button, self.use_button, self.add_button, self.folder_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        for widget in (self.hardware_label, self.offline_label, self.context_label, self.table):
            layout.addWidget(widget)
        for widget in (self.detail_label, self.fetch_facts, self.download_row, self.message_label):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        self._connect()
        self.set_context_size(n_ctx)
        self._pending_select = ""
        self._checking: set[str] = set()
        if controller.hardware is not None:
            self.hardware_label.setText(hardware_summary(controller.hardware))
        if controller.downloading():
            self._on_started(controller.downloading() or "")
        self._update_buttons()

    def _connect(self) -> None:
        c = self.controller
        c.hardwareDetected.connect(self.hardware_label.setText)
        c.modelsListed.connect(self._on_listed)
        c.checksRead.connect(self._on_checks)
        c.listFailed.connect(self.show_message)
        c.fileAdded.connect(self._on_added)
        c.fileRejected.connect(self.show_message)
        c.activeModelChanged.connect(self._on_active)
        c.useFailed.connect(self.show_message)
        c.downloadStarted.connect(self._on_started)
        c.downloadPhaseChanged.connect(self._on_phase)
        c.downloadProgress.connect(self._on_progress)
        c.downloadFinished.connect(self._on_download_finished)
        c.downloadFailed.connect(self._on_download_failed)
        c.downloadCancelled.connect(self._on_download_cancelled)

    # --- public -----------------------------------------------------------------------
    def set_context_size(self, n_ctx: int) -> None:
        """Estimate memory at ``n_ctx`` tokens (re-lists the library off the GUI thread)."""
        self.n_ctx = n_ctx
        self.context_label.setText(
            f"Memory estimates are for a context of {n_ctx:,} tokens (change it in Settings). "
            f"Models folder: {self.controller.models_dir()}"
        )
        self.controller.refresh(n_ctx)

    def show_message(self, text: str, error: bool = True) -> None:
        """One sentence under the table: red for a problem, plain for news."""
        colour = "#c62828" if error else "palette(window-text)"
        self.message_label.setStyleSheet(f"QLabel#messageLabel {{ color: {colour}; }}")
        self.message_label.setText(text)

    def selected_item(self) -> catalog.LibraryItem | None:
        return self.model.item(self.table.currentIndex().row())

    def select_name(self, name: str) -> bool:
        row = self.model.row_of(name)
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0

    # --- buttons ----------------------------------------------------------------------
    @Slot()
    def _update_buttons(self, *_args) -> None:
        item = self.selected_item()
        busy = self.controller.downloading() is not None
        fetchable = item is not None and item.entry is not None and item.state != catalog.READY
        self.download_button.setText(
            "Resume" if item is not None and item.state == catalog.PARTIAL else "Download"
        )
        tip = "Download the selected model from Hugging Face"
        if item is not None and is_server_class(item):
            fetchable, tip = False, SERVER_TIP
        elif is_offline():
            fetchable, tip = False, "Downloads are off: HF_HUB_OFFLINE is set."
        elif busy:
            tip = "Another download is running."
        self.download_button.setEnabled(fetchable and not busy)
        self.download_button.setToolTip(tip)
        usable = item is not None and item.state == catalog.READY and not item.active
        self.use_button.setEnabled(usable)
        self.use_button.setToolTip(
            "Load this model for classification" if usable else "Choose a ready model"
        )
        lines = [state_tooltip(item)] if item is not None else []
        if item is not None and item.name == self.controller.downloading():
            lines = ["Downloading now; Cancel download pauses it and Resume continues later."]
        if item is not None and item.entry is not None and item.entry.notes:
            lines.append(item.entry.notes)
        if item is not None:
            lines.append(memory_text(item))
            lines.append(check_text(self.model.check(item.name), item))
        self.detail_label.setText("\n".join(line for line in lines if line))
        self.fetch_facts.show_item(item)

    def _download(self) -> None:
        item = self.selected_item()
        if item is not None:
            self.show_message("")
            self.controller.download(item.name)

    @Slot(QModelIndex)
    def _use_index(self, index: QModelIndex) -> None:
        item = self.model.item(index.row())
        if item is not None and item.state == catalog.READY:
            self.controller.use(item.name)

    def _use(self) -> None:
        self._use_index(self.table.currentIndex())

    def _add_file(self) -> None:
        path = open_file(self, "Add a gpt-oss-safeguard model", "model", GGUF_FILTER)
        if path:
            self.show_message("")
            self.controller.add_file(str(path))

    def _open_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.controller.models_dir())))

    # --- controller signals -----------------------------------------------------------
    @Slot(object)
    def _on_listed(self, items: list) -> None:
        current = self.selected_item()
        self.model.set_items(items, self.n_ctx)
        wanted, self._pending_select = self._pending_select, ""
        if wanted and self.select_name(wanted):
            pass
        elif current is None or not self.select_name(current.name):
            ready = next((i for i in items if i.active), None) or (items[0] if items else None)
            if ready is not None:
                self.select_name(ready.name)
        self._update_buttons()

    @Slot(object)
    def _on_checks(self, checks: dict) -> None:
        self.model.set_checks(checks)
        self._update_buttons()

    @Slot(str, str)
    def _on_added(self, name: str, _path: str) -> None:
        self._pending_select = name
        self.show_message(f"Added {name}.", error=False)
        self.controller.refresh(self.n_ctx)

    @Slot(str)
    def _on_active(self, path: str) -> None:
        self.show_message(f"Active model: {path}", error=False)
        self.controller.refresh(self.n_ctx)

    @Slot(str)
    def _on_started(self, name: str) -> None:
        self.download_row.start()
        self._update_buttons()

    @Slot(str, str)
    def _on_phase(self, name: str, phase: str) -> None:
        if phase == "verifying":
            self._checking.add(name)
            self.model.set_download_progress(name, "checking…")

    @Slot(str, object, object, float, float)
    def _on_progress(self, name: str, done: int, total: int | None, speed: float, eta: float):
        checking = name in self._checking
        self.download_row.show_progress(done, total, speed, eta, checking)
        if total and not checking:
            self.model.set_download_progress(name, f"downloading {done / total:.0%}")

    def _end_download(self, name: str, message: str, error: bool = True) -> None:
        self._checking.discard(name)
        self.model.set_download_progress(name, None)
        self.download_row.finish()
        self.show_message(message, error=error)
        self.controller.refresh(self.n_ctx)
        self._update_buttons()

    @Slot(str, str)
    def _on_download_finished(self, name: str, path: str) -> None:
        self._end_download(name, f"Downloaded {path}.", error=False)

    @Slot(str, str)
    def _on_download_failed(self, name: str, message: str) -> None:
        self._end_download(name, message)

    @Slot(str)
    def _on_download_cancelled(self, name: str) -> None:
        self._end_download(
            name, f"The download of {name} was paused; Resume continues it.", error=False
        )
