"""The test-case table: a Qt model over the cases of a policy and their latest results.

Rows are cases; results are attached by case id. A result remembers the policy text and
content it was computed for (and the prompt of a response case), so it turns *stale* (grey
italic, with a tooltip) as soon as one differs from what is on screen, and fresh again if
the edit is undone. A result answered by another model than the one now chosen
(:meth:`CaseTableModel.set_current_model`) says "(other model)" in Status and names its
model in the tooltip. Stale results are never marked; ✓/✗ is app.scoring.outcome's judgement
under ``output``; *Prompt* shows the prompt a response case answers. ``ResultEntry``
(app.gui.shared.result_entry) is one case's latest run; app.gui.cases.filter sorts and
filters for the view.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from app.core.cases import TestCase
from app.core.policy import OutputFormat
from app.core.run_types import ClassifyResult
from app.core.verdict import VerdictStatus
from app.gui.shared.result_entry import (
    KIND_TEXT,
    ResultEntry,
    model_label,
    predicted_text,
    text_key,
)
from app.gui.shared.table_model import HeaderedTableModel


class Column(IntEnum):
    PREVIEW = 0
    EXPECTED = 1
    PREDICTED = 2
    STATUS = 3
    AGREEMENT = 4
    PROMPT = 5  # the prompt a response case answers (hidden when no case has one)


HEADERS = {
    Column.PREVIEW: "Content",
    Column.EXPECTED: "Expected",
    Column.PREDICTED: "Predicted",
    Column.STATUS: "Status",
    Column.AGREEMENT: "Agrees",
    Column.PROMPT: "Prompt",
}


class CaseRole(IntEnum):
    CASE_ID = Qt.ItemDataRole.UserRole + 1
    CASE = Qt.ItemDataRole.UserRole + 2
    ENTRY = Qt.ItemDataRole.UserRole + 3
    SORT = Qt.ItemDataRole.UserRole + 4
    STALE = Qt.ItemDataRole.UserRole + 5
    FILTER_TEXT = Qt.ItemDataRole.UserRole + 6


# what the model answers for one role: (case, its result entry or None, column) -> value
Reader = Callable[[TestCase, ResultEntry | None, Column], object]
STALE_GREY = QColor(128, 128, 128)


def _stale(entry: ResultEntry | None, column: Column) -> bool:
    """A stale result greys its row, except the case's own text (content and prompt)."""
    return entry is not None and entry.stale and column not in (Column.PREVIEW, Column.PROMPT)


def _italic() -> QFont:
    font = QFont()
    font.setItalic(True)
    return font


def _filter_text(case: TestCase, entry: ResultEntry | None, _column: Column) -> str:
    """What the table's text filter searches: id, content, expected, notes, predicted."""
    return " ".join((case.id, case.content, case.expected, case.notes, predicted_text(entry)))


