"""Running cases: the engine controller, the runner, the result view and run status."""
