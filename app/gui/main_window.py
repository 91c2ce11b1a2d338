"""The workbench window: policy editor on the left, cases and the result on the right.

It only assembles and wires, in one order: panels, store, the one ``EngineController`` (its
``RunService`` owns engine, cache and store writes), ``PolicyDocument``, ``RunCoordinator``,
the case-file, evaluation and robustness parts (each given the few collaborators it uses),
menus and toolbar (``window_actions``); below the cases, "Result | Metrics | Robustness".
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QSplitter, QStackedWidget, QTabWidget, QWidget

from app.core.cases import cases_path_for
from app.core.storage_paths import APP_DISPLAY_NAME as APP_TITLE
from app.gui.cases.file_actions import CaseFileActions
from app.gui.cases.panel import CasePanel
from app.gui.evaluation.actions import EvaluationActions, EvaluationContext
from app.gui.evaluation.controller import EvaluationController
from app.gui.evaluation.metrics_panel import MetricsPanel
from app.gui.models.controller import ModelsController
from app.gui.policy.documents import PolicyDocument
from app.gui.policy.panel import PolicyPanel
from app.gui.policy.start_page import StartPage, show_start_page
from app.gui.robustness.view import RobustnessContext, RobustnessView
from app.gui.running.engine_controller import EngineController
from app.gui.running.result_view import ResultView
from app.gui.running.runner import RunCoordinator
from app.gui.running.status_bar import RunStatusBar
from app.gui.settings.dialog import SettingsDialog
from app.gui.shared import options
from app.gui.shared.backend_values import backend_config, use_local_model
from app.gui.shared.layout_state import restore_layout, save_layout
from app.gui.shared.widgets import notice_box, scrolling
from app.gui.window_actions import WindowActions, WindowCommands, effort_combo
from app.runs.service import EngineFactory
from app.store import Store


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
        self._shown_path: str | None = None
        self._build_panels()

        # the store, then the one engine controller; everything else talks to these
        self.store, store_problem = Store.open_or_temporary()
        self.controller = EngineController(self.store, engine_factory, self)
        self.evaluation = EvaluationController(self.store, self)
        self.models_controller = ModelsController(parent=self)
        self.models_dialog = None
        self.document = PolicyDocument(self.policy_panel, self.case_panel, settings, self)
        self.status = RunStatusBar(self)
        self.setStatusBar(self.status)
        self.engine_badge = self.status.engine_badge  # where the model runs, how fast
        self.effort_combo = effort_combo(settings)
        self.runner = RunCoordinator(
            self.controller,
            self.cases_path,
            self.policy_path,
            self.policy_panel,
            self.case_panel,
            self.result_view,
            settings,
            self.effort_combo.currentText,
            self,
        )
        self.case_files = CaseFileActions(
            self, self.case_panel, self.runner.output, self.policy_path,
            self.evaluation.tasks, self.show_message,
        )  # fmt: skip
        self.evaluation_actions = EvaluationActions(
            EvaluationContext(
                parent=self, store=self.store, evaluation=self.evaluation, settings=settings,
                metrics_panel=self.metrics_panel, case_panel=self.case_panel,
                policy_editor=self.policy_panel.editor, policy_path=self.policy_path,
                last_run_id=self.controller.run_id, show_case=self.runner.show_case,
                show_message=self.show_message,
            )
        )  # fmt: skip
        self.robustness_view = RobustnessView(RobustnessContext(self.controller, settings,
            self.case_panel, self.runner.prepare, self.cases_path, self.effort_combo.currentText,
            self.show_message, self.right_tabs))  # fmt: skip
        commands = WindowCommands(
            document=self.document, runner=self.runner, evaluation=self.evaluation_actions,
            case_files=self.case_files, policy_panel=self.policy_panel, tabs=self.right_tabs,
            settings=settings, open_models=self.open_models_dialog, case_panel=self.case_panel,
            open_settings=self.open_settings_dialog, result_view=self.result_view,
            show_message=self.show_message,
            theme_changed=self.result_view.refresh_highlights,
            engine_states=self.controller.engineStateChanged,
            show_robustness=self.robustness_view.show_tab,
        )  # fmt: skip
        self.window_actions = WindowActions(self, commands, self.effort_combo)
        self._wire()
        restore_layout(settings, self, self._splitters())
        self._apply_engine_settings()
        self.runner.policy_changed()
        self._update_title()
        if store_problem:
            self.show_message(store_problem + " Results are kept for this session only.")

    def _build_panels(self) -> None:
        self.policy_panel = PolicyPanel()
        self.case_panel = CasePanel()
        self.result_view = ResultView()
        self.metrics_panel = MetricsPanel()
        self.right_tabs = QTabWidget()
        self.right_tabs.setObjectName("rightTabs")
        self.right_tabs.setDocumentMode(True)
        self.right_tabs.addTab(self.result_view, "Result")
        self.right_tabs.addTab(scrolling(self.metrics_panel), "Metrics")
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
        self.start_page = StartPage()  # instead of the workbench while no policy is open
        self.central = QStackedWidget()
        self.central.addWidget(self.start_page)
        self.central.addWidget(self.main_splitter)
        self.setCentralWidget(self.central)

    # --- paths ----------------------------------------------------------------------
    def policy_path(self) -> str:
        return str(self.document.path) if self.document.path else ""

    def cases_path(self) -> str:
        path = self.document.path
        return str(cases_path_for(path)) if path else ""

    # --- wiring ---------------------------------------------------------------------
    def _wire(self) -> None:
        self.controller.engineStateChanged.connect(self._on_engine_state)
        self.controller.modelLoaded.connect(self._on_model_loaded)
        self.controller.modelChecked.connect(self.status.refresh_check)
        self.status.check_source = lambda: backend_config(self.settings)
        self.controller.casesStored.connect(self._on_cases_stored)
        self.runner.runningChanged.connect(self._on_running)
        self.runner.progressChanged.connect(self.status.set_progress)
        self.runner.runEnded.connect(self._on_run_ended)
        self.runner.runEnded.connect(self.evaluation_actions.run_ended)
        self.status.cancelRequested.connect(self.runner.cancel)
        for source in (self.runner, self.document, self.case_panel):
            source.message.connect(self.show_message)
        self.document.modifiedChanged.connect(self._update_title)
        self.document.pathChanged.connect(self._on_path_changed)
        self.document.recentChanged.connect(self.window_actions.set_recent)
        self.document.modifiedChanged.connect(self.update_start_page)
        start = self.start_page
        start.templateChosen.connect(self.document.new_from_template)
        start.openRequested.connect(self.document.open_dialog)
        start.blankRequested.connect(self.document.new_blank)
        start.modelsRequested.connect(self.open_models_dialog)
        start.serverRequested.connect(lambda: self.open_settings_dialog(remote=True))
        self.status.modelsRequested.connect(self.open_models_dialog)
        self.runner.modelNeeded.connect(self.open_models_dialog)
        self.models_controller.activeModelChanged.connect(self._on_active_model)

    @Slot(str, str)
    def _on_engine_state(self, state: str, detail: str) -> None:
        if state == "no_model":
            detail = backend_config(self.settings).describe()
        self.status.set_engine_state(state, detail)

    @Slot(bool)
    def _on_running(self, running: bool) -> None:
        self.window_actions.set_running(running)
        self.status.set_running(running)

    @Slot(object)
    def _on_run_ended(self, outcome) -> None:
        if outcome.status == "failed" and self.controller.state == "error":
            self.engine_message_box = notice_box(  # never blocks: editing goes on
                self, "The engine stopped",
                self.controller.state_detail or "The engine stopped unexpectedly.",
                "Your policy and cases are untouched. Run again to restart it.",
            )  # fmt: skip

    @Slot(object)
    def _on_model_loaded(self, facts) -> None:
        hardware = self.models_controller.hardware
        self.engine_badge.set_load_info(facts, hardware.backend if hardware else None)

    @Slot(list)
    def _on_cases_stored(self, results: list) -> None:
        ran = [r for r in results if not r.cached and r.status != "error"]
        if ran:
            self.engine_badge.set_result(ran[-1].as_classify_result())

    @Slot(str)
    def _on_path_changed(self, path: str) -> None:
        self.update_start_page()
        self.runner.policy_changed()
        self._update_title()
        if path != self._shown_path or not path:  # opened, not re-saved
            self._shown_path = path
            self.evaluation_actions.load_stored_results()

    @Slot()
    def _update_title(self, *_args) -> None:
        self.setWindowTitle(f"{self.document.display_name()}[*] — {APP_TITLE}")
        self.setWindowModified(self.document.is_modified())

    def show_message(self, text: str) -> None:
        self.status.showMessage(text, 8000)

    # --- settings and models ----------------------------------------------------------
    def update_start_page(self, *_args) -> None:
        actions, text = self.window_actions.workbench_only, self.policy_panel.text()
        show_start_page(self.central, self.document.path, text, actions)

    def open_settings_dialog(self, remote: bool = False) -> None:
        dialog = SettingsDialog(self.settings, self)
        dialog.show_backend("remote" if remote else "")  # "Connect to a server"
        if dialog.exec() == SettingsDialog.DialogCode.Accepted:
            self._apply_engine_settings()

    def open_models_dialog(self):
        """The models dialog (built once, then shown again), estimates at our context."""
        from app.gui.models.dialog import ModelsDialog

        n_ctx = backend_config(self.settings).engine.n_ctx
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
        use_local_model(self.settings, path)
        self._apply_engine_settings()
        self.show_message(f"{Path(path).name} is the model now; the next run loads it.")

    def _apply_engine_settings(self) -> None:
        """The settings name the backend and model; Models and the status bar follow."""
        config = backend_config(self.settings)
        self.policy_panel.set_context_size(config.engine.n_ctx)
        local_path = config.engine.model_path if config.kind == "local" else ""
        self.models_controller.active_path = local_path
        self.runner.backend_changed()  # results of another model are marked
        if not self.controller.is_busy():
            self._on_engine_state("no_model", "")

    def _splitters(self) -> dict[QSplitter, list[int] | None]:
        """Every splitter whose position persists, with its default sizes (None: the
        policy panel's splitters keep the sizes the panel gave them)."""
        own = {
            self.main_splitter: [560, 720],
            self.right_splitter: [420, 340],
            self.case_panel.splitter: [260, 160],
        }
        return own | dict.fromkeys(self.policy_panel.splitters())

    def save_state(self) -> None:
        save_layout(self.settings, self, list(self._splitters()))
        options.put(self.settings, options.UI_EFFORT, self.effort_combo.currentText())
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
        self.models_controller.shutdown()
        self.case_files.shutdown()
        self.evaluation.shutdown()
        self.window_actions.help.shutdown()
        self.store.close()
