"""The backend settings page: run the model here (llama.cpp) or on an OpenAI-compatible server.

``BackendSettingsWidget`` edits plain values — ``values() -> dict`` and ``set_values(dict)``
— so a settings dialog can embed it and store them with ``save_backend_values`` (the
value functions live in :mod:`app.gui.shared.backend_values`). Keys:

* ``backend``: "local" or "remote";
* local: ``model_path``, ``n_gpu_layers`` ("auto", -1 for all layers, 0 for CPU only, or a
  number), ``n_ctx``;
* remote: ``base_url``, ``remote_model``, ``remote_api`` (one of ``APIS``), ``api_key_env``,
  ``concurrency``, ``deadline`` (seconds one case may take), ``timeout`` (seconds a server
  may stay silent on a case; its range and default are ``READ_TIMEOUT`` in app.core.setting_limits).

The API key itself is never one of them: the key field only feeds "Save key in system
keyring", and it is cleared once the key is saved. "Test connection" and the keyring write
run on the ``BackendController``'s task runner; the answer is shown as one plain sentence.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core import setting_limits
from app.engine.remote import APIS, DEFAULT_KEY_ENV, RemoteConfig
from app.gui.settings.backend_controller import BackendController
from app.gui.shared.backend_values import DEFAULTS, normalize_values, remote_config
from app.gui.shared.file_dialogs import open_file
from app.gui.shared.model_file import GGUF_FILTER
from app.gui.shared.widgets import limited_spin

GPU_MODES = ("auto", "all", "number", "cpu")
GPU_MODE_TEXT = {
    "auto": "Automatic (all layers that fit)",
    "all": "All layers on the GPU",
    "number": "This many layers:",
    "cpu": "CPU only",
}


def _plain(text: str = "", name: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setObjectName(name)
    return label


class BackendSettingsWidget(QWidget):
    """Local or remote backend settings; call ``shutdown()`` when the page goes away."""

    def __init__(
        self, controller: BackendController | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.controller = controller or BackendController(self)
        self.backend_combo = QComboBox()
        self.backend_combo.addItem("On this computer (llama.cpp)", "local")
        self.backend_combo.addItem("On a server (OpenAI-compatible)", "remote")
        self.stack = QStackedWidget()
        self.stack.addWidget(self._local_page())
        self.stack.addWidget(self._remote_page())
        self.backend_combo.currentIndexChanged.connect(self._show_page)
        self._show_page(0)
        top = QFormLayout()
        top.addRow("Run the model:", self.backend_combo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.stack)
        self.controller.connectionTested.connect(self._on_tested)
        self.controller.keySaved.connect(self._on_key_saved)
        self.set_values(DEFAULTS)

    def _show_page(self, index: int) -> None:
        """Show the local or server page at its own height: a stack is as tall as its
        tallest page, which left a gap the server form's height under the local one."""
        self.stack.setCurrentIndex(index)
        for number in range(self.stack.count()):
            fits = QSizePolicy.Policy.Preferred if number == index else QSizePolicy.Policy.Ignored
            self.stack.widget(number).setSizePolicy(fits, fits)
        self.stack.adjustSize()
        window = self.window()
        if window is not self and window.isVisible():
            window.adjustSize()

    def _local_page(self) -> QWidget:
        self.model_edit = QLineEdit()
        self.model_edit.setPlaceholderText("No model chosen (Models… lists and downloads them)")
        self.browse_button = QPushButton("Browse…")
        self.browse_button.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.model_edit, 1)
        row.addWidget(self.browse_button)
        self.gpu_combo = QComboBox()
        for mode in GPU_MODES:
            self.gpu_combo.addItem(GPU_MODE_TEXT[mode], mode)
        self.gpu_spin = limited_spin(setting_limits.GPU_LAYERS)
        self.gpu_combo.currentIndexChanged.connect(self._update_gpu_spin)
        gpu_row = QHBoxLayout()
        gpu_row.addWidget(self.gpu_combo, 1)
        gpu_row.addWidget(self.gpu_spin)
        self.ctx_spin = limited_spin(setting_limits.N_CTX)
        self.ctx_spin.setSingleStep(1024)
        self.ctx_spin.setGroupSeparatorShown(True)
        self.ctx_spin.setToolTip("More context holds longer policies but needs more memory.")
        self.parallel_spin = limited_spin(setting_limits.PARALLEL)
        self.parallel_spin.setToolTip(
            "Run all decodes this many cases together, sharing the policy: faster, above all "
            "on a GPU, at the cost of some memory."
        )
        page = QWidget()
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)  # its labels under "Run the model:"
        form.addRow("Model file:", row)
        form.addRow("GPU layers:", gpu_row)
        form.addRow("Context size (tokens):", self.ctx_spin)
        form.addRow("Cases at once (Run all):", self.parallel_spin)
        return page

    def _remote_page(self) -> QWidget:
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("http://127.0.0.1:8080")
        self.remote_model_edit = QLineEdit()
        self.remote_model_edit.setPlaceholderText("the server's only model")
        self.api_combo = QComboBox()
        for api, text in zip(
            APIS, ("Detect", "llama-server", "llama-cpp-python server", "Chat API"), strict=True
        ):
            self.api_combo.addItem(text, api)
        self.api_combo.setToolTip(
            "llama-server keeps people's text from becoming special tokens; the chat API "
            "(vLLM, Ollama, LM Studio) lets the server render the prompt."
        )
        self.key_env_edit = QLineEdit()
        self.key_env_edit.setToolTip("The app reads the API key from this environment variable.")
        self.key_edit = QLineEdit()
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("paste a key to keep it in the system keyring")
        self.save_key_button = QPushButton("Save key in system keyring")
        self.save_key_button.clicked.connect(self._save_key)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.save_key_button)
        self.concurrency_spin = limited_spin(setting_limits.CONCURRENCY)
        self.concurrency_spin.setToolTip("Requests in flight; match the server's parallel slots.")
        self.deadline_spin = limited_spin(setting_limits.DEADLINE)
        self.deadline_spin.setSuffix(" s")
        self.deadline_spin.setToolTip(
            "The longest one case may take on the server, its answer streamed in full; a "
            "slow server with a long policy or a large token budget may need more."
        )
        self.silence_spin = limited_spin(setting_limits.READ_TIMEOUT)
        self.silence_spin.setSuffix(" s")
        self.silence_spin.setToolTip(
            "The longest the server may send nothing on a case before the case fails; after "
            "three silent cases in a row the run stops, so a hanging server holds a run for "
            "three times this."
        )
        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(self.test_connection)
        # the whole width under the button: a server's error or the chat API's warning runs
        # to several lines, and each must be readable at the dialog's own size
        self.result_label = _plain(name="connectionResult")
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)
        page = QWidget()
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)  # its labels under "Run the model:"
        form.addRow("Base URL:", self.url_edit)
        form.addRow("Model name:", self.remote_model_edit)
        form.addRow("API:", self.api_combo)
        form.addRow("API key variable:", self.key_env_edit)
        form.addRow("API key:", key_row)
        form.addRow("Concurrent requests:", self.concurrency_spin)
        limits = QHBoxLayout()  # one row: the dialog fits a 700-px screen
        limits.addWidget(self.deadline_spin)
        limits.addWidget(QLabel("silent for at most"))
        limits.addWidget(self.silence_spin)
        limits.addStretch(1)
        form.addRow("Time limit per case:", limits)
        form.addRow("Connection:", test_row)
        form.addRow(self.result_label)
        return page

    # --- values -----------------------------------------------------------------------
    def values(self) -> dict:
        """The settings shown, as plain values (never the API key)."""
        mode = self.gpu_combo.currentData()
        layers = {"auto": "auto", "all": -1, "cpu": 0}.get(mode, self.gpu_spin.value())
        return {
            "backend": self.backend_combo.currentData(),
            "model_path": self.model_edit.text().strip(),
            "n_gpu_layers": layers,
            "n_ctx": self.ctx_spin.value(),
            "parallel": self.parallel_spin.value(),
            "base_url": self.url_edit.text().strip(),
            "remote_model": self.remote_model_edit.text().strip(),
            "remote_api": self.api_combo.currentData(),
            "api_key_env": self.key_env_edit.text().strip() or DEFAULT_KEY_ENV,
            "concurrency": self.concurrency_spin.value(),
            "deadline": float(self.deadline_spin.value()),
            "timeout": float(self.silence_spin.value()),
        }

    def set_values(self, values: dict) -> None:
        """Show ``values`` (missing or garbled entries take the defaults)."""
        v = normalize_values(values)
        self.backend_combo.setCurrentIndex(self.backend_combo.findData(v["backend"]))
        self.stack.setCurrentIndex(self.backend_combo.currentIndex())
        self.model_edit.setText(v["model_path"])
        layers = v["n_gpu_layers"]
        mode = {"auto": "auto", -1: "all", 0: "cpu"}.get(layers, "number")
        self.gpu_combo.setCurrentIndex(self.gpu_combo.findData(mode))
        if mode == "number":
            self.gpu_spin.setValue(int(layers))
        self._update_gpu_spin()
        self.ctx_spin.setValue(v["n_ctx"])
        self.parallel_spin.setValue(v["parallel"])
        self.url_edit.setText(v["base_url"])
        self.remote_model_edit.setText(v["remote_model"])
        self.api_combo.setCurrentIndex(self.api_combo.findData(v["remote_api"]))
        self.key_env_edit.setText(v["api_key_env"])
        self.concurrency_spin.setValue(v["concurrency"])
        self.deadline_spin.setValue(round(v["deadline"]))
        self.silence_spin.setValue(round(v["timeout"]))

    def remote_config(self) -> RemoteConfig:
        return remote_config(self.values())

    def shutdown(self) -> None:
        """Stop the controller's thread (the settings dialog calls this when it closes)."""
        self.controller.shutdown()

    # --- actions ----------------------------------------------------------------------
    @Slot()
    def _update_gpu_spin(self, *_args) -> None:
        self.gpu_spin.setEnabled(self.gpu_combo.currentData() == "number")

    def _browse(self) -> None:
        chosen = self.model_edit.text().strip()
        path = open_file(
            self, "Choose a gpt-oss-safeguard model", "model", GGUF_FILTER, selected=chosen
        )
        if path:
            self.model_edit.setText(str(path))

    def show_result(self, text: str) -> None:
        """One sentence under Test connection, all of it: the label takes the lines it
        needs and the dialog grows to hold them (the screen's height permitting)."""
        label = self.result_label
        label.setText(text)
        label.setMinimumHeight(label.heightForWidth(max(label.width(), 1)) if text else 0)
        window = self.window()
        if window is not self and window.isVisible():
            needed = window.minimumSizeHint().height()
            if needed > window.height():
                window.resize(window.width(), needed)

    @Slot()
    def test_connection(self) -> None:
        if self.controller.test_connection(self.remote_config()):
            self.test_button.setEnabled(False)
            self.show_result(f"Connecting to {self.url_edit.text().strip()}…")

    def _save_key(self) -> None:
        key = self.key_edit.text().strip()
        if not key:
            self.show_result("Paste the API key into the field first.")
            return
        self.save_key_button.setEnabled(False)
        self.controller.save_key(self.url_edit.text().strip(), key)

    @Slot(bool, str)
    def _on_tested(self, _ok: bool, message: str) -> None:
        self.test_button.setEnabled(True)
        self.show_result(message)

    @Slot(bool, str)
    def _on_key_saved(self, ok: bool, message: str) -> None:
        self.save_key_button.setEnabled(True)
        if ok:
            self.key_edit.clear()
        self.show_result(message)
