"""What every feature package of the window may use: theme, tables, tasks, settings."""
