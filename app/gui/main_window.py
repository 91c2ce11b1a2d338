"""The workbench window: policy editor on the left, cases and the result on the right.

The window only assembles and wires: file operations live in ``PolicyDocument``, running in
``RunCoordinator`` (through the ``EngineController`` for one case and the
``SuiteController`` for test sets, both on one ``SharedEngine``), the test-set, metrics and
history actions in ``EvaluationActions``, widgets in their own modules. Menus and the
toolbar come from ``window_actions``. Below the cases, a "Result | Metrics" tab pair shows
the selected case's result and the last run's metrics. Geometry and splitter positions
persist in QSettings.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QMessageBox, QSplitter, QTabWidget, QWidget

from app.core.storage_paths import APP_DISPLAY_NAME
from app.core.store import Store, StoreError
from app.gui.cases.panel import CasePanel
from app.gui.evaluation.actions import EvaluationActions
from app.gui.evaluation.controller import EvaluationController
from app.gui.evaluation.metrics_panel import MetricsPanel
from app.gui.models.controller import ModelsController
from app.gui.policy.documents import PolicyDocument
from app.gui.policy.panel import PolicyPanel
from app.gui.running.engine_badge import EngineBadge
from app.gui.running.engine_controller import EngineController
from app.gui.running.engine_holder import EngineFactory, SharedEngine, settings_engine_factory
from app.gui.running.result_view import ResultView
from app.gui.running.runner import RunCoordinator
from app.gui.running.status_bar import RunStatusBar
from app.gui.running.suite_controller import SuiteController, stored_as_result
from app.gui.settings.dialog import SettingsDialog
from app.gui.shared.backend_values import load_backend_values
from app.gui.shared.settings_store import load_engine_settings
from app.gui.window_actions import WindowActions

APP_TITLE = APP_DISPLAY_NAME


class MainWindow(QMainWindow):
    """Assembles the panels, the document, the run coordinator and the actions."""

    def __init__(
        self,
        settings: QSettings,
        engine_factory: EngineFactory | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle(APP_TITLE)
        self.resize(1280, 800)
        self.policy_panel = PolicyPanel()
        self.case_panel = CasePanel()
        self.result_view = ResultView()
        self.metrics_panel = MetricsPanel()
        self.right_tabs = QTabWidget()
        self.right_tabs.setObjectName("rightTabs")
        self.right_tabs.setDocumentMode(True)
        self.right_tabs.addTab(self.result_view, "Result")
        self.right_tabs.addTab(self.metrics_panel, "Metrics")
        self.right_splitter = QSplitter(Qt.Orientation.Vertical)
        self.right_splitter.setObjectName("rightSplitter")
        self.right_splitter.addWidget(self.case_panel)
        self.right_splitter.addWidget(self.right_tabs)
        self.right_splitter.setStretchFactor(0, 5)
        self.right_splitter.setStretchFactor(1, 4)
        self.right_splitter.setChildrenCollapsible(False)
        self.main_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.main_splitter.setObjectName("mainSplitter")
        self.main_splitter.addWidget(self.policy_panel)
        self.main_splitter.addWidget(self.right_splitter)
        self.main_splitter.setStretchFactor(0, 1)
        self.main_splitter.setStretchFactor(1, 1)
        self.main_splitter.setChildrenCollapsible(False)
        self.main_splitter.setContentsMargins(6, 4, 6, 0)
        self.setCentralWidget(self.main_splitter)

        # one engine for single cases and suites; the settings pick local or remote
        self._fixed_factory = engine_factory is not None
        self.engine_holder = SharedEngine(engine_factory or settings_engine_factory(settings))
        self.controller = EngineController(parent=self, shared=self.engine_holder)
        self.store = self._open_store()
        self.suites = SuiteController(self.store, parent=self, shared=self.engine_holder)
        self.evaluation = EvaluationController(self.store, self)
        self.models_controller = ModelsController(parent=self)
        self.models_dialog = None
        self.document = PolicyDocument(self.policy_panel, self.case_panel, settings, self)
        self.status = RunStatusBar(self)
        self.setStatusBar(self.status)
        self.engine_badge = EngineBadge()
        self.status.addPermanentWidget(self.engine_badge)
        self.evaluation_actions = EvaluationActions(self)
        self.window_actions = WindowActions(self)
        self.runner = RunCoordinator(
            self.controller,
            self.suites,
            self.evaluation_actions.cases_path,
            self.policy_panel,
            self.case_panel,
            self.result_view,
            settings,
            self.window_actions.effort,
            self,
        )
        self._wire()
        self._restore_state()
        self._apply_engine_settings()
        self.runner.policy_changed()
        self._update_title()
        if getattr(self, "_store_problem", ""):
            self.show_message(self._store_problem + " Results are kept for this session only.")

    # --- wiring ---------------------------------------------------------------------
    def _wire(self) -> None:
        self.controller.engineStateChanged.connect(self._on_engine_state)
        self.runner.runningChanged.connect(self._on_running)
        self.runner.progressChanged.connect(self.status.set_progress)
        self.runner.message.connect(self.show_message)
        self.runner.suiteEnded.connect(self._on_suite_ended)
        self.status.cancelRequested.connect(self.runner.cancel)
        self.document.message.connect(self.show_message)
        self.document.modifiedChanged.connect(self._update_title)
        self.document.pathChanged.connect(self._on_path_changed)
        self.document.recentChanged.connect(self.window_actions.set_recent)
        # engine facts and speed, from either kind of run
        self.suites.engineStateChanged.connect(self.controller.report_state)
        for source in (self.controller, self.suites):
            source.modelLoaded.connect(self._on_model_loaded)
        self.controller.caseFinished.connect(lambda _id, r: self.engine_badge.set_result(r))
        self.suites.casesStored.connect(self._on_cases_stored)
        self.runner.suiteOutcome.connect(self.evaluation_actions.suite_ended)
        # metrics tab: confusion cells filter the case table
        proxy = self.case_panel.proxy
        self.metrics_panel.cellActivated.connect(proxy.set_case_filter)
        self.metrics_panel.caseFilterCleared.connect(lambda: proxy.set_case_filter(None))
        self.evaluation.runMetricsReady.connect(self._on_run_metrics)
        self.models_controller.activeModelChanged.connect(self._on_active_model)

    @Slot(str, str)
    def _on_engine_state(self, state: str, detail: str) -> None:
        if state == "no_model":
            values = load_backend_values(self.settings)
            detail = Path(values["model_path"]).name
            if values["backend"] == "remote":
                detail = f"server {values['base_url']}"
        self.status.set_engine_state(state, detail)

    @Slot(bool)
    def _on_running(self, running: bool) -> None:
        self.window_actions.set_running(running)
        self.status.set_running(running)

    @Slot(str)
    def _on_suite_ended(self, status: str) -> None:
        if status == "failed" and self.controller.state == "error":
            box = QMessageBox(QMessageBox.Icon.Warning, "The engine stopped", "", parent=self)
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.setText(self.controller.state_detail or "The engine stopped unexpectedly.")
            box.setInformativeText("Your policy and cases are untouched. Run again to restart it.")
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.setModal(False)
            box.show()  # never block: the user can keep editing
            self.engine_message_box = box

    @Slot(object)
    def _on_model_loaded(self, info: dict) -> None:
        hardware = self.models_controller.hardware
        self.engine_badge.set_load_info(info, hardware.backend if hardware else None)

    @Slot(list)
    def _on_cases_stored(self, results: list) -> None:
        ran = [r for r in results if not r.cached and r.status != "error"]
        if ran:
            self.engine_badge.set_result(stored_as_result(ran[-1]))

    @Slot(object)
    def _on_run_metrics(self, run_metrics) -> None:
        self.metrics_panel.set_metrics(
            run_metrics.metrics, run_metrics.output, f"Run {run_metrics.run.id}"
        )

    @Slot(str)
    def _on_path_changed(self, path: str) -> None:
        self.runner.policy_changed()
        self._update_title()
        if path != getattr(self, "_shown_path", None) or not path:  # opened, not re-saved
            self._shown_path = path
            self.case_panel.proxy.set_case_filter(None)
            self.evaluation_actions.load_stored_results()

    @Slot()
    def _update_title(self, *_args) -> None:
        self.setWindowTitle(f"{self.document.display_name()}[*] — {APP_TITLE}")
        self.setWindowModified(self.document.is_modified())

    def show_message(self, text: str) -> None:
        self.status.showMessage(text, 8000)

    # --- settings and models ----------------------------------------------------------
    def _open_store(self) -> Store:
        try:
            return Store()
        except StoreError as exc:  # keep working; results of this session only
            self._store_problem = str(exc)
            return Store(Path(tempfile.mkdtemp(prefix="safeguard-")) / "results.sqlite3")

    def open_settings_dialog(self) -> None:
        dialog = SettingsDialog(self.settings, self)
        if dialog.exec() == SettingsDialog.DialogCode.Accepted:
            self._apply_engine_settings()

    def open_models_dialog(self):
        """The models dialog (built once, then shown again), estimates at our context."""
        from app.gui.models.dialog import ModelsDialog

        n_ctx = load_engine_settings(self.settings).n_ctx
        if self.models_dialog is None:
            self.models_dialog = ModelsDialog(self.models_controller, n_ctx, self)
        else:
            self.models_dialog.set_context_size(n_ctx)
        self.models_dialog.show()
        self.models_dialog.raise_()
        self.models_dialog.activateWindow()
        return self.models_dialog

    @Slot(str)
    def _on_active_model(self, path: str) -> None:
        self.settings.setValue("engine/model_path", path)
        self.settings.setValue("engine/backend", "local")
        self.settings.sync()
        self._apply_engine_settings()
        self.show_message(f"{Path(path).name} is the model now; the next run loads it.")

    def _apply_engine_settings(self) -> None:
        engine = load_engine_settings(self.settings)
        self.policy_panel.set_context_size(engine.n_ctx)
        if not self._fixed_factory:
            self.engine_holder.set_factory(settings_engine_factory(self.settings))
        busy = self.runner.is_running() if hasattr(self, "runner") else False
        if not busy and self.controller.state in ("no_model", "error"):
            self._on_engine_state("no_model", "")

    def _restore_state(self) -> None:
        geometry = self.settings.value("ui/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        for splitter in self._splitters():
            state = self.settings.value(f"ui/{splitter.objectName()}")
            if state is None or not splitter.restoreState(state):
                self._default_sizes(splitter)

    def _splitters(self) -> tuple[QSplitter, ...]:
        """Every splitter whose position persists."""
        own = (self.main_splitter, self.right_splitter, self.case_panel.splitter)
        return own + self.policy_panel.splitters()

    def _default_sizes(self, splitter: QSplitter) -> None:
        if splitter is self.main_splitter:
            splitter.setSizes([560, 720])
        elif splitter is self.right_splitter:
            splitter.setSizes([420, 340])
        elif splitter is self.case_panel.splitter:
            splitter.setSizes([260, 160])
        # the policy panel's splitters keep the sizes the panel gave them

    def save_state(self) -> None:
        self.settings.setValue("ui/geometry", self.saveGeometry())
        for splitter in self._splitters():
            self.settings.setValue(f"ui/{splitter.objectName()}", splitter.saveState())
        self.settings.setValue("ui/effort", self.window_actions.effort())
        self.settings.sync()

    # --- closing --------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.document.maybe_save():
            event.ignore()
            return
        self.save_state()
        self.shutdown()
        event.accept()

    def shutdown(self) -> None:
        """Stop every worker, close the engine and the store; safe to call more than once."""
        self.controller.shutdown()
        self.suites.shutdown()
        self.engine_holder.close()
        self.models_controller.shutdown()
        self.evaluation_actions.shutdown()
        self.evaluation.shutdown()
        self.store.close()
