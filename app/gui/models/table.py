"""The models list as a Qt table model: one row per catalog entry or local GGUF file.

Rows are ``LibraryItem`` objects from ``catalog.list_models`` (built off the GUI thread by
the ``ModelsController``), with each file's stored self-check (``set_checks``: passed,
failed, or "not run" for a ready file never loaded; its sentence is the tooltip). Columns are an enum; ``ModelRole`` gives views the item and its
name. While a download runs, ``set_download_progress`` turns that row's state into
"downloading 37%" without a new listing. All text is plain: names and problems can come
from files on disk.
"""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from app.core import setting_limits as limits
from app.gui.shared.table_model import HeaderedTableModel
from app.library import catalog
from app.library.catalog import LibraryItem
from app.library.modelfile import format_bytes
from app.runs.backends.model_checks import StoredCheck


class Column(IntEnum):
    NAME = 0
    STATE = 1
    CHECK = 2
    SIZE = 3
    QUANT = 4
    MEMORY = 5


HEADERS = {
    Column.NAME: "Model",
    Column.STATE: "State",
    Column.CHECK: "Self-check",
    Column.SIZE: "Size",
    Column.QUANT: "Quantization",
    Column.MEMORY: "Memory at context",
}


class ModelRole(IntEnum):
    ITEM = Qt.ItemDataRole.UserRole + 1
    NAME = Qt.ItemDataRole.UserRole + 2
    STATE = Qt.ItemDataRole.UserRole + 3


CHECK_COLOURS = {"passed": "#2e7d32", "failed": "#c62828"}
STATE_COLOURS = {
    catalog.READY: "#2e7d32",
    catalog.PARTIAL: "#b26a00",
    catalog.INVALID: "#c62828",
}


def memory_text(item: LibraryItem) -> str:
    """The memory the model needs, as :mod:`app.library.memory` estimates it (the one figure
    the Memory column, its tooltip and the details show; the catalog's notes carry none)."""
    if item.estimate is None:
        return ""
    return f"Estimated need: {item.estimate.describe()}."


def item_size(item: LibraryItem) -> int | None:
    """Bytes on disk for a file that is here, else the published size."""
    if item.state in (catalog.READY, catalog.INVALID):
        return item.size_on_disk
    return item.expected_size


def item_quantization(item: LibraryItem) -> str:
    if item.info is not None:
        return item.info.quantization
    return item.entry.quantization if item.entry is not None else ""


def is_server_class(item: LibraryItem) -> bool:
    return item.entry is not None and item.entry.server_class


def state_text(item: LibraryItem) -> str:
    """'ready', 'partial 37%', 'not downloaded (server)', 'invalid'..."""
    text = item.state
    if item.state == catalog.PARTIAL and item.expected_size:
        text = f"partial {min(item.size_on_disk / item.expected_size, 0.999):.0%}"
    if is_server_class(item):
        text += " (server)"
    return text


def state_tooltip(item: LibraryItem) -> str:
    """The reason behind the state: the validation problem, or what to do next."""
    if item.problem:
        return item.problem
    if is_server_class(item):
        return (
            "Too large for a laptop: run it on a server (vLLM or llama-server) and connect "
            "to it with the remote backend in Settings."
        )
    if item.state == catalog.PARTIAL:
        return (
            f"{format_bytes(item.size_on_disk)} downloaded so far; Resume continues the download."
        )
    if item.state == catalog.NOT_DOWNLOADED:
        return "Not on this computer yet; Download fetches it from Hugging Face."
    if item.info is not None:
        return f"{item.info.name}: {item.info.n_params / 1e9:.1f}B parameters, GGUF v{item.info.version}"
    return ""


def check_text(check: StoredCheck | None, item: LibraryItem) -> str:
    """One line on a model's self-check for tooltips and the dialog's detail line."""
    if check is None:
        if item.state != catalog.READY:
            return ""
        return "Self-check not run yet: it runs the first time the model is loaded."
    when = check.checked_at.replace("T", " ")[:16]
    return f"Self-check {'passed' if check.report.ok else 'failed'} ({when} UTC): {check.report.message}"  # noqa: E501