class CaseTableModel(HeaderedTableModel):
    """Cases plus their latest result entries; the single source the case views read."""

    HEADERS = tuple(HEADERS.values())

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._cases: list[TestCase] = []
        self._entries: dict[str, ResultEntry] = {}
        self._policy_key = text_key("")
        self._queued: set[str] = set()
        self._prompts: dict[str, str] = {}  # case id -> the prompt its result answered
        self._next_id, self.output = 1, OutputFormat()  # output: the format ✓/✗ judges with
        self._model_key = ""  # the model now chosen (app.runs.backends.config.model_filter's key)
        self._readers = self._role_readers()

    # --- Qt model API ---------------------------------------------------------------
    def row_count(self) -> int:
        return len(self._cases)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        reader = self._readers.get(role)
        if reader is None:
            return None
        case = self._cases[index.row()]
        return reader(case, self._entries.get(case.id), Column(index.column()))

    def _role_readers(self) -> dict[int, Reader]:
        """What ``data`` answers per role, from the row's case, its entry and the column."""
        role = Qt.ItemDataRole
        return {
            role.DisplayRole: self._display,
            CaseRole.SORT: lambda case, entry, col: self._display(case, entry, col).casefold(),
            CaseRole.CASE_ID: lambda case, _entry, _col: case.id,
            CaseRole.CASE: lambda case, _entry, _col: case,
            CaseRole.ENTRY: lambda _case, entry, _col: entry,
            CaseRole.STALE: lambda _case, entry, _col: bool(entry and entry.stale),
            CaseRole.FILTER_TEXT: _filter_text,
            role.ToolTipRole: self._tooltip,
            role.FontRole: lambda _case, entry, col: _italic() if _stale(entry, col) else None,
            role.ForegroundRole: lambda _case, entry, col: (
                STALE_GREY if _stale(entry, col) else None
            ),
            role.TextAlignmentRole: lambda _case, _entry, col: (
                int(Qt.AlignmentFlag.AlignCenter) if col == Column.AGREEMENT else None
            ),
        }

    def _tooltip(self, case: TestCase, entry: ResultEntry | None, column: Column) -> str | None:
        if _stale(entry, column):
            return "Stale: the policy or this case changed after this result; run it again."
        if column in (Column.PREVIEW, Column.PROMPT):
            return (case.prompt if column == Column.PROMPT else case.content)[:600]
        if self.other_model(entry):
            return (
                f"Answered by {model_label(entry.model)}, not the model now chosen "
                f"({model_label(self._model_key)}); run it again to compare."
            )
        if entry and entry.error:
            return entry.error
        if column == Column.PREDICTED:
            return predicted_text(entry) or None  # the whole answer, however narrow
        return None

    def _display(self, case: TestCase, entry: ResultEntry | None, column: Column) -> str:
        if column in (Column.PREVIEW, Column.PROMPT):
            text = case.prompt if column == Column.PROMPT else case.content
            return " ".join(text.split())[:160]
        if column == Column.EXPECTED:
            return case.expected
        if column == Column.PREDICTED:
            return predicted_text(entry)
        if column == Column.STATUS and case.id in self._queued:
            return "queued"
        if entry is None:
            return ""
        if column == Column.STATUS:
            kind = KIND_TEXT.get(entry.verdict_kind)
            text = entry.state_text() or kind or predicted_text(entry)
            if entry.stale:
                return f"{text} (stale)"
            if self.other_model(entry):
                return f"{text} (other model)"
            return f"{text} (cached)" if entry.cached and entry.state == "done" else text
        if entry.stale or not case.expected or not entry.label:  # fresh, labelled, expected
            return ""
        return "✓" if entry.agrees_with(case.expected, self.output) else "✗"

    # --- cases ----------------------------------------------------------------------
    def cases(self) -> list[TestCase]:
        return list(self._cases)

    def case_at(self, row: int) -> TestCase:
        return self._cases[row]

    def row_of(self, case_id: str) -> int:
        return next((i for i, case in enumerate(self._cases) if case.id == case_id), -1)

    def case(self, case_id: str) -> TestCase | None:
        row = self.row_of(case_id)
        return self._cases[row] if row >= 0 else None

    def set_cases(self, cases: list[TestCase]) -> None:
        self.beginResetModel()
        self._cases = [case.copy() for case in cases]  # every field, extra ones too
        self._entries.clear()
        self._queued.clear()
        self._prompts.clear()
        self._next_id = len(self._cases) + 1
        self.endResetModel()

    def new_id(self) -> str:
        taken = {case.id for case in self._cases}
        while f"case-{self._next_id}" in taken:
            self._next_id += 1
        self._next_id += 1
        return f"case-{self._next_id - 1}"

    def add_cases(self, cases: list[TestCase], row: int | None = None) -> list[str]:
        """Insert cases (new ids where missing or taken) at row (default: end)."""
        if not cases:
            return []
        row = len(self._cases) if row is None else max(0, min(row, len(self._cases)))
        taken = {case.id for case in self._cases}
        added = []
        for case in cases:
            if not case.id or case.id in taken:
                case = case.copy(id=self.new_id())
            taken.add(case.id)
            added.append(case)
        self.beginInsertRows(QModelIndex(), row, row + len(added) - 1)
        self._cases[row:row] = added
        self.endInsertRows()
        return [case.id for case in added]

    def remove_case(self, case_id: str) -> None:
        row = self.row_of(case_id)
        if row < 0:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._cases[row]
        self._entries.pop(case_id, None)
        self._prompts.pop(case_id, None)
        self._queued.discard(case_id)
        self.endRemoveRows()

    def update_case(self, case_id: str, **changes: object) -> None:
        """Change content / prompt / expected / notes of a case; re-checks staleness."""
        row = self.row_of(case_id)
        if row < 0:
            return
        case = self._cases[row]
        for key, value in changes.items():
            setattr(case, key, value)
        entry = self._entries.get(case_id)
        if entry is not None and entry.state == "done":
            entry.stale = self._outdated(entry, case)
        self._row_changed(row)

    def _outdated(self, entry: ResultEntry, case: TestCase) -> bool:
        """Whether a result was computed for another policy, content or prompt."""
        prompt = self._prompts.get(case.id, case.prompt)
        return entry.outdated(self._policy_key, case.content) or prompt != case.prompt

    def label_texts(self, top: int, bottom: int) -> tuple[set[str], set[str]]:
        """The Expected and the Predicted texts of rows ``top..bottom`` (the view sizes
        those columns to them; read here, not through ``data``, for speed)."""
        cases = self._cases[max(0, top) : bottom + 1]
        expected = {case.expected for case in cases}
        return expected, {predicted_text(self._entries.get(case.id)) for case in cases}

    # --- results --------------------------------------------------------------------
    def entry(self, case_id: str) -> ResultEntry | None:
        return self._entries.get(case_id)

    def put_entry(self, case_id: str, entry: ResultEntry) -> None:
        """Give a case back a result it had (undoing its deletion)."""
        self._entries[case_id] = entry
        self._row_changed(self.row_of(case_id))

    def set_queued(self, case_ids: list[str], queued: bool = True) -> None:
        """Mark cases as waiting in a suite (their previous results stay until they run)."""
        (self._queued.update if queued else self._queued.difference_update)(case_ids)
        if self._cases and case_ids:  # one change signal for the whole table
            last = self.index(len(self._cases) - 1, len(Column) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def queued_ids(self) -> set[str]:
        return set(self._queued)

    def start_entry(self, case_id: str, policy_text: str, content: str) -> ResultEntry:
        """A fresh running entry for a case that starts now, remembering its inputs."""
        entry = ResultEntry(
            state="running", policy_key=text_key(policy_text), content_key=text_key(content)
        )
        self._queued.discard(case_id)
        self._entries[case_id] = entry
        row = self.row_of(case_id)
        self._prompts[case_id] = self._cases[row].prompt if row >= 0 else ""
        self._row_changed(row)
        return entry

    def set_state(self, case_id: str, state: str, error: str = "") -> None:
        entry = self._entries.get(case_id)
        if entry is None:
            return
        entry.state, entry.error = state, error or entry.error
        self._row_changed(self.row_of(case_id))

    def set_result(self, case_id: str, result: ClassifyResult) -> None:
        entry = self._entries.get(case_id)
        case = self.case(case_id)
        if entry is None or case is None:
            return
        entry.result, entry.state = result, "done"
        entry.analysis, entry.final = result.analysis or entry.analysis, result.final or entry.final
        entry.stale = self._outdated(entry, case)
        self._row_changed(self.row_of(case_id))

    def set_results(self, items: list[tuple[str, str, str, ClassifyResult, bool]]) -> int:
        """Attach many finished results at once: (case id, policy text, content, result,
        cached). Error verdicts become failed entries. One change signal for all rows;
        returns how many rows were updated (unknown case ids are skipped)."""
        rows = {case.id: row for row, case in enumerate(self._cases)}
        keys: dict[str, str] = {}
        changed: list[int] = []
        for case_id, policy_text, content, result, cached in items:
            row = rows.get(case_id)
            if row is None:
                continue
            policy_key = keys.setdefault(policy_text, text_key(policy_text))
            error = result.verdict.status is VerdictStatus.ERROR
            entry = ResultEntry(
                state="failed" if error else "done", policy_key=policy_key,
                content_key=text_key(content), analysis=result.analysis, final=result.final,
                result=result, error=result.verdict.message if error else "", cached=cached,
            )  # fmt: skip
            self._prompts[case_id] = self._cases[row].prompt
            entry.stale = not error and self._outdated(entry, self._cases[row])
            self._entries[case_id] = entry
            self._queued.discard(case_id)
            changed.append(row)
        if changed:
            top, bottom = min(changed), max(changed)
            self.dataChanged.emit(self.index(top, 0), self.index(bottom, len(Column) - 1))
        return len(changed)

    def set_policy_text(self, policy_text: str, output: OutputFormat | None = None) -> None:
        """Tell the model the current policy; results computed for another text turn stale."""
        self.output, key = output or self.output, text_key(policy_text)
        if key == self._policy_key:
            return
        self._policy_key = key
        for row, case in enumerate(self._cases):
            entry = self._entries.get(case.id)
            if entry is None or entry.state != "done":
                continue
            stale = self._outdated(entry, case)
            if stale != entry.stale:
                entry.stale = stale
                self._row_changed(row)

    def set_current_model(self, key: str) -> None:
        """The model now chosen; results answered by another one are marked."""
        if key != self._model_key:
            self._model_key = key
            if self._cases:
                last = self.index(len(self._cases) - 1, len(Column) - 1)
                self.dataChanged.emit(self.index(0, 0), last)

    def other_model(self, entry: ResultEntry | None) -> bool:
        """Whether ``entry`` holds a result of another model than the one now chosen."""
        model = entry.model if entry is not None and entry.state == "done" else ""
        return bool(model and self._model_key and model != self._model_key)

    def other_model_count(self) -> int:
        """Results in the table answered by another model than the one now chosen."""
        return sum(self.other_model(self._entries.get(case.id)) for case in self._cases)

    def _row_changed(self, row: int) -> None:
        if row >= 0:
            left, right = self.index(row, 0), self.index(row, len(Column) - 1)
            self.dataChanged.emit(left, right)
