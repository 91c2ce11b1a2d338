"""Menus, toolbar and keyboard shortcuts of the main window.

Kept apart from the window's layout so that the action list reads as one table. The actions
get what they call as a :class:`WindowCommands` built once by the window (no look-ups on the
window at call time), and the reasoning-effort combo that the runner reads. File
(new, templates, open, recent, save, save as, models, settings, quit), Edit (undo, redo,
cut, copy, paste, select all, find and replace in the policy, find in the reasoning), Run
(run case, run all, run shown cases, run failed, run selected, resume last run, cancel),
Test set (import, export CSV / JSONL), History (policy versions, compare two runs,
export run report), View (theme, result / metrics tab), Review (filled by app.gui.review)
and Help (app.gui.help). Each top-level menu is kept under its :class:`MenuKey`; the window
hands a feature the menus it adds to by key (never by looking up a title).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from PySide6.QtCore import QSettings, SignalInstance
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QMainWindow,
    QMenu,
    QTabWidget,
    QToolBar,
)

from app.core.run_types import EFFORTS
from app.gui.cases.file_actions import CaseFileActions
from app.gui.cases.label_file_run import LabelFileRun
from app.gui.cases.panel import CasePanel
from app.gui.evaluation.actions import EvaluationActions
from app.gui.help import install_help_menu
from app.gui.policy.documents import PolicyDocument
from app.gui.policy.panel import PolicyPanel
from app.gui.policy.templates import list_templates
from app.gui.running.result_view import ResultView
from app.gui.running.runner import RunCoordinator
from app.gui.shared import options
from app.gui.shared.edit_actions import EditTargets, add_edit_actions
from app.gui.shared.pane_focus import PaneCycle
from app.gui.shared.theme import THEMES, apply_theme
from app.gui.shared.undo_order import UndoOrder


class MenuKey(Enum):
    """The window's top-level menus in their order (Help follows); a feature is handed
    its menu by key, never finds it by title. The value is the title shown."""

    FILE = "&File"
    EDIT = "&Edit"
    RUN = "&Run"
    TEST_SET = "Test &set"
    HISTORY = "&History"
    VIEW = "&View"
    REVIEW = "Re&view"  # filled by app.gui.review


@dataclass
class WindowCommands:
    """What the menus and the toolbar call; built once by the window."""

    document: PolicyDocument
    runner: RunCoordinator
    evaluation: EvaluationActions
    case_files: CaseFileActions
    policy_panel: PolicyPanel
    tabs: QTabWidget
    settings: QSettings
    open_models: Callable[[], object]
    open_settings: Callable[[], None]
    theme_changed: Callable[[], None]
    case_panel: CasePanel
    result_view: ResultView
    engine_states: SignalInstance  # (state, detail): Help keeps the last engine error
    show_message: Callable[[str], None]
    show_robustness: Callable[[], None]


def effort_combo(settings: QSettings) -> QComboBox:
    """The toolbar's reasoning-effort choice, set to the one used last."""
    combo = QComboBox()
    combo.addItems(list(EFFORTS))
    combo.setToolTip("Reasoning effort: low is fastest, high is most careful")
    combo.setCurrentText(options.get(settings, options.UI_EFFORT))
    return combo


