"""Settings dialog: model file, context, GPU layers, threads, sampling, token budget, date.

Reads and writes the same QSettings keys as ``settings_store``; the caller reloads the
engine settings after ``exec()`` returns Accepted.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate, QSettings
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.engine.protocol import EngineSettings, RunSettings
from app.gui.settings_store import (
    load_engine_settings,
    load_run_settings,
    save_engine_settings,
    save_run_settings,
)

GGUF_FILTER = "GGUF model files (*.gguf);;All files (*)"


def check_model_file(path: str) -> str:
    """'' when path looks like a GGUF file, else one sentence saying what is wrong."""
    if not path:
        return "Choose a model file (.gguf)."
    file = Path(path)
    if not file.is_file():
        return f"{file.name} does not exist; choose another file."
    try:
        with file.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        return f"Cannot read {file.name} ({exc.strerror}); check its permissions."
    if magic != b"GGUF":
        return f"{file.name} is not a GGUF model file; choose a .gguf file."
    return ""


class GpuLayersSpin(QSpinBox):
    """GPU layers: "auto" (-2), "all layers" (-1), "CPU only" (0) or a count."""

    _NAMES = {-2: "auto", -1: "all layers", 0: "CPU only"}

    def __init__(self) -> None:
        super().__init__()
        self.setRange(-2, 999)
        self.setToolTip("auto fits the layers to free GPU memory; CPU only uses no GPU")

    def textFromValue(self, value: int) -> str:
        return self._NAMES.get(value, str(value))

    def valueFromText(self, text: str) -> int:
        for value, name in self._NAMES.items():
            if text.strip().lower() == name.lower():
                return value
        try:
            return int(text)
        except ValueError:
            return -2

    def validate(self, text: str, pos: int):
        lowered = text.strip().lower()
        names = [name.lower() for name in self._NAMES.values()]
        if lowered in names:
            return (QValidator.State.Acceptable, text, pos)
        if lowered and any(name.startswith(lowered) for name in names):
            return (QValidator.State.Intermediate, text, pos)
        return super().validate(text, pos)

    def set_layers(self, layers: int | str) -> None:
        self.setValue(-2 if layers == "auto" else int(layers))

    def layers(self) -> int | str:
        return "auto" if self.value() == -2 else self.value()


class SettingsDialog(QDialog):
    """Edits engine and run settings stored in a QSettings."""

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self._settings = settings
        engine, run = load_engine_settings(settings), load_run_settings(settings)

        self.model_edit = QLineEdit(engine.model_path)
        self.model_edit.setPlaceholderText("No model chosen")
        self.model_edit.setMinimumWidth(320)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model_edit, 1)
        model_row.addWidget(browse)
        self.ctx_spin = self._int_spin(512, 131072, engine.n_ctx, 512)
        self.gpu_spin = GpuLayersSpin()
        self.gpu_spin.set_layers(engine.n_gpu_layers)
        self.threads_spin = self._int_spin(0, 256, engine.n_threads or 0, 1)
        self.threads_spin.setSpecialValueText("automatic")
        self.temperature_spin = self._float_spin(0.0, 2.0, run.temperature)
        self.top_p_spin = self._float_spin(0.0, 1.0, run.top_p)
        self.seed_spin = self._int_spin(0, 2**31 - 1, run.seed, 1)
        self.budget_spin = self._int_spin(16, 32768, run.max_tokens, 64)
        self.date_check = QCheckBox("Put a current date in the prompt")
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        date = QDate.fromString(run.date or "", "yyyy-MM-dd")
        self.date_check.setChecked(date.isValid())
        self.date_edit.setDate(date if date.isValid() else QDate.currentDate())
        self.date_edit.setEnabled(date.isValid())
        self.date_check.toggled.connect(self.date_edit.setEnabled)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #d32f2f;")

        form = QFormLayout()
        form.addRow("Model file:", model_row)
        form.addRow("Context size (tokens):", self.ctx_spin)
        form.addRow("GPU layers:", self.gpu_spin)
        form.addRow("CPU threads:", self.threads_spin)
        form.addRow("Temperature:", self.temperature_spin)
        form.addRow("Top p:", self.top_p_spin)
        form.addRow("Seed:", self.seed_spin)
        form.addRow("Token budget:", self.budget_spin)
        form.addRow(self.date_check, self.date_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    @staticmethod
    def _int_spin(low: int, high: int, value: int, step: int) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.setSingleStep(step)
        spin.setValue(value)
        return spin

    @staticmethod
    def _float_spin(low: float, high: float, value: float) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(low, high)
        spin.setDecimals(2)
        spin.setSingleStep(0.05)
        spin.setValue(value)
        return spin

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose a gpt-oss-safeguard model", self.model_edit.text(), GGUF_FILTER
        )
        if path:
            self.model_edit.setText(path)

    def engine_settings(self) -> EngineSettings:
        threads = self.threads_spin.value()
        return EngineSettings(
            model_path=self.model_edit.text().strip(),
            n_ctx=self.ctx_spin.value(),
            n_gpu_layers=self.gpu_spin.layers(),
            n_threads=threads or None,
        )

    def run_settings(self, effort: str) -> RunSettings:
        date = self.date_edit.date().toString("yyyy-MM-dd") if self.date_check.isChecked() else None
        return RunSettings(
            effort=effort,
            temperature=self.temperature_spin.value(),
            top_p=self.top_p_spin.value(),
            seed=self.seed_spin.value(),
            max_tokens=self.budget_spin.value(),
            date=date,
        )

    def accept(self) -> None:
        path = self.model_edit.text().strip()
        problem = check_model_file(path) if path else ""
        if problem:
            self.error_label.setText(problem)
            return
        save_engine_settings(self._settings, self.engine_settings())
        effort = load_run_settings(self._settings).effort
        save_run_settings(self._settings, self.run_settings(effort))
        super().accept()
