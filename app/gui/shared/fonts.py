"""Emoji in policies and cases: fall back to an emoji-capable font where the system has one.

Published policies use ✅ 🚫 ❗ 🚨; without a colour emoji font Qt draws boxes. ``with_emoji
_fallback`` appends the first installed emoji family to a font's family list, so text keeps
its own font and only the emoji come from the fallback (on Debian/Ubuntu install
``fonts-noto-color-emoji``; macOS and Windows ship one).
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase

EMOJI_FAMILIES = (
    "Noto Color Emoji",
    "Apple Color Emoji",
    "Segoe UI Emoji",
    "Twemoji",
    "JoyPixels",
    "EmojiOne Color",
    "Symbola",
)


def emoji_family() -> str:
    """The first installed emoji-capable font family, or '' when there is none."""
    installed = set(QFontDatabase.families())
    return next((family for family in EMOJI_FAMILIES if family in installed), "")


def with_emoji_fallback(font: QFont) -> QFont:
    """A copy of ``font`` that draws emoji from an emoji font where one is installed."""
    family = emoji_family()
    result = QFont(font)
    families = list(font.families()) or [font.family()]
    if family and family not in families:
        result.setFamilies([*families, family])
    return result
