"""The outline beside the policy editor: Markdown sections and the rule codes under them.

``outline_entries`` (Qt-free) reads headings (``#`` style, ``===``/``---`` underlined, in
plain-text policies short all-caps lines such as ``DEFINITIONS``, and tier lines such as
``✅ Allowed Content (SP0 – …)``: :func:`app.core.policy.lines.headings`) and rule-code
definitions (:func:`app.core.policy.lines.find_rule_codes`, tiers included) from the text,
skipping the front matter and fenced code. ``PolicyOutline`` shows them as a tree and emits ``lineActivated``
with the 1-based line when an entry is clicked, and ``ruleClicked`` with the code when the
entry is a rule. After a run, :meth:`PolicyOutline.set_rule_heat` puts a heat strip before
each rule (the share of its citations on wrong cases, pale to red, with the counts in the
tooltip) and lists the "policy unclear" notes filed on it under the rule. The panel calls ``update_text`` on its
debounce timer; the tree is rebuilt only when the list of entries changed, so scrolling and
expansion survive ordinary typing.

Each entry is one line, as in an editor's outline: a title wider than the pane ends in "…"
after its rule code and first words (wrapping made a 1024 px window's outline a tall narrow
column of three-line entries), and the full text is in each entry's tooltip.
:meth:`PolicyOutline.minimumSizeHint` asks the splitter for room for a rule code and a few
words of its title (:data:`MIN_CHARS`); the policy panel gives the outline a share of its
width beside the editor.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from app.core.policy import find_rule_codes, headings, prose_lines
from app.gui.shared.theme import heat_colour
from app.scoring.rule_heat import RuleHeat

LINE_ROLE = Qt.ItemDataRole.UserRole
CODE_ROLE = Qt.ItemDataRole.UserRole + 1
NOTE_ROLE = Qt.ItemDataRole.UserRole + 2
MIN_CHARS = 16  # the narrowest outline: "DC0.a Mislead…" after its heat strip
STRIP_WIDTH = 16  # the heat strip before a rule
INDENT = 10  # per level: the branch arrows fit, and a rule two levels down keeps its room


def heat_icon(heat: RuleHeat) -> QIcon:
    """A small strip: an empty outline when never cited, else filled pale-to-red by heat."""
    pixmap = QPixmap(STRIP_WIDTH, 10)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setPen(QColor("#888888"))
    painter.drawRect(0, 0, STRIP_WIDTH - 1, 9)
    if heat.case_ids:
        painter.fillRect(1, 1, STRIP_WIDTH - 2, 8, heat_colour(heat.heat))
    painter.end()
    return QIcon(pixmap)


def heat_tooltip(heat: RuleHeat, cases: int) -> str:
    text = (
        f"Cited in {heat.answer} answers and {heat.reasoning} reasonings; "
        f"{heat.wrong} of them on wrong cases, {heat.false_positives} false positives."
    )
    hint = heat.hint(cases)
    return f"{text}\n{hint}" if hint else text


@dataclass(frozen=True)
class OutlineEntry:
    """One outline row: a heading (level 1–6) or a rule code (level 0 = under a heading)."""

    kind: str  # "heading" | "rule"
    level: int
    title: str
    line: int  # 1-based


def outline_entries(text: str) -> list[OutlineEntry]:
    """Headings (and tier lines) and rule-code definitions of a policy, in document order."""
    prose = {index + 1 for index in prose_lines(text)}
    rules = {rule.line: rule for rule in find_rule_codes(text) if rule.line in prose}
    entries: list[OutlineEntry] = []
    heads = {heading.line: heading for heading in headings(text)}
    for number in sorted({*heads, *rules}):
        if number in heads:
            heading = heads[number]
            entries.append(OutlineEntry("heading", heading.level, heading.title, number))
        if number in rules:
            rule = rules[number]
            entries.append(OutlineEntry("rule", 0, f"{rule.code}  {rule.title}".rstrip(), number))
    return entries


class PolicyOutline(QTreeWidget):
    """Tree of sections and rule codes; click to jump."""

    lineActivated = Signal(int)
    ruleClicked = Signal(str)  # rule code

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setColumnCount(1)
        self.setUniformRowHeights(True)  # one line per entry
        self.setWordWrap(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setExpandsOnDoubleClick(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)  # the code and first words stay
        self.setIndentation(INDENT)
        self._entries: list[OutlineEntry] = []
        self._heats: dict[str, RuleHeat] = {}
        self._cases = 0
        self._notes: dict[str, list[str]] = {}
        self.itemClicked.connect(self._on_item_activated)
        self.itemActivated.connect(self._on_item_activated)

    def entries(self) -> list[OutlineEntry]:
        return list(self._entries)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """Room for a rule code, a few words of its title and its heat strip."""
        width = self.fontMetrics().averageCharWidth() * MIN_CHARS + 2 * INDENT + 24
        return QSize(width, super().minimumSizeHint().height())

    def update_text(self, text: str) -> None:
        """Refresh from the policy text (cheap when nothing structural changed)."""
        entries = outline_entries(text)
        if entries == self._entries:
            return
        same_shape = [(e.kind, e.level, e.title) for e in entries] == [
            (e.kind, e.level, e.title) for e in self._entries
        ]
        self._entries = entries
        if same_shape:  # only line numbers moved: update them in place
            items = [i for i in self._all_items() if not i.data(0, NOTE_ROLE)]
            for item, entry in zip(items, entries, strict=False):
                item.setData(0, LINE_ROLE, entry.line)
            return
        self._rebuild(entries)

    def _rebuild(self, entries: list[OutlineEntry]) -> None:
        self.clear()
        stack: list[tuple[int, QTreeWidgetItem]] = []  # (level, item) of open headings
        bold = QFont(self.font())
        bold.setBold(True)
        for entry in entries:
            if entry.kind == "heading":
                while stack and stack[-1][0] >= entry.level:
                    stack.pop()
            parent = stack[-1][1] if stack else None
            item = QTreeWidgetItem([entry.title])
            item.setData(0, LINE_ROLE, entry.line)
            item.setToolTip(0, f"Line {entry.line}: {entry.title}")
            if entry.kind == "heading":
                if entry.level <= 2:
                    item.setFont(0, bold)
                stack.append((entry.level, item))
            if parent is None:
                self.addTopLevelItem(item)
            else:
                parent.addChild(item)
            if entry.kind == "rule":
                item.setData(0, CODE_ROLE, entry.title.split()[0])
        self._apply_marks()
        self.expandAll()

    def set_rule_heat(self, heats: list[RuleHeat], cases: int, notes: dict[str, list[str]]) -> None:
        """Heat strips of a run over ``cases`` cases, and "policy unclear" notes by rule
        code (empty lists clear them)."""
        self._heats, self._cases, self._notes = {h.code: h for h in heats}, cases, dict(notes)
        self._apply_marks()
        self.expandAll()

    def _apply_marks(self) -> None:
        italic = QFont(self.font())
        italic.setItalic(True)
        for item in self._all_items():
            code = item.data(0, CODE_ROLE)
            if not isinstance(code, str):
                continue
            for index in reversed(range(item.childCount())):
                if item.child(index).data(0, NOTE_ROLE):
                    item.removeChild(item.child(index))
            heat = self._heats.get(code)
            item.setIcon(0, heat_icon(heat) if heat else QIcon())
            tip = f"Line {item.data(0, LINE_ROLE)}: {item.text(0)}"
            item.setToolTip(0, f"{tip}\n{heat_tooltip(heat, self._cases)}" if heat else tip)
            for note in self._notes.get(code, []):
                child = QTreeWidgetItem([f"✎ {note}"])
                child.setData(0, NOTE_ROLE, True)
                child.setData(0, LINE_ROLE, item.data(0, LINE_ROLE))
                child.setFont(0, italic)
                child.setToolTip(0, f"Policy unclear: {note}")
                item.addChild(child)

    def _all_items(self) -> list[QTreeWidgetItem]:
        result: list[QTreeWidgetItem] = []

        def walk(item: QTreeWidgetItem) -> None:
            result.append(item)
            for index in range(item.childCount()):
                walk(item.child(index))

        for index in range(self.topLevelItemCount()):
            walk(self.topLevelItem(index))
        return result

    def _on_item_activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        line = item.data(0, LINE_ROLE)
        if isinstance(line, int):
            self.lineActivated.emit(line)
        code = item.data(0, CODE_ROLE)
        if isinstance(code, str):
            self.ruleClicked.emit(code)
