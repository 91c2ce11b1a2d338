"""Progress of a *Run ×k* as one run: every (case, sample) counted against one total.

Each sample run of :func:`app.runs.pipeline.samples.run_samples` is an ordinary suite run that would
announce its own ``SuiteStarted`` (total = the cases) and number its ``CaseStored`` from 1
again, so a progress bar over the whole ×k run read "0 / 82" for most of it, or ran past its
maximum. :class:`SamplesProgress` stands between the sample runs and the listener: one
``SuiteStarted`` with total = cases × k, every stored sample result renumbered on one
running count, and an ETA over what is left of the whole run (the time per engine-run
sample so far, as measured since the start, times the samples left; unknown until the
engine has answered one). The batched path (:mod:`app.runs.pipeline.samples_batch`) and the
one-sample-run-after-the-other path both report through it, so the window and the CLI read
the same numbers.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from app.core.records import StoredResult
from app.runs.pipeline.results import CaseStored, SuiteStarted


class SamplesProgress:
    """One count over every (case, sample) of a ×k run; see the module notes."""

    def __init__(
        self,
        emit: Callable[[object], None],
        total: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._emit = emit
        self.total = total
        self.done = 0
        self._engine_done = 0
        self._clock = clock
        self._since = clock()
        self._announced = False

    def start(self, run_id: str) -> None:
        """Announce the ×k run once (later sample runs are the same run to the listener)."""
        if not self._announced:
            self._announced = True
            self._since = self._clock()
            self._emit(SuiteStarted(run_id, self.total, 0))

    def stored(self, run_id: str, result: StoredResult, cached: bool) -> None:
        """One sample result stored: counted and passed on with the whole run's figures."""
        self.done = min(self.done + 1, self.total)
        self._engine_done += not cached
        self._emit(CaseStored(run_id, result, self.done, self.total, cached, self.eta()))

    def eta(self) -> float | None:
        """Seconds left for the whole run: 0 at the end, None before a first engine answer."""
        left = self.total - self.done
        if left <= 0:
            return 0.0
        if not self._engine_done:
            return None
        return (self._clock() - self._since) / self._engine_done * left

    def forward(self, event: object) -> None:
        """The listener of one sample run: its start and results are the ×k run's."""
        if isinstance(event, SuiteStarted):
            self.start(event.run_id)
        elif isinstance(event, CaseStored):
            self.stored(event.run_id, event.result, event.cached)
        else:
            self._emit(event)
