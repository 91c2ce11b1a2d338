"""Settings dialog: backend (local model file, context, GPU layers; or a remote server),
threads, sampling, token budget, date, and the disk budget of saved policy prefixes.

The backend rows are the ``BackendSettingsWidget`` (local llama.cpp or an OpenAI-compatible
server), stored with ``save_backend_values``. Reads and writes the same QSettings keys as
``settings_store``; the caller reloads the engine settings after ``exec()`` returns Accepted.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.core import setting_limits as limits
from app.core.run_types import EngineSettings, RunSettings
from app.core.setting_limits import Limit
from app.gui.settings.backend_page import BackendSettingsWidget
from app.gui.settings.prefix_cache_row import PrefixCacheRow
from app.gui.shared import options
from app.gui.shared.backend_values import load_backend_values, save_backend_values
from app.gui.shared.model_file import check_model_file
from app.gui.shared.screen_fit import available_area
from app.gui.shared.settings_store import (
    load_engine_settings,
    load_run_settings,
    save_engine_settings,
    save_run_settings,
)
from app.gui.shared.widgets import align_forms, limited_spin
from app.scoring.stability import SAMPLE_COUNTS


class SettingsDialog(QDialog):
    """Edits engine and run settings stored in a QSettings."""

    def show_backend(self, kind: str) -> None:
        """Open on the local ("local") or server ("remote") settings; "" keeps the saved."""
        combo = self.backend_page.backend_combo
        if kind and combo.findData(kind) >= 0:
            combo.setCurrentIndex(combo.findData(kind))

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self._settings = settings
        engine, run = load_engine_settings(settings), load_run_settings(settings)

        self.backend_page = BackendSettingsWidget(parent=self)
        self.backend_page.set_values(load_backend_values(settings))
        self.threads_spin = self._spin(limits.N_THREADS, engine.n_threads or 0, 1)
        self.threads_spin.setSpecialValueText("automatic")
        self.temperature_spin = self._spin(limits.TEMPERATURE, run.temperature, 0.05)
        self.top_p_spin = self._spin(limits.TOP_P, run.top_p, 0.05)
        self.seed_spin = self._spin(limits.SEED, run.seed, 1)
        self.budget_spin = self._spin(limits.MAX_TOKENS, run.max_tokens, 64)
        self.date_check = QCheckBox("Put a current date in the prompt")
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        date = QDate.fromString(run.date or "", "yyyy-MM-dd")
        self.date_check.setChecked(date.isValid())
        self.date_edit.setDate(date if date.isValid() else QDate.currentDate())
        self.date_edit.setEnabled(date.isValid())
        self.date_check.toggled.connect(self.date_edit.setEnabled)
        self.prefix_row = PrefixCacheRow(options.get(settings, options.PREFIX_CACHE_MB))
        # Run ×k and suggested edits
        self.samples_combo = QComboBox()
        self.samples_combo.addItems([str(k) for k in SAMPLE_COUNTS])
        self.samples_combo.setCurrentText(str(options.get(settings, options.SAMPLES)))
        self.unstable_spin = self._spin(
            limits.UNSTABLE_BELOW, options.get(settings, options.UNSTABLE_BELOW), 0.05
        )
        self.suggest_edit = QLineEdit(options.get(settings, options.SUGGEST_MODEL))
        self.suggest_edit.setPlaceholderText("the model of the runs (or a general gpt-oss GGUF)")
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #d32f2f;")

        form = QFormLayout()
        form.addRow("CPU threads:", self.threads_spin)
        form.addRow("Temperature:", self.temperature_spin)
        form.addRow("Top p:", self.top_p_spin)
        form.addRow("Seed:", self.seed_spin)
        form.addRow("Token budget:", self.budget_spin)
        form.addRow(self.date_check, self.date_edit)
        form.addRow("Saved policy prefixes:", self.prefix_row)
        form.addRow("Samples per case (Run ×k):", self.samples_combo)
        form.addRow("Unstable below agreement:", self.unstable_spin)
        form.addRow("Model for suggested edits:", self.suggest_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.backend_page)
        layout.addLayout(form)
        align_forms([*self.backend_page.findChildren(QFormLayout), form])  # one column
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        # wide enough that a server's sentence takes a few lines, narrow enough for 1024 px
        self.setMinimumWidth(min(640, available_area(self).width() - 40))

    @staticmethod
    def _spin(limit: Limit, value: float, step: float):
        spin = limited_spin(limit)
        spin.setSingleStep(step)
        spin.setValue(value)
        return spin

    def engine_settings(self) -> EngineSettings:
        threads, values = self.threads_spin.value(), self.backend_page.values()
        return EngineSettings(
            model_path=values["model_path"],
            n_ctx=values["n_ctx"],
            n_gpu_layers=values["n_gpu_layers"],
            n_threads=threads or None,
        )

    def run_settings(self, effort: str) -> RunSettings:
        date = self.date_edit.date().toString("yyyy-MM-dd") if self.date_check.isChecked() else None
        return RunSettings(
            effort=effort,
            temperature=self.temperature_spin.value(),
            top_p=self.top_p_spin.value(),
            seed=int(self.seed_spin.value()),
            max_tokens=self.budget_spin.value(),
            date=date,
        )

    def accept(self) -> None:
        values = self.backend_page.values()
        path = values["model_path"] if values["backend"] == "local" else ""
        problem = check_model_file(path) if path else ""
        if problem:
            self.error_label.setText(problem)
            return
        save_engine_settings(self._settings, self.engine_settings())
        save_backend_values(self._settings, values)
        options.put(self._settings, options.PREFIX_CACHE_MB, self.prefix_row.budget_mb())
        effort = load_run_settings(self._settings).effort
        save_run_settings(self._settings, self.run_settings(effort))
        options.put(self._settings, options.SAMPLES, int(self.samples_combo.currentText()))
        options.put(self._settings, options.UNSTABLE_BELOW, self.unstable_spin.value())
        options.put(self._settings, options.SUGGEST_MODEL, self.suggest_edit.text().strip())
        super().accept()

    def done(self, result: int) -> None:
        self.backend_page.shutdown()  # stop its connection-test thread
        super().done(result)
