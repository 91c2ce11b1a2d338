"""The Settings row for saved policy prefixes: a disk budget, what it holds now, *Clear*.

A policy's prefix (its evaluated KV state) is saved to the cache folder after its first case,
so the first case after a restart skips evaluating the policy again. The budget is in MB
(0 turns saving and restoring off); the least recently used prefixes go first when it is
full. *Clear* deletes them all; they are recomputed when needed, nothing else is lost.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from app.core.setting_limits import PREFIX_CACHE_MB
from app.engine.local.prefix_store import PrefixStore
from app.gui.shared.widgets import limited_spin


def describe(store: PrefixStore) -> str:
    files = store.files()
    if not files:
        return "none saved"
    size = store.usage()
    shown = f"{size / 2**20:.0f} MB" if size >= 2**20 else f"{max(1, round(size / 1024))} KB"
    return f"{shown} in {len(files)} file{'s' if len(files) != 1 else ''}"


class PrefixCacheRow(QWidget):
    """Budget spin box, usage label and a Clear button."""

    def __init__(self, budget_mb: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.budget_spin = limited_spin(PREFIX_CACHE_MB)
        self.budget_spin.setSingleStep(256)
        self.budget_spin.setSuffix(" MB")
        self.budget_spin.setSpecialValueText("off")
        self.budget_spin.setValue(budget_mb)
        self.budget_spin.setToolTip(
            "Disk space for saved policy prefixes: the first case after a restart then "
            "skips evaluating the policy. 0 turns it off."
        )
        self.usage_label = QLabel()
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Delete the saved policy prefixes (they are recomputed).")
        self.clear_button.clicked.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.budget_spin)
        layout.addWidget(self.usage_label, 1)
        layout.addWidget(self.clear_button)
        self.refresh()

    def _store(self) -> PrefixStore | None:
        try:
            return PrefixStore()
        except OSError:
            return None

    def refresh(self) -> None:
        store = self._store()
        self.usage_label.setText(describe(store) if store else "cache folder not writable")
        self.clear_button.setEnabled(bool(store and store.files()))

    def clear(self) -> None:
        store = self._store()
        if store is not None:
            store.clear()
        self.refresh()

    def budget_mb(self) -> int:
        return self.budget_spin.value()
