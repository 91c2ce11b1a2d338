"""What a run of a test set works with, once its engine is loaded and its cases are picked.

:class:`SuiteInputs` holds the thirteen things that :func:`app.runs.pipeline.suite.run_suite`,
:func:`app.runs.pipeline.samples.run_samples` and the paths behind them all need: the engine (and a
factory of more like it, for a server's parallel slots), the policy, the cases and the
run settings, the store, what keys the result cache (model and template), the cancel flag,
the listener, and what the stored run records (test-set path, note). The service and the
held-out check build one; a ×k run derives one per sample with another seed.

The functions here are the steps every such run shares: the policy version and a new run
in the store, the cache key of a case, and the request sent to the engine for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from app.core import setting_limits as limits
from app.core.cases import TestCase, model_content
from app.core.fingerprint import ModelFingerprint, cache_key_factory, settings_dict
from app.core.policy import Policy
from app.core.run_types import ClassifyRequest, RunSettings
from app.engine.protocol import Engine
from app.runs.backends.config import recorded_model
from app.runs.stored.policy import format_record
from app.store import Store


def _ignore(_event: object) -> None:
    """The listener of a run nobody watches."""


@dataclass(frozen=True)
class SuiteInputs:
    """A loaded engine, the policy, the cases and settings, and where results go."""

    engine: Engine
    policy: Policy
    cases: list[TestCase]
    run_settings: RunSettings
    store: Store
    model_fingerprint: ModelFingerprint | str
    template_hash: str
    cancel: threading.Event = field(default_factory=threading.Event)
    on_event: Callable[[object], None] = _ignore
    cases_path: str = ""
    note: str = ""
    concurrency: int = (
        limits.CONCURRENCY.default
    )  # cases at once: a server's slots or the local engine's sequences
    engine_factory: Callable[[], Engine] | None = None  # more engines like ``engine``

    def policy_version(self) -> str:
        """The hash of the policy text, stored as a version (with its note) if new."""
        return self.store.add_policy_version(
            self.policy.text, self.note, str(self.policy.path or "")
        )

    def create_run(
        self, policy_hash: str, run_settings: RunSettings, kind: str, **extra: object
    ) -> str:
        """A new run of these cases in the store; ``extra`` joins its recorded settings."""
        return self.store.create_run(
            policy_hash, model=recorded_model(self.model_fingerprint),
            settings={**settings_dict(run_settings), **extra}, cases_path=self.cases_path,
            total=len(self.cases), kind=kind, output_format=format_record(self.policy.output),
        )  # fmt: skip

    def cache_keys(self, run_settings: RunSettings | None = None) -> Callable[[str], str]:
        """The result cache key of a case's model content under these (or other) settings."""
        return cache_key_factory(
            model=self.model_fingerprint,
            template=self.template_hash,
            policy_text=self.policy.text,
            run=run_settings or self.run_settings,
        )

    def request(
        self, case: TestCase, run_settings: RunSettings | None = None, request_id: str = ""
    ) -> ClassifyRequest:
        """What the engine is asked for ``case`` (its id unless ``request_id`` is given)."""
        return ClassifyRequest(
            request_id or case.id,
            self.policy.body,
            model_content(case),
            run_settings or self.run_settings,
            self.policy.output,
        )
