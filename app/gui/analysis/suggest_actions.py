"""*Suggest an edit*, *Check* and *Apply* in the window, on the one engine.

``SuggestActions`` takes the failures in view — the selected cases, or the cases the table
shows after a heat-map rule, a triage group or "Unstable only" filtered it — that the loaded
run got wrong or found unstable, leaves out the held-out cases, and asks the model through
the window's one ``EngineController`` (``start_task``): the loaded model, or the model file
chosen for suggestions (``suggest/model_path``; one engine at a time, so the classifier is
unloaded meanwhile). The answer lands in the :class:`SuggestionView`. *Check* runs the
held-out cases under the policy before and after the edit on the same engine; *Apply* puts
the new text in the editor as one undoable edit and records it as a draft version.

A check always ends in the view: its result, or one sentence saying why it did not run or
did not finish (no cases, the engine busy, a policy that does not parse, a cancel).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import QObject, Slot

from app.core.policy import PolicyError
from app.core.suggest import Suggestion
from app.gui.analysis.context import AnalysisContext
from app.gui.analysis.controller import AnalysisController
from app.gui.analysis.suggestion_view import SuggestionView
from app.gui.shared import options
from app.gui.shared.backend_values import backend_config
from app.gui.shared.settings_store import load_run_settings
from app.runs.suggestion import ask_suggestion, check_suggestion

BUSY = "The engine is busy; wait for the run to end."


class SuggestActions(QObject):
    """Asks for, checks and applies suggested edits (see the module notes)."""

    def __init__(
        self, ctx: AnalysisContext, controller: AnalysisController, view: SuggestionView
    ) -> None:
        super().__init__(ctx.parent)
        self.ctx = ctx
        self.analysis = controller
        self.view = view
        self._pending = ""  # "suggest" or "check" while the engine works for us
        ctx.engine.taskEnded.connect(self._on_task_ended)
        view.checkRequested.connect(self.check)
        view.applyRequested.connect(self.apply)

    def _backend(self):
        backend = backend_config(self.ctx.settings)
        model = options.get(self.ctx.settings, options.SUGGEST_MODEL)
        if model and backend.kind == "local":  # a general gpt-oss model writes better prose
            engine = dataclasses.replace(backend.engine, model_path=model)
            backend = dataclasses.replace(backend, engine=engine)
        return backend

    def _policy(self, on_error):
        path = self.ctx.policy_path()
        try:
            return self.ctx.policy.parsed_policy(Path(path) if path else None)
        except PolicyError as exc:
            on_error(str(exc))
            return None

    def failures_in_view(self) -> list:
        """Results of the loaded run that failed (wrong or unstable), selected or shown."""
        analysis = self.analysis.analysis
        if analysis is None:
            return []
        failed = set(analysis.failures())
        cases = self.ctx.cases
        ids = [i for i in cases.selected_ids() if i in failed]
        if len(ids) < 2:  # one selected case is a weak basis: take what the table shows
            ids = [i for i in cases.visible_case_ids() if i in failed] or ids
        return [r for r in analysis.results if r.case_id in set(ids)]

    def _start(self, kind: str, task) -> bool:
        run = load_run_settings(self.ctx.settings, self.ctx.effort())
        if not self.ctx.engine.start_task(self._backend(), task, run.renderer):
            self.ctx.show_message(BUSY)
            return False
        self._pending = kind
        self.ctx.tabs.setCurrentWidget(self.view)
        return True

    def suggest(self) -> None:
        failures, policy = self.failures_in_view(), self._policy(self.view.show_error)
        if policy is None:
            return
        if not failures:
            self.ctx.show_message(
                "Select failing cases, or filter the table to a rule or triage group, first."
            )
            return
        run = load_run_settings(self.ctx.settings, self.ctx.effort())

        def task(engine, _identity, _template, cancel):
            return ask_suggestion(engine, policy, failures, run, cancel=cancel)

        if self._start("suggest", task):
            self.view.show_busy(f"Asking the model about {len(failures)} failing cases…")

    @Slot(str)
    def check(self, _new_text: str) -> None:
        suggestion = self.view.suggestion
        if suggestion is None:
            return
        policy = self._policy(lambda error: self.view.show_check_error(f"Not checked: {error}"))
        if policy is None:
            return
        cases, cases_path = self.ctx.cases.cases(), self.ctx.cases_path()
        if not cases:
            self.view.show_check_error("Not checked: the test set has no cases; add some first.")
            return
        run = load_run_settings(self.ctx.settings, self.ctx.effort())
        store = self.ctx.store

        def task(engine, identity, template, cancel):
            return check_suggestion(
                engine, policy, suggestion, cases, run, store=store,
                model_fingerprint=identity, template_hash=template, cases_path=cases_path,
                cancel=cancel,
            )  # fmt: skip

        if self._start("check", task):
            self.view.show_checking("Checking the suggestion on the held-out cases…")
        else:
            self.view.show_check_error(f"Not checked: {BUSY}")

    @Slot(str)
    def apply(self, new_text: str) -> None:
        suggestion: Suggestion | None = self.view.suggestion
        self.ctx.policy.replace_text(new_text)  # one undoable edit
        note = f"suggested edit of {suggestion.section}" if suggestion else "suggested edit"
        store, path = self.ctx.store, self.ctx.policy_path()
        self.analysis.tasks.submit(store.add_policy_version, new_text, note, path)
        self.ctx.show_message("The suggested edit is in the editor as a draft; Undo takes it back.")

    @Slot(object, str)
    def _on_task_ended(self, result: object, message: str) -> None:
        kind, self._pending = self._pending, ""
        if not kind:
            return
        if message and kind == "suggest":
            self.view.show_error(message)
        elif message or result is None:
            reason = message or "it was stopped; run it again"
            self.view.show_check_error(f"The check did not finish: {reason}")
        elif kind == "suggest":
            self.view.show_suggestion(result)
        else:
            self.view.show_check(result)