class WindowActions:
    """Creates and owns the window's actions; the window calls its setters."""

    def __init__(self, window: QMainWindow, commands: WindowCommands, effort: QComboBox) -> None:
        self.window = window
        self.commands = commands
        self.effort_combo = effort
        doc, menu_bar, runner = commands.document, window.menuBar(), commands.runner
        self.menus = {key: menu_bar.addMenu(key.value) for key in MenuKey}

        file_menu = self.menus[MenuKey.FILE]
        self.new_action = self._add(
            file_menu, "&New policy", doc.new_blank, QKeySequence.StandardKey.New
        )
        self.template_menu = file_menu.addMenu("New from &template")
        self.template_menu.aboutToShow.connect(self._fill_templates)
        self.open_action = self._add(
            file_menu, "&Open…", doc.open_dialog, QKeySequence.StandardKey.Open
        )
        self.recent_menu = file_menu.addMenu("Open &recent")
        file_menu.addSeparator()
        self.save_action = self._add(file_menu, "&Save", doc.save, QKeySequence.StandardKey.Save)
        self.save_as_action = self._add(
            file_menu, "Save &as…", doc.save_as, QKeySequence.StandardKey.SaveAs
        )
        file_menu.addSeparator()
        self.models_action = self._add(
            file_menu, "&Models…", commands.open_models, QKeySequence("Ctrl+Shift+M")
        )
        self.settings_action = self._add(
            file_menu, "Se&ttings…", commands.open_settings, QKeySequence("Ctrl+,")
        )
        file_menu.addSeparator()
        self.quit_action = self._add(
            file_menu, "&Quit", window.close, QKeySequence.StandardKey.Quit
        )

        edit_menu = self.menus[MenuKey.EDIT]
        cases = commands.case_panel
        self.edit_actions = add_edit_actions(
            edit_menu, window, EditTargets(
                cases.undo_stack, cases.table, cases.selected_content, cases.paste_many,
                UndoOrder(commands.policy_panel.editor.document(), cases.undo_stack, window),
            ),
        )  # fmt: skip
        self.find_action = commands.policy_panel.find_action
        self.replace_action = commands.policy_panel.replace_action
        edit_menu.addActions([self.find_action, self.replace_action])
        finder = commands.result_view.finder
        self.find_reasoning_action = self._add(
            edit_menu, "Find in r&easoning…", finder.open_bar, QKeySequence("Ctrl+Shift+F")
        )
        cases.runRequested.connect(runner.run_current)
        # finding in a hidden editor would leave the keyboard in an invisible field
        self.workbench_only = (self.find_action, self.replace_action, self.find_reasoning_action)

        run_menu = self.menus[MenuKey.RUN]
        self.run_case_action = self._add(
            run_menu, "Run &case", runner.run_current, QKeySequence("Ctrl+Return")
        )
        self.run_case_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.run_all_action = self._add(
            run_menu, "Run &all", runner.run_all, QKeySequence("Ctrl+Shift+Return")
        )
        self.run_all_action.setShortcuts(
            [QKeySequence("Ctrl+Shift+Return"), QKeySequence("Ctrl+Shift+Enter")]
        )
        self.run_shown_action = self._add(
            run_menu, "Run s&hown cases", lambda: runner.run_suite("shown")
        )
        self.run_failed_action = self._add(
            run_menu, "Run &failed", lambda: runner.run_suite("failed")
        )
        self.run_selected_action = self._add(
            run_menu, "Run &selected", lambda: runner.run_suite("selected")
        )
        self.resume_action = self._add(
            run_menu, "&Resume last run", lambda: runner.run_suite("resume")
        )
        run_menu.addSeparator()
        self.cancel_action = self._add(run_menu, "Ca&ncel run", runner.cancel, QKeySequence("Esc"))
        self.suite_actions = (
            self.run_case_action,
            self.run_all_action,
            self.run_shown_action,
            self.run_failed_action,
            self.run_selected_action,
            self.resume_action,
        )

        files, data = commands.case_files, commands.evaluation
        set_menu = self.menus[MenuKey.TEST_SET]
        self.import_action = self._add(set_menu, "&Import…", files.import_cases)
        self.export_csv_action = self._add(
            set_menu, "Export &CSV…", lambda: files.export_cases("csv")
        )
        self.export_jsonl_action = self._add(
            set_menu, "Export &JSONL…", lambda: files.export_cases("jsonl")
        )
        self._add(set_menu, "&Label a file…", LabelFileRun(window, commands, self.effort).start)
        history_menu = self.menus[MenuKey.HISTORY]
        self.history_action = self._add(
            history_menu, "&Policy versions…", data.show_history, QKeySequence("Ctrl+Shift+H")
        )
        self.compare_action = self._add(history_menu, "&Compare runs…", data.compare_runs)
        self.report_action = self._add(history_menu, "&Export run report…", data.export_report)
        self.results_csv_action = self._add(
            history_menu, "Export run &results CSV…", data.export_results_csv
        )

        view_menu = self.menus[MenuKey.VIEW]
        theme_menu = view_menu.addMenu("&Theme")
        group = QActionGroup(window)
        current = options.get(commands.settings, options.THEME)
        for theme in THEMES:
            action = theme_menu.addAction(theme.capitalize())
            action.setCheckable(True)
            action.setChecked(theme == current)
            action.triggered.connect(lambda _=False, t=theme: self._set_theme(t))
            group.addAction(action)
        view_menu.addSeparator()
        tabs = commands.tabs
        self.show_result_action = self._add(
            view_menu, "&Result", lambda: tabs.setCurrentIndex(0), QKeySequence("Ctrl+1")
        )
        self.show_metrics_action = self._add(
            view_menu, "&Metrics", lambda: tabs.setCurrentIndex(1), QKeySequence("Ctrl+2")
        )
        self.show_robustness_action = self._add(
            view_menu, "R&obustness", commands.show_robustness, QKeySequence("Ctrl+3")
        )
        view_menu.addSeparator()
        panes = PaneCycle(
            [commands.policy_panel.editor, cases.table, cases.content_edit, tabs.currentWidget]
        )
        self.next_pane_action = self._add(view_menu, "&Next pane", panes.next, QKeySequence("F6"))
        self.previous_pane_action = self._add(
            view_menu, "Pre&vious pane", panes.previous, QKeySequence("Shift+F6")
        )
        self.help = install_help_menu(
            menu_bar, window, commands.engine_states, commands.show_message
        )

        toolbar = QToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        for action in (self.open_action, self.save_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        for action in (self.run_case_action, self.run_all_action, self.cancel_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addWidget(QLabel(" Reasoning: "))
        toolbar.addWidget(self.effort_combo)
        window.addToolBar(toolbar)
        self.toolbar = toolbar
        for action, tip in (
            (self.run_case_action, "Run the selected case (Ctrl+Enter)"),
            (self.run_all_action, "Run every case of the test set (Ctrl+Shift+Enter)"),
            (self.run_shown_action, "Run only the cases the table shows under its filters"),
            (self.run_failed_action, "Run the cases whose result is wrong or has no verdict"),
            (self.resume_action, "Continue the last cancelled or stopped run of this policy"),
            (self.cancel_action, "Stop the run (Esc)"),
        ):
            action.setToolTip(tip)
        self.set_recent(doc.recent())
        self.set_running(False)

    def _add(self, menu: QMenu, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def effort(self) -> str:
        return self.effort_combo.currentText()

    def set_running(self, running: bool) -> None:
        for action in self.suite_actions:
            action.setEnabled(not running)
        self.cancel_action.setEnabled(running)

    def set_recent(self, paths: list[str]) -> None:
        self.recent_menu.clear()
        for path in paths:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.commands.document.open(p))
        self.recent_menu.setEnabled(bool(paths))

    def _fill_templates(self) -> None:
        self.template_menu.clear()
        templates = list_templates()
        for template in templates:
            action = self.template_menu.addAction(template.name)
            action.setToolTip(str(template.path))
            action.triggered.connect(
                lambda _=False, p=template.path: self.commands.document.new_from_template(p)
            )
        if not templates:
            self.template_menu.addAction("(no templates found)").setEnabled(False)

    def _set_theme(self, theme: str) -> None:
        options.put(self.commands.settings, options.THEME, theme)
        app = QApplication.instance()
        if app is not None:
            apply_theme(app, theme)
        self.commands.theme_changed()
