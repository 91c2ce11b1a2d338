"""Test cases: the case table, its filter and editor, paste and import dialogs."""
