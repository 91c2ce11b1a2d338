"""The one run pipeline the window and the CLI share: cache, engine, store, events."""
