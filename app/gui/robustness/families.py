"""Choosing variant families: a preset combo over a checkable list of every family (the
built-in ones and the user's own from the data folder). Checking families one by one
shows the preset they make up, or "custom"."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QComboBox, QListWidget, QListWidgetItem

from app.core.errors import UserError
from app.variants.families import FAMILIES, PRESETS, Family
from app.variants.user_families import load_user_families

CUSTOM = "custom"


class FamilyChooser:
    """The preset combo and the family list, kept in step (see the module notes)."""

    def __init__(self, show_message: Callable[[str], None]) -> None:
        self.show_message = show_message
        self.preset = QComboBox()
        self.preset.addItems([*PRESETS, CUSTOM])
        self.preset.setToolTip("A group of variant families; pick families one by one below")
        self.preset.currentTextChanged.connect(self.choose_preset)
        self.list = QListWidget()
        self.list.setObjectName("robustnessFamilies")
        self.list.itemChanged.connect(self._on_toggled)
        self.families: dict[str, Family] = dict(FAMILIES)

    def load(self) -> None:
        """The built-in families and the user's own (a bad file: one sentence, skipped)."""
        try:
            self.families = {**FAMILIES, **load_user_families()}
        except UserError as exc:
            self.show_message(str(exc))
        self.list.blockSignals(True)
        self.list.clear()
        for family in self.families.values():
            item = QListWidgetItem(f"{family.name} — {family.description}")
            item.setData(Qt.ItemDataRole.UserRole, family.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.blockSignals(False)

    def _items(self) -> list[QListWidgetItem]:
        return [self.list.item(row) for row in range(self.list.count())]

    @Slot(str)
    def choose_preset(self, preset: str) -> None:
        if preset not in PRESETS:
            return
        self.set_chosen(PRESETS[preset])

    def set_chosen(self, names) -> None:  # noqa: ANN001 - any collection of names
        """Check exactly ``names``; the combo shows the preset they make up."""
        wanted = set(names)
        self.list.blockSignals(True)
        for item in self._items():
            checked = item.data(Qt.ItemDataRole.UserRole) in wanted
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.list.blockSignals(False)
        self._on_toggled()

    def chosen(self) -> list[str]:
        return [
            item.data(Qt.ItemDataRole.UserRole)
            for item in self._items()
            if item.checkState() == Qt.CheckState.Checked
        ]

    def _on_toggled(self, _item: QListWidgetItem | None = None) -> None:
        chosen = set(self.chosen())
        match = next((name for name, names in PRESETS.items() if set(names) == chosen), CUSTOM)
        self.preset.blockSignals(True)
        self.preset.setCurrentText(match)
        self.preset.blockSignals(False)
