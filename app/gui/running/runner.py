"""Running cases from the window: build jobs, ask for a model, route results.

``RunCoordinator`` sits between the widgets and the one ``EngineController``. It turns the
policy on screen and the chosen cases into a :class:`~app.runs.pipeline.selection.RunJob` — a test
set (Run all / failed / selected, Resume) or one case (Run case) — and both go the same
way: the result cache, the engine, the store. It asks for a model file the first time,
records each stored result on the case model (with the policy text and content it was
computed for, so later edits mark it stale), and streams deltas into the result view when
the running case is the one shown. Each result carries the key of the model that answered
it (``ClassifyResult.model``), and :meth:`RunCoordinator.backend_changed` tells the case
model which model is chosen now, so results of another model are marked and counted in one
sentence. One job runs at a time: ``runningChanged`` covers it,
``runEnded(RunOutcome)`` ends it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from app.core.policy import OutputFormat, Policy, PolicyError
from app.core.run_types import EngineSettings
from app.gui.running.engine_controller import EngineController
from app.gui.running.result_view import ResultView
from app.gui.running.waiting import show_waiting
from app.gui.shared.backend_values import backend_config
from app.gui.shared.highlights import reveal_phrase
from app.gui.shared.model_file import model_file_ready
from app.gui.shared.result_copy import ResultContext
from app.gui.shared.result_entry import model_label
from app.gui.shared.settings_store import (
    load_engine_settings,
    load_run_settings,
)
from app.runs.backends.config import model_filter
from app.runs.pipeline.selection import LAST_RUN, RunJob, RunOutcome

SUITE_KINDS = ("all", "failed", "selected", "resume", "shown")


def _results(count: int) -> str:
    return "1 result" if count == 1 else f"{count} results"


def _be(count: int) -> str:
    return "is" if count == 1 else "are"


class RunCoordinator(QObject):
    """Starts runs and keeps the case model and result view in step with the controller."""

    runningChanged = Signal(bool)
    progressChanged = Signal(int, int, float)  # done, total, eta seconds
    message = Signal(str)  # one sentence for the status bar
    modelNeeded = Signal()  # a run found no model: the window opens the Models dialog
    caseStarted = Signal(str)  # the engine starts on a case
    runEnded = Signal(object)  # RunOutcome of every run, single case or test set

    def __init__(
        self,
        controller: EngineController,
        cases_path: Callable[[], str],
        policy_path: Callable[[], str],
        policy_panel,
        case_panel,
        result_view: ResultView,
        settings: QSettings,
        effort: Callable[[], str],
        parent_widget: QWidget,
    ) -> None:
        super().__init__(parent_widget)
        self.controller = controller
        self._cases_path = cases_path
        self._policy_path = policy_path
        self._in_flight = ""
        self.policy_panel = policy_panel
        self.cases = case_panel
        self.model = case_panel.model
        self.view = result_view
        self.settings = settings
        self._effort = effort
        self._window = parent_widget
        self._submitted: dict[str, tuple[str, str]] = {}  # case id -> (policy text, content)
        self._run_model = ""  # the key of the model the running job uses
        self._policy: Policy | None = None
        controller.caseStarted.connect(self._on_case_started)
        controller.deltaReceived.connect(self._on_delta)
        controller.caseWaiting.connect(lambda case_id, s: show_waiting(self, case_id, s))
        controller.progress.connect(self.progressChanged)
        controller.casesStored.connect(self._on_cases_stored)
        controller.runEnded.connect(self._on_run_ended)
        controller.modelChecked.connect(self.message)  # the first-load self-check
        case_panel.currentCaseChanged.connect(self.show_case)
        case_panel.caseContentEdited.connect(self._on_case_content_edited)
        policy_panel.policyEdited.connect(self.policy_changed)
        policy_panel.formatKept.connect(lambda _output: self.policy_changed())
        result_view.ruleCodeClicked.connect(self.jump_to_rule)
        result_view.phrasesFound.connect(self._on_phrases)
        result_view.quoteClicked.connect(self.jump_to_quote)
        case_panel.result_context = self.result_context

    # --- policy ---------------------------------------------------------------------
    @Slot()
    def policy_changed(self) -> None:
        """The policy text changed (edit or load): re-check staleness, labels, context."""
        text = self.policy_panel.text()
        try:
            self._policy = self._parse()
        except PolicyError:
            self._policy = None  # keep the last labels while the front matter is half-typed
        else:
            self.cases.set_labels(*self._policy.output.expected_choices())  # labels and tiers
        self.model.set_policy_text(text, self._policy.output if self._policy else None)
        self.show_case(self.view.case_id() or self.cases.current_case_id())

    def _parse(self) -> Policy:
        """The policy on screen under the format the panel keeps beside it (read when the
        file opened, or chosen in the window even before a first save): no disk read."""
        path = self._policy_path()
        return self.policy_panel.parsed_policy(Path(path) if path else None)

    def output(self) -> OutputFormat:
        """The output format of the policy on screen (the last one that parsed)."""
        return self._policy.output if self._policy else OutputFormat()

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

    def result_context(self) -> ResultContext:
        """Policy name and version and the run settings, for Copy result."""
        run = load_run_settings(self.settings, self._effort())
        settings = {"effort": run.effort, "temperature": run.temperature, "top_p": run.top_p,
                    "seed": run.seed, "token budget": run.max_tokens}  # fmt: skip
        model = backend_config(self.settings).describe()
        policy = self._policy
        if policy is None:
            return ResultContext(model=model, settings=settings)
        return ResultContext(policy.name, policy.version, model, settings)

    @Slot(str, str)
    def jump_to_quote(self, phrase: str, source: str) -> None:
        """Show a quoted phrase where it was found: the case content, the policy, or both."""
        if source in ("content", "both"):
            reveal_phrase(self.cases.content_edit, phrase)
        if source in ("policy", "both"):
            reveal_phrase(self.policy_panel.editor, phrase)
        where = {"content": "the case", "policy": "the policy"}.get(source, "case and policy")
        self.message.emit(f"“{phrase}” in {where}.")

    @Slot(str)
    def jump_to_rule(self, code: str) -> None:
        if self.policy_panel.jump_to_rule(code):
            self.message.emit(f"Rule {code} in the policy.")
        else:
            self.message.emit(f"Rule {code} is cited but not defined in the policy.")

    # --- running --------------------------------------------------------------------
    def is_running(self) -> bool:
        return self.controller.is_busy()

    def run_current(self) -> bool:
        case_id = self.cases.current_case_id()
        if not case_id:
            self.message.emit("Select a case to run, or add one first.")
            return False
        return self.run_ids([case_id])

    def run_all(self) -> bool:
        """Run every case shown in the table as a stored test-set run."""
        return self.run_suite("all")

    def run_suite(self, kind: str = "all", samples: int = 1) -> bool:
        """Run a test set: ``all`` (every case, filtered or not), ``shown`` (the cases the
        table shows under its filters), ``failed`` (shown cases whose result
        is wrong, an error or no verdict), ``selected`` or ``resume`` (the last unfinished
        run of this policy); ``samples`` per case (Run all ×k: the majority label)."""
        if kind not in SUITE_KINDS:
            raise ValueError(f"Unknown suite kind '{kind}'; use one of {', '.join(SUITE_KINDS)}.")
        if kind in ("all", "resume", "shown"):
            ids = self.cases.visible_case_ids() if kind == "shown" else self._all_ids()
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
        return self._start(ids, "suite", LAST_RUN if kind == "resume" else None, samples)

    def run_ids(self, case_ids: list[str]) -> bool:
        """Run the given cases one by one as single-case runs (cached and stored, not part
        of the history): what Run case does."""
        return self._start(case_ids, "case", None)

    def _start(self, ids: list[str], kind: str, resume: str | None, samples: int = 1) -> bool:
        prepared = self.prepare()
        if prepared is None:
            return False
        policy, text = prepared
        cases = [case for case in (self.model.case(i) for i in ids) if case is not None]
        backend = backend_config(self.settings)
        self._run_model = model_filter(backend)
        job = RunJob(
            policy=policy,
            cases=cases,
            run=load_run_settings(self.settings, self._effort()),
            backend=backend,
            resume_run_id=resume,
            failed_first=kind == "suite",
            cases_path=self._cases_path(),
            kind=kind,
            samples=samples,
        )
        self._submitted = {case.id: (text, case.content) for case in cases}
        self._in_flight = ""
        if resume is None:
            self.model.set_queued(list(self._submitted))
        if not self.controller.start(job):
            self.model.set_queued(list(self._submitted), False)
            return False
        self.runningChanged.emit(True)
        return True

    def backend_changed(self) -> None:
        """The settings may name another model: mark the results it did not answer."""
        key = model_filter(backend_config(self.settings))
        self.model.set_current_model(key)
        others = self.model.other_model_count()
        if others:
            self.message.emit(
                f"{_results(others)} in the table came from another model than "
                f"{model_label(key)}; Status says 'other model' until "
                f"{'it runs' if others == 1 else 'they run'} again."
            )

    def _all_ids(self) -> list[str]:
        return [case.id for case in self.model.cases()]

    def _failed(self, case_id: str) -> bool:
        entry, case = self.model.entry(case_id), self.model.case(case_id)
        if entry is None or case is None or entry.state in ("queued", "running", "cancelled"):
            return False
        if entry.verdict_kind in ("error", "no_verdict"):
            return True
        return bool(case.expected) and not entry.agrees_with(case.expected, self.output())

    def prepare(self) -> tuple[Policy, str] | None:
        """The parsed policy and its text, with a usable backend; or None (told why)."""
        if self.is_running():
            self.message.emit("A run is already in progress; cancel it or wait for it to end.")
            return None
        text = self.policy_panel.text()
        try:
            policy = self._parse()
        except PolicyError as exc:
            QMessageBox.warning(self._window, "The policy cannot be used", str(exc))
            return None
        if not policy.body.strip():
            self.message.emit("The policy is empty; write or open one before running.")
            return None
        return None if self.ensure_model() is None else (policy, text)

    def cancel(self) -> None:
        if self.controller.is_busy():
            self.message.emit("Cancelling…")
            self.controller.cancel()

    def ensure_model(self) -> EngineSettings | None:
        """The engine settings when they name a usable model (a remote server needs no
        file); else None, and ``modelNeeded`` sends the user to the Models dialog."""
        engine = load_engine_settings(self.settings)
        if backend_config(self.settings).kind == "remote" or model_file_ready(engine):
            return engine
        self.message.emit("Running needs a model: get one or choose a file in Models.")
        self.modelNeeded.emit()
        return None

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

    @Slot(list)
    def _on_cases_stored(self, results: list) -> None:
        items = []
        for stored in results:
            policy_text, content = self._submitted.get(stored.case_id, ("", stored.content))
            result = dataclasses.replace(stored.as_classify_result(), model=self._run_model)
            items.append((stored.case_id, policy_text, content, result, stored.cached))
            if stored.case_id == self._in_flight:
                self._in_flight = ""
            if stored.status == "error":
                self.message.emit(stored.message.split(":", 1)[-1].strip())
        self.model.set_results(items)
        shown = self.view.case_id()
        if any(stored.case_id == shown for stored in results):
            self.show_case(shown)

    @Slot(object)
    def _on_run_ended(self, outcome: RunOutcome) -> None:
        if self._in_flight:
            state = "cancelled" if outcome.status == "cancelled" else "failed"
            self.model.set_state(self._in_flight, state, outcome.message)
            if self._in_flight == self.view.case_id():
                self.show_case(self._in_flight)
        self._in_flight = ""
        self.model.set_queued(list(self.model.queued_ids()), False)
        self._submitted.clear()
        texts = {
            "finished": "Run finished.",
            "cancelled": "Run cancelled.",
            "failed": "Run stopped: the engine failed. Your edits are safe; run again to restart it.",
        }
        text = outcome.message or texts.get(outcome.status, outcome.status)
        others = self.model.other_model_count()
        if others:
            text = f"{text} {_results(others)} in the table {_be(others)} from another model."
        self.message.emit(text)
        self.runningChanged.emit(False)
        self.runEnded.emit(outcome)
