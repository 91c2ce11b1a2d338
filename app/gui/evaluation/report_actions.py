"""Export a stored run as a report file (self-contained HTML or Markdown) or as a results
spreadsheet (CSV), chosen in a dialog.

:func:`export_run_report` asks for a path (the filter picks the format; a missing suffix
is added), then builds and writes the report on a :class:`~app.gui.shared.tasks.TaskRunner`
thread, so a 10,000-case report never freezes the window; :func:`export_results_csv` does the
same for the CSV ``eval --csv`` writes. ``on_done`` receives one sentence for the status
bar, success or failure. The caller passes the run on screen (the Metrics tab's run).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QWidget

from app.gui.shared.file_dialogs import save_file, save_file_and_filter
from app.gui.shared.tasks import TaskRunner
from app.reports.formats import results_csv
from app.reports.report import write_html, write_markdown, write_report_text
from app.runs.stored.report import build_run_report
from app.store import Store

HTML_FILTER = "HTML report (*.html)"
MARKDOWN_FILTER = "Markdown report (*.md)"
CSV_FILTER = "Results spreadsheet (*.csv)"


def report_path(path: str, selected_filter: str) -> Path:
    """The path with a suffix that matches the chosen filter when it has none."""
    chosen = Path(path)
    if chosen.suffix.lower() in (".html", ".htm", ".md", ".markdown"):
        return chosen
    return chosen.with_name(
        chosen.name + (".md" if selected_filter == MARKDOWN_FILTER else ".html")
    )


def write_run_report(store: Store, run_id: str, path: Path) -> Path:
    """Build the report of a run and write it; Markdown for .md/.markdown, else HTML."""
    report = build_run_report(store, run_id)
    if path.suffix.lower() in (".md", ".markdown"):
        write_markdown(path, report)
    else:
        write_html(path, report)
    return path


def write_results_csv(store: Store, run_id: str, path: Path) -> Path:
    """Write a run's results as CSV (one row per case, ``correct`` as Metrics counts it)."""
    report = build_run_report(store, run_id)
    write_report_text(path, results_csv(report.results, report.output))
    return path


def _submit(tasks: TaskRunner, fn, store: Store, run_id: str, target: Path, notify, what: str):
    notify = notify or (lambda _message: None)
    return tasks.submit(
        fn,
        store,
        run_id,
        target,
        on_done=lambda written: notify(f"{what} saved to {written}."),
        on_error=lambda message: notify(f"The {what.lower()} could not be saved: {message}"),
    )


def export_results_csv(
    parent: QWidget | None,
    store: Store,
    run_id: str,
    tasks: TaskRunner,
    on_done: Callable[[str], None] | None = None,
    policy_path: str = "",
) -> int | None:
    """Ask where to save the results CSV of ``run_id`` and write it off the GUI thread;
    None when the user cancelled the file dialog."""
    target = save_file(
        parent, "Export results CSV", "report", f"run-{run_id}.csv", CSV_FILTER,
        policy_path=policy_path, suffix=".csv",
    )  # fmt: skip
    if target is None:
        return None
    return _submit(tasks, write_results_csv, store, run_id, target, on_done, "Results CSV")


def export_run_report(
    parent: QWidget | None,
    store: Store,
    run_id: str,
    tasks: TaskRunner,
    on_done: Callable[[str], None] | None = None,
    policy_path: str = "",
) -> int | None:
    """Ask where to save the report of ``run_id`` and write it off the GUI thread.

    Returns the task id, or None when the user cancelled the file dialog."""
    path, selected = save_file_and_filter(
        parent, "Export run report", "report", f"run-{run_id}.html",
        f"{HTML_FILTER};;{MARKDOWN_FILTER}", policy_path=policy_path,
    )  # fmt: skip
    if path is None:
        return None
    target = report_path(str(path), selected)
    return _submit(tasks, write_run_report, store, run_id, target, on_done, "Report")
