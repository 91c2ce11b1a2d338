"""The Help menu: About, Policy writing guide, Open data folder, Report a problem.

The window hands over only what the menu needs (the menu bar, a parent for the dialogs,
the engine-state signal and a way to show a status message); the facts behind About and
the diagnostics are gathered on a worker thread, so the GUI thread never waits for the
llama.cpp library to load or for ``nvidia-smi`` to answer.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QUrl, SignalInstance, Slot
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMenuBar, QWidget

from app.core.storage_paths import APP_DISPLAY_NAME, data_dir
from app.gui.help.about import AboutDialog
from app.gui.help.facts import AppFacts, diagnostics_text, gather_facts
from app.gui.help.guide import GuideViewer
from app.gui.shared.tasks import TaskRunner

COPIED = (
    "Diagnostics copied to the clipboard (versions, backend, GPU, last engine error; no "
    "policy or case text): paste them into your problem report."
)


class HelpMenu(QObject):
    """Owns the Help menu's actions and the dialogs they open."""

    def __init__(
        self,
        menu_bar: QMenuBar,
        parent: QWidget,
        engine_states: SignalInstance,
        show_message: Callable[[str], None],
    ) -> None:
        super().__init__(parent)
        self._parent = parent
        self._show_message = show_message
        self.tasks = TaskRunner(self, max_threads=1)
        self.last_error = ""
        self.about_dialog: AboutDialog | None = None
        self.guide_viewer: GuideViewer | None = None
        engine_states.connect(self._on_engine_state)

        menu = menu_bar.addMenu("&Help")
        self.menu = menu
        self.guide_action = self._add("Policy writing &guide", self.show_guide)
        self.guide_action.setShortcut(QKeySequence.StandardKey.HelpContents)  # F1
        self.open_data_action = self._add("Open &data folder", self.open_data_folder)
        self.report_action = self._add("&Report a problem…", self.report_problem)
        menu.addSeparator()
        self.about_action = self._add(f"&About {APP_DISPLAY_NAME}", self.show_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)  # the app menu on macOS

    def _add(self, text: str, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self._parent)
        action.triggered.connect(lambda _checked=False: slot())
        self.menu.addAction(action)
        return action

    @Slot(str, str)
    def _on_engine_state(self, state: str, detail: str) -> None:
        if state == "error" and detail:
            self.last_error = detail

    def show_about(self) -> AboutDialog:
        if self.about_dialog is None:
            self.about_dialog = AboutDialog(self._parent)
            dialog = self.about_dialog
            self.tasks.submit(gather_facts, on_done=dialog.set_facts, on_error=dialog.set_problem)
        self.about_dialog.show()
        self.about_dialog.raise_()
        return self.about_dialog

    def show_guide(self) -> GuideViewer:
        if self.guide_viewer is None:
            self.guide_viewer = GuideViewer(self._parent)
        self.guide_viewer.show()
        self.guide_viewer.raise_()
        return self.guide_viewer

    def open_data_folder(self) -> None:
        folder = data_dir()
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self._show_message(f"No file manager opened; the data folder is {folder}.")

    def report_problem(self) -> None:
        """Gather the facts off the GUI thread, then copy the diagnostics block."""
        self.tasks.submit(gather_facts, on_done=self._copy_report, on_error=self._report_failed)

    def _copy_report(self, facts: AppFacts) -> None:
        QGuiApplication.clipboard().setText(diagnostics_text(facts, self.last_error))
        self._show_message(COPIED)

    def _report_failed(self, message: str) -> None:
        self._show_message(f"The diagnostics could not be gathered ({message}); try again.")

    def shutdown(self) -> None:
        self.tasks.shutdown()


def install_help_menu(
    menu_bar: QMenuBar,
    parent: QWidget,
    engine_states: SignalInstance,
    show_message: Callable[[str], None],
) -> HelpMenu:
    """Add the Help menu to ``menu_bar``; dialogs open over ``parent``."""
    return HelpMenu(menu_bar, parent, engine_states, show_message)
