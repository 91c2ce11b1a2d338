"""The workbench window: policy editor on the left, cases and the result on the right.

It only assembles and wires, in one order: panels (``window_layout``), store, the shared
``TaskRunner`` for short jobs, the one ``EngineController`` (its ``RunService`` owns engine,
cache and store writes), ``PolicyDocument``, ``RunCoordinator``, the case-file, evaluation
and robustness parts, menus and toolbar (``window_actions``), then the analysis and review
features, each handed its menu by key. Every feature gets a context of the few
collaborators it uses, other features' parts as the ports of ``app.gui.shared.ports``;
below the cases, "Result | Metrics | Robustness | Triage | Suggestion".
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QMenu, QWidget

from app.core.cases import cases_path_for
from app.core.storage_paths import APP_DISPLAY_NAME as APP_TITLE
from app.gui.analysis.context import AnalysisContext
from app.gui.analysis.window_analysis import WindowAnalysis
from app.gui.cases.file_actions import CaseFileActions
from app.gui.evaluation.actions import EvaluationActions, EvaluationContext
from app.gui.evaluation.controller import EvaluationController
from app.gui.models.controller import ModelsController
from app.gui.policy.documents import PolicyDocument
from app.gui.policy.start_page import show_start_page
from app.gui.review.window_review import ReviewContext, WindowReview
from app.gui.robustness.view import RobustnessContext, RobustnessView
from app.gui.running.engine_controller import EngineController
from app.gui.running.runner import RunCoordinator
from app.gui.running.status_bar import RunStatusBar
from app.gui.settings.dialog import SettingsDialog
from app.gui.shared import options
from app.gui.shared.backend_values import backend_config, use_local_model
from app.gui.shared.layout_state import restore_layout, save_layout
from app.gui.shared.tasks import TaskRunner
from app.gui.shared.widgets import notice_box
from app.gui.window_actions import MenuKey, WindowActions, WindowCommands, effort_combo
from app.gui.window_layout import WorkbenchLayout
from app.runs.pipeline.service import EngineFactory
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
        self.workbench = panels = WorkbenchLayout()  # the panels and where they sit
        self.policy_panel, self.case_panel = panels.policy_panel, panels.case_panel
        self.result_view, self.metrics_panel = panels.result_view, panels.metrics_panel
        self.right_tabs, self.start_page = panels.right_tabs, panels.start_page
        self.main_splitter, self.right_splitter = panels.main_splitter, panels.right_splitter
        self.central = panels.central
        self.setCentralWidget(self.central)

        # the store, the short-job pool, the one engine controller; the features use these
        self.store, store_problem = Store.open_or_temporary()
        self.tasks = TaskRunner(self)  # stopped by shutdown
        self.controller = EngineController(self.store, engine_factory, self)
        self.evaluation = EvaluationController(self.store, self.tasks, self)
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
            self.tasks, self.show_message,
        )  # fmt: skip
        self.evaluation_actions = EvaluationActions(
            EvaluationContext(
                parent=self, store=self.store, evaluation=self.evaluation, settings=settings,
                metrics_panel=self.metrics_panel, cases=self.case_panel,
                policy=self.policy_panel, policy_path=self.policy_path,
                last_run_id=self.controller.run_id, show_case=self.runner.show_case,
                show_message=self.show_message,
            )
        )  # fmt: skip
        self.robustness_view = RobustnessView(RobustnessContext(
            engine=self.controller, settings=settings, cases=self.case_panel,
            prepare=self.runner.prepare, cases_path=self.cases_path,
            effort=self.effort_combo.currentText, show_message=self.show_message,
            tabs=self.right_tabs,
        ))  # fmt: skip
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
        self._build_features(self.window_actions.menus)
        self._wire()
        restore_layout(settings, self, self.workbench.splitters())
        self._apply_engine_settings()
        self.runner.policy_changed()
        self._update_title()
        if store_problem:
            self.show_message(store_problem + " Results are kept for this session only.")

    def _build_features(self, menus: dict[MenuKey, QMenu]) -> None:
        """The analysis views and Review mode, each given its context and its menus."""
        self.analysis = WindowAnalysis(AnalysisContext(
            parent=self, store=self.store, settings=self.settings, tasks=self.tasks,
            engine=self.controller, runner=self.runner, cases=self.case_panel,
            policy=self.policy_panel, outline=self.policy_panel.outline, tabs=self.right_tabs,
            metrics_splitter=self.metrics_panel.splitter, run_menu=menus[MenuKey.RUN],
            run_metrics_ready=self.evaluation.runMetricsReady, policy_path=self.policy_path,
            cases_path=self.cases_path, effort=self.effort_combo.currentText,
            show_message=self.show_message,
        ))  # fmt: skip
        self.review = WindowReview(ReviewContext(
            parent=self, store=self.store, settings=self.settings, menu=menus[MenuKey.REVIEW],
            run_metrics_ready=self.evaluation.runMetricsReady, cases_path=self.cases_path,
            cases=self.case_panel,
            refresh_metrics=self.evaluation.request_run_metrics,
            show_message=self.show_message,
        ))  # fmt: skip

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

    def save_state(self) -> None:
        save_layout(self.settings, self, list(self.workbench.splitters()))
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
        self.tasks.shutdown()  # every short job of every feature
        self.window_actions.help.shutdown()
        self.store.close()
