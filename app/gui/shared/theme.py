"""Light and dark palettes and the application stylesheet.

The app uses the Fusion style so that both palettes look the same on every platform;
"system" keeps the platform palette. The stylesheet (``resources/style.qss``) only adds
spacing and a few object-specific touches; colours come from the palette so both themes
stay readable.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFontDatabase, QPalette
from PySide6.QtWidgets import QApplication

from app.core.resources import resource_path
from app.gui.shared.fonts import install_emoji_fallback

THEMES = ("system", "light", "dark")
_STYLE = resource_path("style.qss")

Role = QPalette.ColorRole
Group = QPalette.ColorGroup


def palette_is_dark(palette: QPalette) -> bool:
    """True when the palette draws light text on a dark base."""
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def _palette(colours: dict[Role, str], disabled_text: str) -> QPalette:
    palette = QPalette()
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (Role.Text, Role.WindowText, Role.ButtonText):
        palette.setColor(Group.Disabled, role, QColor(disabled_text))
    return palette


def light_palette() -> QPalette:
    return _palette(
        {
            Role.Window: "#f3f3f5",
            Role.WindowText: "#1d1d1f",
            Role.Base: "#ffffff",
            Role.AlternateBase: "#f5f6f8",
            Role.Text: "#1d1d1f",
            Role.Button: "#ececef",
            Role.ButtonText: "#1d1d1f",
            Role.Highlight: "#2f6fd6",
            Role.HighlightedText: "#ffffff",
            Role.ToolTipBase: "#ffffe8",
            Role.ToolTipText: "#1d1d1f",
            Role.PlaceholderText: "#8a8a90",
            Role.Link: "#1a56c4",
            Role.Mid: "#c9c9ce",
            Role.Dark: "#a0a0a8",
        },
        "#9a9aa0",
    )


def dark_palette() -> QPalette:
    return _palette(
        {
            Role.Window: "#24262b",
            Role.WindowText: "#e6e6e9",
            Role.Base: "#1b1c20",
            Role.AlternateBase: "#23252a",
            Role.Text: "#e6e6e9",
            Role.Button: "#2f3238",
            Role.ButtonText: "#e6e6e9",
            Role.Highlight: "#3d7be0",
            Role.HighlightedText: "#ffffff",
            Role.ToolTipBase: "#33363d",
            Role.ToolTipText: "#e6e6e9",
            Role.PlaceholderText: "#80838b",
            Role.Link: "#8ab4ff",
            Role.Mid: "#44474e",
            Role.Dark: "#15161a",
        },
        "#6c6f77",
    )


def apply_theme(app: QApplication, theme: str = "system") -> None:
    """Apply a palette (system / light / dark) and the stylesheet to the application."""
    fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    install_emoji_fallback(app.font(), fixed)
    if theme in ("light", "dark"):
        app.setStyle("Fusion")
        app.setPalette(dark_palette() if theme == "dark" else light_palette())
    else:
        app.setPalette(app.style().standardPalette())
    try:
        app.setStyleSheet(_STYLE.read_text(encoding="utf-8"))
    except OSError:
        app.setStyleSheet("")


def heat_colour(heat: float) -> QColor:
    """A heat-map colour from pale (0) to strong red (1), readable under dark text."""
    return QColor.fromHsvF(0.0, 0.15 + 0.7 * max(0.0, min(1.0, heat)), 0.95)
