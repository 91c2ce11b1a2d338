"""Label a file's rows through the one run pipeline: what ``safeguard-studio label`` and the
window's *Test set ▸ Label a file…* both call.

:func:`label_rows` turns the rows of a :class:`~app.importing.label_file.LabelInput` into a
:class:`~app.runs.pipeline.selection.RunJob` (the file's own path as its test set, note ``label``),
resumes the newest unfinished run of the same policy text and file when there is one (an
interrupted or cancelled labelling goes on where it stopped; the rows already answered are
also in the result cache), runs it with :meth:`~app.runs.pipeline.service.RunService.run` and writes
every input row back to ``out`` with the answer columns (:func:`~app.importing.label_file.
write_labelled`) — also after a cancel or a failure, so nothing answered is lost.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.core.policy import Policy
from app.core.run_types import RunSettings
from app.importing.label_file import LabelInput, write_labelled
from app.runs.backends.config import BackendConfig
from app.runs.pipeline.selection import RunJob, RunOutcome, last_unfinished_run
from app.runs.pipeline.service import RunService


@dataclass
class LabelOutcome:
    """What a labelling did: the file written, its rows, those answered, the run's outcome
    (None when no row had content, so nothing ran)."""

    out: Path
    rows: int
    answered: int
    outcome: RunOutcome | None = None

    @property
    def finished(self) -> bool:
        return self.outcome is None or self.outcome.status == "finished"

    def summary(self) -> str:
        """ "3 of 5 rows labelled; written to OUT" """
        return f"{self.answered} of {self.rows} rows labelled; written to {self.out}"

    def stop_reason(self) -> str:
        """Why the run did not finish ('' when it did)."""
        if self.finished:
            return ""
        if self.outcome is not None and self.outcome.status == "cancelled":
            return self.outcome.message or "the labelling was cancelled"
        return (self.outcome.message if self.outcome else "") or "the run stopped"


def label_rows(
    service: RunService,
    policy: Policy,
    data: LabelInput,
    run: RunSettings,
    backend: BackendConfig,
    *,
    source: Path,
    out: Path,
    cancel: threading.Event | None = None,
    on_event: Callable[[object], None] | None = None,
) -> LabelOutcome:
    """Label every row of ``data`` (read from ``source``) and write them to ``out``."""
    cases = data.cases()
    job = RunJob(policy, cases, run, backend, cases_path=str(Path(source).resolve()), note="label")
    outcome = None
    if cases:
        unfinished = last_unfinished_run(service.store, job)
        if unfinished:
            job = dataclasses.replace(job, resume_run_id=unfinished)
        outcome = service.run(job, cancel=cancel, on_event=on_event)
    stored = service.store.results(outcome.run_id) if outcome and outcome.run_id else []
    results = {r.case_id: r for r in stored}
    write_labelled(out, data, results)
    answered = sum(r.status == "ok" for r in results.values())
    return LabelOutcome(Path(out), len(data.rows), answered, outcome)
