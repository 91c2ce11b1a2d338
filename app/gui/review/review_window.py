"""The *Review* window: a run's answers one at a time, decided with one key each.

The *Queue* tab holds the choices of the queue (reviewer name, kept in the settings once
typed; sampling; share; gold items; blind mode) and the case under review
(:class:`~app.gui.review.case_view.ReviewCaseView`). Keys, read by the queue page:
``A``/Enter accept the model's label, the keys of :mod:`app.gui.review.keys` pick another,
``S`` skips, ``U`` marks unsure, ``N`` opens the note field (Enter keeps it), Backspace or
Ctrl+Z undoes. A key stores its review at once (:class:`~app.runs.review.session.ReviewSession`;
the test set is written in the background) and the next case, prepared beforehand, shows
at once; nothing waits on the engine. The *Agreement* tab shows the figures of the run's
reviews, with *Keep reviewed only* and *Save reviewed as a new test set*.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QLineEdit, QTabWidget, QVBoxLayout, QWidget

from app.core.cases import TestCase, save_cases
from app.core.reviews import ReviewError, check_reviewer, progress_text
from app.gui.review.agreement_tab import AgreementTab
from app.gui.review.case_view import Prepared, ReviewCaseView, prepare
from app.gui.review.keys import choice_keys, legend
from app.gui.review.setup_bar import SetupBar
from app.gui.shared.file_dialogs import save_file
from app.gui.shared.screen_fit import restore_fitting
from app.gui.shared.tasks import TaskRunner
from app.gui.shared.widgets import plain_label
from app.runs.review.session import ReviewSession, run_agreement
from app.store import Store

REVIEWER_KEY = "review/reviewer"
PREFETCH = 2  # cases prepared ahead
_UNDO_KEYS = (Qt.Key.Key_Backspace,)


class QueuePage(QWidget):
    """Takes the queue's keys (the text views never take focus)."""

    def __init__(self, on_key, parent: QWidget | None = None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self._on_key = on_key
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if not self._on_key(event):
            super().keyPressEvent(event)


class ReviewWindow(QWidget):
    """Review mode over one stored run (see the module notes)."""

    reviewsChanged = Signal(str)  # run id: the figures and the metrics follow
    expectedChanged = Signal(str, str)  # case id, its expected label now
    keepReviewed = Signal(list)  # the case ids to keep in the window's test set

    def __init__(
        self, store: Store, settings: QSettings, run_id: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Review answers")
        self.setObjectName("reviewWindow")
        self.store, self.settings, self.run_id = store, settings, run_id
        self.session: ReviewSession | None = None
        self.blind = False
        self.index = 0
        self.keys: dict[str, str] = {}
        self._prepared: dict[int, Prepared] = {}
        self._shown_at = time.monotonic()
        self._seen_messages = 0
        self._build()
        self.tasks = TaskRunner(self, max_threads=1)  # the figures, off the GUI thread
        self._refresh = QTimer(self, singleShot=True, interval=300)
        self._refresh.timeout.connect(self._after_reviews)

    def _build(self) -> None:
        self.setup = SetupBar(str(self.settings.value(REVIEWER_KEY, "") or ""))
        self.setup.startRequested.connect(self.start)
        self.message = plain_label("", "reviewMessage")
        self.message.setWordWrap(True)
        self.page = QueuePage(self.handle_key)
        self.view = ReviewCaseView()
        self.legend = plain_label("", "reviewLegend")
        self.progress = plain_label("", "reviewProgress")
        self.note = QLineEdit()
        self.note.setPlaceholderText("Note on this case; Enter keeps it, Esc drops it")
        self.note.hide()
        self.note.returnPressed.connect(self._keep_note)
        QShortcut(
            QKeySequence("Esc"), self.note, self._drop_note,
            context=Qt.ShortcutContext.WidgetShortcut,
        )  # fmt: skip
        page_layout = QVBoxLayout(self.page)
        page_layout.addWidget(self.view, 1)
        page_layout.addWidget(self.legend)
        page_layout.addWidget(self.progress)
        self.agreement = AgreementTab()
        self.agreement.keepRequested.connect(self.keep_reviewed)
        self.agreement.saveRequested.connect(self.ask_save_reviewed)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.page, "Queue")
        self.tabs.addTab(self.agreement, "Agreement")
        layout = QVBoxLayout(self)
        layout.addWidget(self.setup)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.note)  # outside the page: its Enter must not reach the queue
        self.view.clear("Choose how to sample the queue, then Start review (Ctrl+Enter).")
        # a 1100×760 window, or the most of a smaller screen (it went past 1024×700)
        restore_fitting(self, None, 1100, 760)

    # --- the queue ------------------------------------------------------------------
    def start(self) -> bool:
        """Build the queue from the setup bar's choices; False (and a sentence) if not."""
        choice = self.setup.choice()
        try:
            reviewer = check_reviewer(choice.reviewer)
            if self.session is not None:
                self.session.close()
            self.session = ReviewSession(
                self.store, self.run_id, reviewer, sampling=choice.sampling,
                share=choice.share, seed=choice.seed, gold_share=choice.gold_share,
            )  # fmt: skip
        except (ReviewError, ValueError) as exc:
            self.say(str(exc))
            return False
        self.settings.setValue(REVIEWER_KEY, reviewer)
        self.blind = choice.blind
        self.keys = choice_keys(self.session.choices())
        self.legend.setText(legend(self.keys, self.blind))
        self._prepared.clear()
        done = self.session.reviews
        self.index = next(
            (i for i, item in enumerate(self.session.items) if item.case_id not in done),
            len(self.session.items),
        )
        self.say(f"{len(self.session.items)} cases in the queue.")
        self.show_current()
        self.page.setFocus()
        self._refresh.start()
        return True

    def _prepared_at(self, index: int) -> Prepared:
        prepared = self._prepared.get(index)
        if prepared is None:
            item = self.session.items[index]
            prepared = prepare(
                item.result, self.session.model_label(item), self.session.policy_text
            )
            self._prepared[index] = prepared
        return prepared

    def _prefetch(self) -> None:
        if self.session is None:
            return
        for index in range(self.index + 1, min(self.index + 1 + PREFETCH, len(self.session.items))):
            self._prepared_at(index)

    def show_current(self) -> None:
        session = self.session
        if session is None:
            return
        self.progress.setText(progress_text(len(session.items), list(session.reviews.values())))
        if self.index >= len(session.items) and not self._sampled_all_added(session):
            self.view.clear("Every case of the queue is reviewed; see the Agreement tab.")
            return
        self.view.show_case(self._prepared_at(self.index), blind=self.blind)
        self._shown_at = time.monotonic()
        QTimer.singleShot(0, self._prefetch)

    def _sampled_all_added(self, session: ReviewSession) -> bool:
        """At the end of an *all answers* queue, the cases the run stored since join it."""
        if self.setup.choice().sampling != "all" or not session.add_new_results():
            return False
        self.progress.setText(progress_text(len(session.items), list(session.reviews.values())))
        return True

    def current_item(self):  # noqa: ANN201
        session = self.session
        if session is None or self.index >= len(session.items):
            return None
        return session.items[self.index]

    # --- keys -----------------------------------------------------------------------
    def handle_key(self, event: QKeyEvent) -> bool:
        """One key of the queue; True when it was one of ours."""
        key, text = event.key(), event.text().upper()
        ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        if key in _UNDO_KEYS or (ctrl and key == Qt.Key.Key_Z):
            self.undo()
        elif self.current_item() is None:
            return False
        elif text in self.keys:
            self.decide(label=self.keys[text])
        elif text == "A" or key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.blind:
                self.say("Blind mode: pick a label with its key; the model's answer shows after.")
            else:
                self.decide()
        elif text in ("S", "U"):
            self.decide(state="skip" if text == "S" else "unsure")
        elif text == "N":
            self.note.show()
            self.note.setFocus()
        else:
            return False
        return True

    def decide(self, *, label: str | None = None, state: str = "done") -> None:
        item = self.current_item()
        if item is None or self.session is None:
            return
        seconds = time.monotonic() - self._shown_at
        try:
            review = self.session.record(item, label=label, state=state, seconds=seconds)
        except ReviewError as exc:
            self.say(str(exc))
            return
        if self.blind:
            model = review.model_label or "no verdict"
            self.say(
                f"Case {item.case_id}: you chose {review.label or state}; the model said {model}."
            )
        if review.state == "done" and not review.gold:
            self.expectedChanged.emit(review.case_id, review.label)
        self.index += 1
        self.show_current()
        self._refresh.start()

    def undo(self) -> None:
        if self.session is None:
            return
        review = self.session.undo()
        if review is None:
            self.say("Nothing to undo.")
            return
        restored = self.session.reviews.get(review.case_id)
        if not review.gold:
            label = restored.label if restored and restored.state == "done" else None
            self.expectedChanged.emit(review.case_id, label or review.old_expected or "")
        ids = [item.case_id for item in self.session.items]
        if review.case_id in ids:
            self.index = ids.index(review.case_id)
        self.say(f"Undone: the review of case {review.case_id}.")
        self.show_current()
        self._refresh.start()

    def _keep_note(self) -> None:
        item = self.current_item()
        if item is not None and self.session is not None:
            self.session.set_note(item, self.note.text().strip())
            self.say(f"Note kept on case {item.case_id}.")
        self._drop_note()

    def _drop_note(self) -> None:
        self.note.clear()
        self.note.hide()
        self.page.setFocus()

    # --- after reviews --------------------------------------------------------------
    def say(self, text: str) -> None:
        self.message.setText(text)

    def _after_reviews(self) -> None:
        """Refresh the figures; say what the background writer reported."""
        if self.session is None:
            return
        messages = self.session.messages
        if len(messages) > self._seen_messages:
            self.say(messages[-1])
            self._seen_messages = len(messages)
        self.tasks.submit_latest(
            "agreement", run_agreement, self.store, self.run_id,
            on_done=self.agreement.show_agreement, on_error=self.say,
        )  # fmt: skip
        self.reviewsChanged.emit(self.run_id)

    def reviewed_cases(self) -> list[TestCase]:
        """The cases this reviewer labelled (gold items aside), with their label expected."""
        if self.session is None:
            return []
        by_id = {item.case_id: item.result for item in self.session.items}
        return [
            TestCase(r.case_id, by_id[r.case_id].content, r.label)
            for r in self.session.reviews.values()
            if r.state == "done" and not r.gold and r.case_id in by_id
        ]

    def keep_reviewed(self) -> None:
        cases = self.reviewed_cases()
        if not cases:
            self.say("No case is reviewed yet; review some first.")
            return
        self.keepReviewed.emit([case.id for case in cases])
        self.say(f"The test set keeps the {len(cases)} reviewed cases; save it to keep that.")

    def ask_save_reviewed(self) -> None:
        path = save_file(
            self, "Save reviewed as a new test set", "test_set", "reviewed.cases.jsonl",
            "Test sets (*.jsonl)", suffix=".jsonl",
        )  # fmt: skip
        if path:
            self.save_reviewed(path)

    def save_reviewed(self, path: Path) -> bool:
        cases = self.reviewed_cases()
        if not cases:
            self.say("No case is reviewed yet; review some first.")
            return False
        try:
            save_cases(path, cases)
        except OSError as exc:
            self.say(f"Could not save {path.name} ({exc.strerror}); choose another place.")
            return False
        self.say(f"{len(cases)} reviewed cases saved as {path.name}.")
        return True

    def closeEvent(self, event) -> None:  # noqa: ANN001, N802 (Qt override)
        self.tasks.shutdown()
        if self.session is not None:
            self.session.close()
        super().closeEvent(event)
