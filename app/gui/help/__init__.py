"""Help menu: About, the policy writing guide, the data folder and problem reports."""

from app.gui.help.menu import HelpMenu, install_help_menu

__all__ = ["HelpMenu", "install_help_menu"]
