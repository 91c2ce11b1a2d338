"""Ask a model for a policy edit, and check an edit on the held-out cases.

:func:`ask_suggestion` sends our own suggestion prompt (:mod:`app.core.suggest`) through any
engine of the :class:`~app.engine.protocol.Engine` protocol: the instructions go where a
policy goes (the developer message), the policy and the failing cases where content goes,
so the engine's safe tokenizing of text written by people applies to both. Held-out cases
are never shown to the model. The final answer becomes a :class:`Suggestion`, or a
:class:`SuggestionError` in one sentence.

:func:`check_suggestion` runs the held-out cases under the policy before and after the edit
(the "before" side is usually all cache hits) and returns the flip report of those cases.
Both runs are of kind ``suggestion``, never test-set runs: the history, Metrics, the compare
pickers and ``runs`` leave them out; the edited version is noted ``suggestion check``.
"""

from __future__ import annotations

import dataclasses
import threading

from app.core.cases import TestCase
from app.core.fingerprint import ModelFingerprint
from app.core.policy import Policy, PolicyError, parse_policy
from app.core.records import StoredResult
from app.core.run_types import ClassifyRequest, Failed, Finished, RunSettings
from app.core.suggest import Suggestion, SuggestionError, parse_suggestion, suggestion_request_parts
from app.engine.protocol import Engine
from app.runs.pipeline.inputs import SuiteInputs
from app.runs.pipeline.suite import run_suite
from app.runs.stored.facts import SUGGESTION_CHECK
from app.scoring.flips import FlipReport
from app.scoring.holdout import HOLDOUT_SHARE, held_out_flips, split_cases, visible_failures
from app.store import Store

SUGGESTION_TOKENS = 2048  # an answer holds a whole section


def ask_suggestion(
    engine: Engine,
    policy: Policy,
    failures: list[StoredResult],
    run_settings: RunSettings,
    *,
    share: float = HOLDOUT_SHARE,
    grammar: str | None = None,
    cancel: threading.Event | None = None,
) -> Suggestion:
    """Ask the engine's model for the smallest one-section edit that fixes ``failures``."""
    shown = visible_failures(failures, share)
    if not shown:
        raise SuggestionError(
            "Every selected failure is a held-out case; pick failures outside the held-out split."
        )
    instructions, content = suggestion_request_parts(policy.body, shown)
    # the classifier's answer grammar never applies to prose; ``grammar`` is for tests
    tokens = max(run_settings.max_tokens, SUGGESTION_TOKENS)
    settings = dataclasses.replace(run_settings, max_tokens=tokens, grammar=grammar)
    request = ClassifyRequest("suggestion", instructions, content, settings, policy.output)
    final = None
    for event in engine.classify(request):
        if cancel is not None and cancel.is_set():
            engine.cancel()
        if isinstance(event, Finished):
            final = event.result.final
            break
        if isinstance(event, Failed):
            raise SuggestionError(event.message)
    if final is None:
        raise SuggestionError("The model gave no answer; ask again.")
    return parse_suggestion(final, policy.text)


def check_suggestion(
    engine: Engine,
    policy: Policy,
    suggestion: Suggestion,
    cases: list[TestCase],
    run_settings: RunSettings,
    *,
    store: Store,
    model_fingerprint: ModelFingerprint | str,
    template_hash: str,
    cases_path: str = "",
    share: float = HOLDOUT_SHARE,
    cancel: threading.Event | None = None,
) -> FlipReport:
    """Run the held-out cases under the policy before and after the edit; their flips."""
    try:
        edited = parse_policy(suggestion.policy_after, policy.path)
    except PolicyError as exc:
        raise SuggestionError(str(exc)) from None
    _, held = split_cases(cases, share)
    if not held:
        raise SuggestionError("The test set has no held-out case to check on; add more cases.")
    runs = []
    for version, note in ((policy, ""), (edited, SUGGESTION_CHECK)):
        inputs = SuiteInputs(
            engine, version, held, run_settings, store=store,
            model_fingerprint=model_fingerprint, template_hash=template_hash,
            cancel=cancel or threading.Event(), cases_path=cases_path, note=note,
        )  # fmt: skip
        summary = run_suite(inputs, order="file", kind="suggestion")
        if summary.cancelled:
            raise SuggestionError("The check was cancelled; run it again.")
        runs.append(store.results(summary.run_id))
    return held_out_flips(runs[0], runs[1], policy.output, edited.output, share)
