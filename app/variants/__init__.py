"""Seeded adversarial variants of test cases: the families and how each is generated.

Nothing here needs Qt, an engine or the rest of the app: :mod:`.families` is the registry
of variant families (data: name, one-line description, defaults), :mod:`.generate` makes
the variants of a test set; :mod:`app.scoring.robustness` compares their verdicts with the
clean run.
"""