class ModelTableModel(HeaderedTableModel):
    """LibraryItems for the models dialog; ``set_items`` replaces them all."""

    HEADERS = tuple(HEADERS.values())

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._items: list[LibraryItem] = []
        self._progress: dict[str, str] = {}  # name -> "downloading 37%"
        self._checks: dict[str, StoredCheck] = {}  # name -> stored self-check
        self.n_ctx = limits.N_CTX.default  # the context size of the memory column

    # --- Qt model API -----------------------------------------------------------------
    def row_count(self) -> int:
        return len(self._items)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0):
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and section == Column.MEMORY:
            return f"Memory at {self.n_ctx:,} tokens"
        return super().headerData(section, orientation, role)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._items):
            return None
        item, column = self._items[index.row()], Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(item, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == Column.STATE:
            colour = STATE_COLOURS.get(item.state)
            return QColor(colour) if colour and item.name not in self._progress else None
        if role == Qt.ItemDataRole.ForegroundRole and column == Column.CHECK:
            colour = CHECK_COLOURS.get(self._display(item, column))
            return QColor(colour) if colour else None
        if role == Qt.ItemDataRole.FontRole and column == Column.NAME and item.active:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column == Column.SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ModelRole.ITEM:
            return item
        if role == ModelRole.NAME:
            return item.name
        if role == ModelRole.STATE:
            return item.state
        return None

    def _display(self, item: LibraryItem, column: Column) -> str:
        if column == Column.NAME:
            label = item.entry.name if item.entry is not None else item.name
            return f"● {label}" if item.active else label
        if column == Column.STATE:
            return self._progress.get(item.name) or state_text(item)
        if column == Column.SIZE:
            size = item_size(item)
            approx = item.entry is not None and not item.entry.size_exact and item.info is None
            return ("≈ " if approx and size else "") + format_bytes(size)
        if column == Column.QUANT:
            return item_quantization(item)
        if column == Column.CHECK:
            check = self._checks.get(item.name)
            if check is not None:
                return "passed" if check.report.ok else "failed"
            return "not run" if item.state == catalog.READY else ""
        return item.fit or ""

    def _tooltip(self, item: LibraryItem, column: Column) -> str:
        if column == Column.NAME:
            lines = [str(item.path)]
            if item.active:
                lines.insert(0, "The active model.")
            if item.entry is not None and item.entry.notes:
                lines.append(item.entry.notes)
            return "\n".join(lines)
        if column == Column.MEMORY and item.estimate is not None:
            return memory_text(item)
        if column == Column.CHECK:
            return check_text(self._checks.get(item.name), item)
        return state_tooltip(item)

    # --- updates ----------------------------------------------------------------------
    def set_items(self, items: list[LibraryItem], n_ctx: int | None = None) -> None:
        self.beginResetModel()
        if n_ctx is not None:
            self.n_ctx = n_ctx
        self._items = list(items)
        self.endResetModel()

    def set_checks(self, checks: dict[str, StoredCheck]) -> None:
        """The stored self-check of each model by name (see the module notes)."""
        self._checks = dict(checks)
        if self._items:
            top, bottom = (
                self.index(0, Column.CHECK),
                self.index(len(self._items) - 1, Column.CHECK),
            )
            self.dataChanged.emit(top, bottom)

    def check(self, name: str) -> StoredCheck | None:
        return self._checks.get(name)

    def items(self) -> list[LibraryItem]:
        return list(self._items)

    def item(self, row: int) -> LibraryItem | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def row_of(self, name: str) -> int:
        """The row of the model called ``name``, or -1."""
        return next((r for r, item in enumerate(self._items) if item.name == name), -1)

    def set_download_progress(self, name: str, text: str | None) -> None:
        """Show ``text`` ('downloading 37%') as the state of ``name``; None restores it."""
        if text is None:
            self._progress.pop(name, None)
        else:
            self._progress[name] = text
        row = self.row_of(name)
        if row >= 0:
            index = self.index(row, Column.STATE)
            self.dataChanged.emit(index, index)
