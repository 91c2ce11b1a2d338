"""A server that sits on a case: the row and the result view say "waiting for the server".

The remote engine reports every second a server has taken a case without answering
(``EngineController.caseWaiting``); :func:`show_waiting` starts the case's entry if the
engine has not (so the previous case's result does not stay on screen), counts the seconds
on it (the case table's status column and the result view's title read
``ResultEntry.waiting_text``) and refreshes the view when that case is shown.
"""

from __future__ import annotations


def show_waiting(runner, case_id: str, seconds: float) -> None:
    """Show ``case_id`` as waiting ``seconds`` for the server (``runner``: the window's
    ``RunCoordinator``)."""
    model = runner.model
    entry = model.entry(case_id)
    if entry is None or entry.state != "running" or case_id in model.queued_ids():
        runner._on_case_started(case_id)
        entry = model.entry(case_id)
    if entry is None:
        return
    entry.waited = seconds
    model.put_entry(case_id, entry)  # the row repaints
    if case_id == runner.view.case_id():
        runner.show_case(case_id)
