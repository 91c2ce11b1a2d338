"""The settings dialog and its backend page."""
