"""The workbench window: policy editor on the left, cases and the result on the right.

The window only assembles and wires: file operations live in ``PolicyDocument``, running in
``RunCoordinator`` (through the ``EngineController``), widgets in their own modules. Menus
and the toolbar come from ``window_actions``. Geometry and splitter positions persist in
QSettings.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QMessageBox, QSplitter, QWidget

from app.gui.case_panel import CasePanel
from app.gui.controller import EngineController, EngineFactory
from app.gui.documents import PolicyDocument
from app.gui.result_view import ResultView
from app.gui.runner import RunCoordinator
from app.gui.settings_dialog import SettingsDialog
from app.gui.settings_store import load_engine_settings
from app.gui.status_bar import RunStatusBar
from app.gui.window_actions import WindowActions

APP_TITLE = "Safeguard Studio"


def policy_panel_class() -> type:
    """The real PolicyPanel when it is available, else the plain placeholder."""
    try:
        from app.gui.policy_panel import PolicyPanel
    except ModuleNotFoundError as exc:
        if exc.name != "app.gui.policy_panel":
            raise
        from app.gui.policy_placeholder import PolicyPanelPlaceholder as PolicyPanel
    return PolicyPanel


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
        self.policy_panel = policy_panel_class()()
        self.case_panel = CasePanel()
        self.result_view = ResultView()
        self.right_splitter = QSplitter(Qt.Orientation.Vertical)
        self.right_splitter.setObjectName("rightSplitter")
        self.right_splitter.addWidget(self.case_panel)
        self.right_splitter.addWidget(self.result_view)
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

        self.controller = EngineController(engine_factory, self)
        self.document = PolicyDocument(self.policy_panel, self.case_panel, settings, self)
        self.status = RunStatusBar(self)
        self.setStatusBar(self.status)
        self.window_actions = WindowActions(self)
        self.runner = RunCoordinator(
            self.controller,
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

    @Slot(str, str)
    def _on_engine_state(self, state: str, detail: str) -> None:
        if state == "no_model":
            detail = Path(load_engine_settings(self.settings).model_path).name
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

    @Slot(str)
    def _on_path_changed(self, _path: str) -> None:
        self.runner.policy_changed()
        self._update_title()

    @Slot()
    def _update_title(self, *_args) -> None:
        self.setWindowTitle(f"{self.document.display_name()}[*] — {APP_TITLE}")
        self.setWindowModified(self.document.is_modified())

    def show_message(self, text: str) -> None:
        self.status.showMessage(text, 8000)

    # --- settings -------------------------------------------------------------------
    def open_settings_dialog(self) -> None:
        dialog = SettingsDialog(self.settings, self)
        if dialog.exec() == SettingsDialog.DialogCode.Accepted:
            self._apply_engine_settings()

    def _apply_engine_settings(self) -> None:
        engine = load_engine_settings(self.settings)
        self.policy_panel.set_context_size(engine.n_ctx)
        if not self.controller.is_busy() and self.controller.state in ("no_model", "error"):
            self._on_engine_state("no_model", "")

    def _restore_state(self) -> None:
        geometry = self.settings.value("ui/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        for splitter in (self.main_splitter, self.right_splitter, self.case_panel.splitter):
            state = self.settings.value(f"ui/{splitter.objectName()}")
            if state is None or not splitter.restoreState(state):
                self._default_sizes(splitter)

    def _default_sizes(self, splitter: QSplitter) -> None:
        if splitter is self.main_splitter:
            splitter.setSizes([560, 720])
        elif splitter is self.right_splitter:
            splitter.setSizes([420, 340])
        else:
            splitter.setSizes([260, 160])

    def save_state(self) -> None:
        self.settings.setValue("ui/geometry", self.saveGeometry())
        for splitter in (self.main_splitter, self.right_splitter, self.case_panel.splitter):
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
        """Stop the engine worker; safe to call more than once."""
        self.controller.shutdown()
