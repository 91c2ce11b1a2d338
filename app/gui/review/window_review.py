"""Puts Review mode into the workbench window: a *Review* menu, and what a review changes.

``WindowReview`` is built by ``MainWindow`` from a :class:`ReviewContext` (the window's
collaborators, handed over once). Its menu opens the Review window over the newest run of
the open test set (*Review answers…*, Ctrl+Shift+R), and exports or imports a review file.
A review's label goes into the window's copy of the test set too (so a later save keeps
it), and the Metrics tab is recomputed from the stored results at once, with no rerun.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, SignalInstance
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QInputDialog, QMenu, QWidget

from app.core.reviews import ReviewError
from app.gui.review.review_window import ReviewWindow
from app.gui.shared.file_dialogs import open_file, save_file
from app.gui.shared.ports import ReviewedCases
from app.runs.review.files import export_reviews, import_reviews
from app.store import Store

REVIEW_FILTER = "Review files (*.jsonl)"


@dataclass(frozen=True)
class ReviewContext:
    parent: QWidget
    store: Store
    settings: QSettings
    menu: QMenu  # the window's Review menu, in its place before Help
    run_metrics_ready: SignalInstance  # a stored run's metrics are loaded (RunMetrics)
    cases_path: Callable[[], str]
    cases: ReviewedCases  # the window's test set: a review's labels, the cases it keeps
    refresh_metrics: Callable[[str], None]  # run id
    show_message: Callable[[str], None]


class WindowReview(QObject):
    """The Review menu of one window, and its Review window (see the module notes)."""

    def __init__(self, ctx: ReviewContext) -> None:
        super().__init__(ctx.parent)
        self.ctx = ctx
        self.window: ReviewWindow | None = None
        self.last_run_id = ""
        ctx.run_metrics_ready.connect(self._on_run_metrics)
        menu = ctx.menu
        self.review_action = menu.addAction("&Review answers of the last run…")
        self.review_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.review_action.triggered.connect(self.open_review)
        menu.addAction("Review &another run…").triggered.connect(self.ask_run)
        menu.addAction("&Export review file…").triggered.connect(self.ask_export)
        menu.addAction("&Import review file…").triggered.connect(self.ask_import)

    def _on_run_metrics(self, run_metrics) -> None:  # noqa: ANN001
        if run_metrics.run.cases_path == self.ctx.cases_path():
            self.last_run_id = run_metrics.run.id

    def current_run_id(self) -> str:
        """The run last shown in Metrics, else the newest run of the open test set."""
        if self.last_run_id:
            return self.last_run_id
        path = self.ctx.cases_path()
        runs = [r for r in self.ctx.store.list_runs() if r.cases_path == path]
        return runs[-1].id if runs else ""

    def open_review(self, run_id: str = "") -> ReviewWindow | None:
        run_id = run_id or self.current_run_id()
        if not run_id:
            self.ctx.show_message("Run the test set first; then review its answers.")
            return None
        if self.window is None or self.window.run_id != run_id:
            if self.window is not None:
                self.window.close()
            self.window = ReviewWindow(self.ctx.store, self.ctx.settings, run_id, self.ctx.parent)
            self.window.expectedChanged.connect(self._on_expected)
            self.window.keepReviewed.connect(self.ctx.cases.keep_cases)
            self.window.reviewsChanged.connect(self.ctx.refresh_metrics)
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()
        return self.window

    def ask_run(self) -> None:
        """Pick any stored run (a file labelled with ``label`` too), newest first."""
        runs = list(reversed(self.ctx.store.list_runs()))
        if not runs:
            self.ctx.show_message("There are no runs yet; run a test set or label a file first.")
            return
        names = [f"{r.id} · {Path(r.cases_path).name or 'no file'} · {r.total} cases" for r in runs]
        name, ok = QInputDialog.getItem(self.ctx.parent, "Review a run", "Run:", names, 0, False)
        if ok and name in names:
            self.open_review(runs[names.index(name)].id)

    def _on_expected(self, case_id: str, label: str) -> None:
        session = self.window.session if self.window else None
        if session is not None and session.cases_path == self.ctx.cases_path():
            self.ctx.cases.set_expected(case_id, label)

    def ask_export(self) -> None:
        run_id = self.current_run_id()
        if not run_id:
            self.ctx.show_message("Run the test set first; then export its review file.")
            return
        path = save_file(
            self.ctx.parent, "Export review file", "review", f"review-{run_id}.jsonl",
            REVIEW_FILTER, policy_path=self.ctx.cases_path(), suffix=".jsonl",
        )  # fmt: skip
        if path:
            self.export(run_id, path)

    def export(self, run_id: str, path: Path) -> None:
        try:
            count = export_reviews(self.ctx.store, run_id, path)
        except (ReviewError, OSError) as exc:
            self.ctx.show_message(str(exc))
            return
        self.ctx.show_message(f"{count} reviews of run {run_id} written to {path.name}.")

    def ask_import(self) -> None:
        path = open_file(
            self.ctx.parent, "Import review file", "review", REVIEW_FILTER,
            policy_path=self.ctx.cases_path(),
        )  # fmt: skip
        if path:
            self.import_file(path)

    def import_file(self, path: Path) -> list[str]:
        """Import a review file; the sentences it gives go to the status bar."""
        try:
            sentences = import_reviews(self.ctx.store, path).sentences()
        except (ReviewError, OSError) as exc:
            sentences = [str(exc)]
        self.ctx.show_message(" ".join(sentences))
        if self.window is not None:
            self.window.reviewsChanged.emit(self.window.run_id)
        return sentences
