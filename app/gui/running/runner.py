"""Running cases from the window: build requests, ask for a model, route results.

``RunCoordinator`` sits between the widgets and the two controllers that share one engine:
the ``EngineController`` runs the selected case (Run case), the ``SuiteController`` runs a
test set (Run all / failed / selected, Resume) and stores every result in SQLite as it
finishes. The coordinator turns the policy on screen and the chosen cases into requests,
asks for a model file the first time, records each result on the case model (with the
policy text and content it was computed for, so later edits mark it stale), and streams
deltas into the result view when the running case is the one shown. Only one job runs at
a time: ``runningChanged`` covers both kinds, and ``suiteEnded(status)`` ends each.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from app.core.policy import Policy, PolicyError, parse_policy
from app.core.run_types import ClassifyRequest, ClassifyResult, EngineSettings
from app.gui.cases.panel import CasePanel
from app.gui.running.engine_controller import EngineController
from app.gui.running.result_view import ResultView
from app.gui.running.suite_controller import SuiteController, stored_as_result
from app.gui.running.suite_request import LAST_RUN, SuiteRequest
from app.gui.shared.backend_values import load_backend_values
from app.gui.shared.model_file import ask_for_model
from app.gui.shared.settings_store import (
    load_engine_settings,
    load_run_settings,
    save_engine_settings,
)

SUITE_KINDS = ("all", "failed", "selected", "resume")


class RunCoordinator(QObject):
    """Starts runs and keeps the case model and result view in step with the controller."""

    runningChanged = Signal(bool)
    progressChanged = Signal(int, int, float)  # done, total, eta seconds
    message = Signal(str)  # one sentence for the status bar
    suiteEnded = Signal(str)
    caseStarted = Signal(str)  # the engine starts on a case (either kind of run)
    suiteOutcome = Signal(object)  # SuiteOutcome of a suite run

    def __init__(
        self,
        controller: EngineController,
        suites: SuiteController,
        cases_path: Callable[[], str],
        policy_panel,
        case_panel: CasePanel,
        result_view: ResultView,
        settings: QSettings,
        effort: Callable[[], str],
        parent_widget: QWidget,
    ) -> None:
        super().__init__(parent_widget)
        self.controller = controller
        self.suites = suites
        self._cases_path = cases_path
        self._in_flight = ""
        self.policy_panel = policy_panel
        self.cases = case_panel
        self.model = case_panel.model
        self.view = result_view
        self.settings = settings
        self._effort = effort
        self._window = parent_widget
        self._submitted: dict[str, tuple[str, str]] = {}  # case id -> (policy text, content)
        self._policy: Policy | None = None
        controller.caseStarted.connect(self._on_case_started)
        controller.deltaReceived.connect(self._on_delta)
        controller.caseFinished.connect(self._on_case_finished)
        controller.caseFailed.connect(self._on_case_failed)
        controller.caseCancelled.connect(self._on_case_cancelled)
        controller.suiteProgress.connect(self.progressChanged)
        controller.suiteEnded.connect(self._on_suite_ended)
        suites.caseStarted.connect(self._on_case_started)
        suites.deltaReceived.connect(self._on_delta)
        suites.suiteStarted.connect(lambda _run_id, total: self.progressChanged.emit(0, total, -1))
        suites.suiteProgress.connect(self.progressChanged)
        suites.casesStored.connect(self._on_cases_stored)
        suites.suiteEnded.connect(self._on_suite_outcome)
        case_panel.currentCaseChanged.connect(self.show_case)
        case_panel.caseContentEdited.connect(self._on_case_content_edited)
        policy_panel.policyEdited.connect(self.policy_changed)
        result_view.ruleCodeClicked.connect(self.jump_to_rule)
        result_view.phrasesFound.connect(self._on_phrases)

    # --- policy ---------------------------------------------------------------------
    def policy(self) -> Policy | None:
        return self._policy

    @Slot()
    def policy_changed(self) -> None:
        """The policy text changed (edit or load): re-check staleness, labels, context."""
        text = self.policy_panel.text()
        self.model.set_policy_text(text)
        try:
            self._policy = parse_policy(text)
        except PolicyError:
            self._policy = None  # keep the last labels while the front matter is half-typed
        else:
            output = self._policy.output
            choices = list(dict.fromkeys([*output.labels, *output.tiers]))  # tiers may be expected
            self.cases.set_labels(choices, {c for c in choices if output.is_violating(c)})
        self.show_case(self.view.case_id() or self.cases.current_case_id())

    def _defined_codes(self) -> set[str]:
        return {rule.code for rule in self._policy.rule_codes} if self._policy else set()

    # --- showing --------------------------------------------------------------------
    @Slot(str)
    def show_case(self, case_id: str) -> None:
        case = self.model.case(case_id)
        self.view.set_context(
            case.content if case else "", self.policy_panel.text(), self._defined_codes()
        )
        self.view.show_entry(case_id if case else "", self.model.entry(case_id) if case else None)

    def _on_case_content_edited(self, case_id: str) -> None:
        if case_id == self.view.case_id():
            self.show_case(case_id)

    @Slot(list)
    def _on_phrases(self, phrases: list) -> None:
        self.cases.highlight_phrases(phrases)
        self.policy_panel.highlight_phrases(phrases)

    @Slot(str)
    def jump_to_rule(self, code: str) -> None:
        if self.policy_panel.jump_to_rule(code):
            self.message.emit(f"Rule {code} in the policy.")
        else:
            self.message.emit(f"Rule {code} is cited but not defined in the policy.")

    # --- running --------------------------------------------------------------------
    def is_running(self) -> bool:
        return self.controller.is_busy() or self.suites.is_busy()

    def run_current(self) -> bool:
        case_id = self.cases.current_case_id()
        if not case_id:
            self.message.emit("Select a case to run, or add one first.")
            return False
        return self.run_ids([case_id])

    def run_all(self) -> bool:
        """Run every case shown in the table as a stored suite."""
        return self.run_suite("all")

    def run_suite(self, kind: str = "all") -> bool:
        """Run a test set through the SuiteController: ``all`` (the cases shown),
        ``failed`` (shown cases whose result is wrong, an error or no verdict),
        ``selected`` or ``resume`` (the last unfinished run of this policy)."""
        if kind not in SUITE_KINDS:
            raise ValueError(f"Unknown suite kind '{kind}'; use one of {', '.join(SUITE_KINDS)}.")
        if kind == "all" or kind == "resume":
            ids = self.cases.visible_case_ids() if kind == "all" else self._all_ids()
            empty = "There are no cases to run; add some first."
        elif kind == "selected":
            ids = [i for i in self.cases.selected_ids() if self.model.case(i)]
            empty = "Select the cases to run first."
        else:
            ids = [i for i in self.cases.visible_case_ids() if self._failed(i)]
            empty = "No failed cases: every result shown agrees with its expected label."
        if not ids:
            self.message.emit(empty)
            return False
        prepared = self._prepare()
        if prepared is None:
            return False
        policy, text, engine = prepared
        cases = [case for case in (self.model.case(i) for i in ids) if case is not None]
        values = load_backend_values(self.settings)
        request = SuiteRequest(
            policy=policy,
            cases=cases,
            run=load_run_settings(self.settings, self._effort()),
            engine=engine,
            resume_run_id=LAST_RUN if kind == "resume" else None,
            cases_path=self._cases_path(),
            concurrency=values["concurrency" if values["backend"] == "remote" else "parallel"],
        )
        self._submitted = {case.id: (text, case.content) for case in cases}
        self._in_flight = ""
        if kind != "resume":
            self.model.set_queued(list(self._submitted))
        if not self.suites.start(request):
            self.model.set_queued(list(self._submitted), False)
            return False
        self.runningChanged.emit(True)
        return True

    def _all_ids(self) -> list[str]:
        return [case.id for case in self.model.cases()]

    def _failed(self, case_id: str) -> bool:
        entry, case = self.model.entry(case_id), self.model.case(case_id)
        if entry is None or case is None or entry.state in ("queued", "running", "cancelled"):
            return False
        if entry.verdict_kind in ("error", "no_verdict"):
            return True
        verdict = entry.result.verdict if entry.result else None
        return bool(case.expected) and not (verdict and verdict.agrees_with(case.expected))

    def _prepare(self) -> tuple[Policy, str, EngineSettings] | None:
        """The parsed policy, its text and the engine settings, or None (told why)."""
        if self.is_running():
            self.message.emit("A run is already in progress; cancel it or wait for it to end.")
            return None
        text = self.policy_panel.text()
        path = self._window_path()
        try:
            policy = parse_policy(text, Path(path) if path else None)
        except PolicyError as exc:
            QMessageBox.warning(self._window, "The policy cannot be used", str(exc))
            return None
        if not policy.body.strip():
            self.message.emit("The policy is empty; write or open one before running.")
            return None
        engine = self.ensure_model()
        return None if engine is None else (policy, text, engine)

    def _window_path(self) -> str:
        document = getattr(self._window, "document", None)
        return str(document.path) if document is not None and document.path else ""

    def run_ids(self, case_ids: list[str]) -> bool:
        """Queue the given cases with the current policy and settings (not stored)."""
        prepared = self._prepare()
        if prepared is None:
            return False
        policy, text, engine = prepared
        run = load_run_settings(self.settings, self._effort())
        requests = []
        self._submitted.clear()
        for case_id in case_ids:
            case = self.model.case(case_id)
            if case is None:
                continue
            requests.append(ClassifyRequest(case_id, policy.body, case.content, run, policy.output))
            self._submitted[case_id] = (text, case.content)
        self.model.set_queued(list(self._submitted))
        if not self.controller.run_cases(requests, engine):
            self.model.set_queued(list(self._submitted), False)
            return False
        self.runningChanged.emit(True)
        return True

    def cancel(self) -> None:
        if self.controller.is_busy():
            self.message.emit("Cancelling…")
            self.controller.cancel()
        if self.suites.is_busy():
            self.message.emit("Cancelling…")
            self.suites.cancel()

    def ensure_model(self) -> EngineSettings | None:
        """The engine settings with a usable model path, asking for a file if needed
        (a remote server needs no file)."""
        engine = load_engine_settings(self.settings)
        if load_backend_values(self.settings)["backend"] == "remote":
            return engine
        chosen = ask_for_model(engine, self._window, self.message.emit)
        if chosen is not None and chosen is not engine:
            save_engine_settings(self.settings, chosen)
            self.controller.set_no_model()
        return chosen

    # --- controller events ----------------------------------------------------------
    @Slot(str)
    def _on_case_started(self, case_id: str) -> None:
        self._in_flight = case_id
        self.caseStarted.emit(case_id)
        policy_text, content = self._submitted.get(case_id, ("", ""))
        self.model.start_entry(case_id, policy_text, content)
        if case_id == self.cases.current_case_id():
            self.show_case(case_id)

    @Slot(str, str, str)
    def _on_delta(self, case_id: str, channel: str, text: str) -> None:
        entry = self.model.entry(case_id)
        if entry is None:
            return
        if channel == "analysis":
            entry.analysis += text
        elif channel == "final":
            entry.final += text
        if case_id == self.view.case_id():
            self.view.append_delta(channel, text)

    @Slot(str, object)
    def _on_case_finished(self, case_id: str, result: ClassifyResult) -> None:
        self.model.set_result(case_id, result)
        self._refresh_if_shown(case_id)

    @Slot(str, str)
    def _on_case_failed(self, case_id: str, message: str) -> None:
        self.model.set_state(case_id, "failed", message)
        self.message.emit(message)
        self._refresh_if_shown(case_id)

    @Slot(str)
    def _on_case_cancelled(self, case_id: str) -> None:
        self.model.set_state(case_id, "cancelled")
        self._refresh_if_shown(case_id)

    def _refresh_if_shown(self, case_id: str) -> None:
        if case_id == self.view.case_id():
            self.show_case(case_id)

    # --- suite controller events ----------------------------------------------------
    @Slot(list)
    def _on_cases_stored(self, results: list) -> None:
        items = []
        for stored in results:
            policy_text, content = self._submitted.get(stored.case_id, ("", stored.content))
            items.append(
                (stored.case_id, policy_text, content, stored_as_result(stored), stored.cached)
            )
            if stored.case_id == self._in_flight:
                self._in_flight = ""
            if stored.status == "error":
                self.message.emit(stored.message.split(":", 1)[-1].strip())
        self.model.set_results(items)
        shown = self.view.case_id()
        if any(stored.case_id == shown for stored in results):
            self.show_case(shown)

    @Slot(object)
    def _on_suite_outcome(self, outcome) -> None:
        if outcome.status == "cancelled" and self._in_flight:
            self._on_case_cancelled(self._in_flight)
        elif outcome.status == "failed" and self._in_flight:
            self.model.set_state(self._in_flight, "failed", outcome.message)
        self._in_flight = ""
        if outcome.message:
            self.message.emit(outcome.message)
        self.suiteOutcome.emit(outcome)
        self._on_suite_ended(outcome.status, bool(outcome.message))

    @Slot(str)
    def _on_suite_ended(self, status: str, told: bool = False) -> None:
        self.model.set_queued(list(self.model.queued_ids()), False)
        self._submitted.clear()
        texts = {
            "finished": "Run finished.",
            "cancelled": "Run cancelled.",
            "failed": "Run stopped: the engine failed. Your edits are safe; run again to restart it.",
        }
        if not told:
            self.message.emit(texts.get(status, status))
        self.runningChanged.emit(False)
        self.suiteEnded.emit(status)
