"""Emoji in policies and cases: fall back to an emoji-capable font where the system has one.

Published policies use ✅ 🚫 ❗ 🚨; without a colour emoji font Qt draws boxes.
``install_emoji_fallback`` makes the fonts the app uses fall back to the first installed
emoji family for the glyphs they lack (a font substitution, not a family list: a family
list would take digits and spaces from the emoji font, whose bitmap metrics are huge).
On Debian/Ubuntu install
``fonts-noto-color-emoji``; macOS and Windows ship one).
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QFontInfo

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


def install_emoji_fallback(*fonts: QFont) -> str:
    """Make each font's real family fall back to the installed emoji font for the glyphs
    it lacks (a substitution: letters, digits and spaces keep their own font). Returns the
    emoji family ('' when none is installed)."""
    family = emoji_family()
    if family:
        for font in fonts:
            real = QFontInfo(font).family()
            if family.casefold() not in (name.casefold() for name in QFont.substitutes(real)):
                QFont.insertSubstitution(real, family)
    return family
