"""Seeded adversarial variants of test cases, and what a robustness run reports about them.

Nothing here needs Qt, an engine or the rest of the app: :mod:`.families` is the registry
of variant families (data: name, one-line description, defaults), :mod:`.generate` makes
the variants of a test set, :mod:`.report` compares their verdicts with the clean run.
"""
