"""The policy editor panel of the workbench: editor, find bar, outline, token meter, hints.

``PolicyPanel`` is what the main window embeds. Typing only touches the editor and the
highlighter (one incremental lex per edit); the outline, the lint hints and the token
estimate are recomputed on a short single-shot timer after the last edit, so typing never
waits for them. Public API: signals ``policyEdited`` and ``modificationChanged(bool)``;
``text``, ``set_text``, ``is_modified``, ``set_modified``, ``jump_to_rule``, ``jump_to_line``,
``highlight_phrases``, ``set_context_size``, ``show_find``, ``editor``. The token meter is
:class:`~app.gui.policy.token_meter.TokenMeter`; the format line above the editor is
:class:`~app.gui.policy.format_bar.FormatBar` (its Correct… dialog edits the front matter as
one undoable edit, saved only on save; or, for a policy without front matter, keeps the
format beside the file: ``formatKept``, ``sidecar_format``). Front-matter warnings lead.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QTextCursor
from PySide6.QtWidgets import (
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.core.policy import (
    LintHint,
    OutputFormat,
    Policy,
    PolicyError,
    estimate_tokens,
    find_rule_codes,
    lint_policy,
    parse_policy,
    with_front_matter,
)
from app.gui.policy.code_editor import CodeEditor
from app.gui.policy.find_bar import FindBar
from app.gui.policy.format_bar import FormatBar
from app.gui.policy.format_dialog import FormatDialog
from app.gui.policy.highlighter import PolicyHighlighter
from app.gui.policy.outline import PolicyOutline
from app.gui.policy.token_meter import TokenMeter
from app.gui.shared.document_edit import replace_document_text

DEBOUNCE_MS = 200
LINE_ROLE = Qt.ItemDataRole.UserRole


class PolicyPanel(QWidget):
    """Policy editor with outline, token meter, lint hints and find/replace."""

    policyEdited = Signal()
    modificationChanged = Signal(bool)
    analysisUpdated = Signal()  # outline, meter and hints now reflect the text
    formatKept = Signal(object)  # an OutputFormat to keep in the sidecar beside the file

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._editor = CodeEditor()
        self._editor.setObjectName("policyEditor")
        self._editor.setPlaceholderText("Write the policy here, or open one (File ▸ Open).")
        self.highlighter = PolicyHighlighter(self._editor.document(), self._editor.palette())
        self.find_bar = FindBar(self._editor)
        self.outline = PolicyOutline()
        self.outline.setObjectName("policyOutline")
        self.meter = TokenMeter()
        self.format_bar = FormatBar()
        self.format_dialog: FormatDialog | None = None
        self.sidecar_format: OutputFormat | None = None  # kept beside the file
        self.hints = QListWidget()
        self.hints.setObjectName("policyHints")
        self.hints.setWordWrap(True)
        self.hints.setAlternatingRowColors(True)
        self.hints.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._hint_list: list[LintHint] | None = None  # None: never shown yet
        self._setting_text = False
        self._phrases: list[str] = []

        editor_column = QWidget()
        column = QVBoxLayout(editor_column)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self._editor, 1)
        column.addWidget(self.find_bar)
        self.top_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.top_splitter.setObjectName("policyTopSplitter")
        self.top_splitter.addWidget(editor_column)
        self.top_splitter.addWidget(self.outline)
        # the outline keeps two fifths beside the editor: at 1024 px its entries show a
        # rule code and a few words on one line (a quarter left it at its minimum)
        self.top_splitter.setStretchFactor(0, 3)
        self.top_splitter.setStretchFactor(1, 2)
        self.top_splitter.setSizes([432, 288])
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("policySplitter")
        self.splitter.addWidget(self.top_splitter)
        self.splitter.addWidget(self.hints)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([640, 100])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.format_bar)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.meter)

        self._refresh_timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._refresh_timer.timeout.connect(self.refresh_analysis)
        document = self._editor.document()
        document.contentsChange.connect(self._on_contents_change)
        document.modificationChanged.connect(self.modificationChanged)
        self.outline.lineActivated.connect(self._jump_and_focus)
        self.format_bar.lineActivated.connect(self._jump_and_focus)
        self.format_bar.correctRequested.connect(self.open_format_dialog)
        self.hints.itemClicked.connect(self._on_hint_activated)
        self.hints.itemActivated.connect(self._on_hint_activated)
        # one action per key: the window's Edit menu lists these same two actions
        self.find_action = QAction("&Find in policy…", self)
        self.replace_action = QAction("&Replace in policy…", self)
        for action, keys, replace in (
            (self.find_action, QKeySequence.StandardKey.Find, False),
            (self.replace_action, QKeySequence("Ctrl+H"), True),
        ):
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(lambda _=False, r=replace: self.show_find(r))
            self.addAction(action)
        self.refresh_analysis()

    # ------------------------------------------------------------ public API
    @property
    def editor(self) -> CodeEditor:
        """The text editor (for undo/redo/cut/copy/paste actions)."""
        return self._editor

    def text(self) -> str:
        return self._editor.toPlainText()

    def replace_text(self, text: str) -> None:
        """Replace the text as one undoable edit (an older version, a suggested edit)."""
        self._editor.setTextCursor(replace_document_text(self._editor.document(), text))

    def set_text(self, text: str) -> None:
        """Replace the whole text; clears undo history and marks the policy unmodified."""
        self._setting_text = True
        try:
            self._editor.setPlainText(text)  # also clears the undo/redo history
        finally:
            self._setting_text = False
        self._editor.document().clearUndoRedoStacks()
        self._editor.document().setModified(False)
        self._editor.moveCursor(QTextCursor.MoveOperation.Start)
        self._refresh_timer.stop()
        self.refresh_analysis()

    def is_modified(self) -> bool:
        return self._editor.document().isModified()

    def set_modified(self, modified: bool) -> None:
        self._editor.document().setModified(modified)

    def jump_to_rule(self, code: str) -> bool:
        """Move to, centre and flash the line defining ``code``; False if not defined."""
        for rule in find_rule_codes(self.text()):
            if rule.code == code:
                self.jump_to_line(rule.line)
                return True
        return False

    def jump_to_line(self, line: int) -> None:
        """Put the cursor at the start of 1-based ``line``, centre it and flash it."""
        document = self._editor.document()
        line = max(1, min(line, document.blockCount()))
        cursor = QTextCursor(document.findBlockByNumber(line - 1))
        self._editor.setTextCursor(cursor)
        self._editor.centerCursor()
        self._editor.flash_line(line)

    def highlight_phrases(self, phrases: list[str]) -> None:
        """Mark every occurrence of each phrase (case-insensitive); [] clears."""
        self._phrases = [p for p in phrases if p and p.strip()]
        document = self._editor.document()
        ranges: list[tuple[int, int]] = []
        for phrase in self._phrases:
            cursor = document.find(phrase, 0)
            while not cursor.isNull() and len(ranges) < 5000:
                ranges.append((cursor.selectionStart(), cursor.selectionEnd()))
                cursor = document.find(phrase, cursor)
        self._editor.set_phrase_highlights(ranges)

    def open_format_dialog(self) -> FormatDialog:
        """Open the Correct… dialog (window-modal, non-blocking) on the format now read: its
        result goes into front matter, or (a policy without any) beside the file by default."""
        reading = self.format_bar.reading
        output = reading.output if reading else OutputFormat()
        dialog = FormatDialog(output, self, in_file=self.text().startswith("---"))
        dialog.accepted.connect(lambda: self._format_chosen(dialog))
        dialog.finished.connect(dialog.deleteLater)
        self.format_dialog = dialog
        dialog.open()
        return dialog

    def _format_chosen(self, dialog: FormatDialog) -> None:
        output = dialog.output()
        if dialog.write_in.isChecked():
            self.apply_format(output)
        elif output is not None:  # kept beside the file: the document writes the sidecar
            self.set_sidecar_format(output)
            self.formatKept.emit(output)

    def set_sidecar_format(self, output: OutputFormat | None) -> None:
        """The format kept beside the policy file (None: none); front matter still wins."""
        self.sidecar_format = output
        self.refresh_analysis()

    def apply_format(self, output: OutputFormat | None) -> None:
        """Write ``output`` as the text's front matter: one undoable edit, saved on save."""
        if output is None:
            return
        replace_document_text(self._editor.document(), with_front_matter(self.text(), output))
        self.refresh_analysis()

    def set_context_size(self, n_ctx: int) -> None:
        self.meter.set_context_size(n_ctx)

    def show_find(self, replace: bool = False) -> None:
        """Open the find bar (with the replace row when ``replace``)."""
        self.find_bar.open_bar(replace)

    def hint_list(self) -> list[LintHint]:
        """The lint hints now shown."""
        return list(self._hint_list or [])

    def splitters(self) -> tuple[QSplitter, QSplitter]:
        """The panel's splitters (editor | outline, and above the hints), whose positions
        the window keeps in its settings with its own."""
        return self.top_splitter, self.splitter

    # ------------------------------------------------------------ analysis
    def parsed_policy(self, path: Path | None = None) -> Policy:
        """The policy on screen under the format kept beside it as the window holds it
        (read when the file opened, or chosen since, saved or not): never reads the disk.
        ``path`` names the policy (its file); raises PolicyError while it does not parse."""
        return parse_policy(self.text(), path, sidecar=self.sidecar_format)

    def refresh_analysis(self) -> None:
        """Recompute outline, token meter and lint hints now (normally debounced)."""
        text = self.text()
        try:
            policy = self.parsed_policy()
            body, reading, error, warnings = policy.body, policy.format, "", policy.warnings
            output: OutputFormat | None = policy.output  # lint judges the format runs use
        except PolicyError as exc:
            body, reading, error, warnings, output = text, None, str(exc), [], None
        self.meter.set_tokens(estimate_tokens(body))
        self.outline.update_text(text)
        self.format_bar.show_reading(reading if text.strip() else None, error)
        hints = [_key_hint(text, w) for w in warnings] + (
            lint_policy(text, output) if text.strip() else []
        )
        if hints != self._hint_list:
            self._hint_list = hints
            self._show_hints(hints)
        self.analysisUpdated.emit()

    def _show_hints(self, hints: list[LintHint]) -> None:
        style = self.style()
        icons = {
            "warning": style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning),
            "info": style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation),
        }
        self.hints.clear()
        if not hints:
            item = QListWidgetItem(icons["info"], "No hints: the policy follows the guidance.")
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.hints.addItem(item)
        for hint in hints:
            where = f"Line {hint.line}: " if hint.line else ""
            item = QListWidgetItem(icons.get(hint.severity), where + hint.message)
            item.setData(LINE_ROLE, hint.line)
            item.setToolTip(f"{hint.severity} · {hint.code}")
            self.hints.addItem(item)

    # ------------------------------------------------------------ events
    def _on_contents_change(self, _position: int, removed: int, added: int) -> None:
        if not removed and not added:
            return
        self._refresh_timer.start()
        if not self._setting_text:
            self.policyEdited.emit()

    def _jump_and_focus(self, line: int) -> None:
        self.jump_to_line(line)
        self._editor.setFocus()

    def _on_hint_activated(self, item: QListWidgetItem) -> None:
        line = item.data(LINE_ROLE)
        if isinstance(line, int):
            self._jump_and_focus(line)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.highlighter.set_palette(self.palette())  # children update after this event


def _key_hint(text: str, warning: str) -> LintHint:
    """A front-matter warning as a hint on the line of the key it names ('fromat')."""
    key = warning.split("'")[1] if warning.count("'") >= 2 else ""
    lines = text.splitlines()
    line = next(
        (
            n
            for n, raw in enumerate(lines[:50], start=1)
            if key and raw.strip().lower().startswith(key + ":")
        ),
        None,
    )
    return LintHint(line, "warning", warning, "front-matter-key")
