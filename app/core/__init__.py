"""The app's vocabulary and parsing, Qt-free and importing nothing else of the app.

``core.policy`` and ``core.verdict`` are packages with a public surface in their
``__init__``; the other modules are records, settings, paths and small readers.
"""
